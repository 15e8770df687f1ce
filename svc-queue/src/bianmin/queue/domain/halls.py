"""Halls, business lines and counters: the configuration the queue runs on.

Decisions where the issue is silent:
- A hall's code is its site code and its tenant is that same code, so a township key runs its own
  hall (and, by the site hierarchy, its villages' halls) only. The code must be an open site of the
  district's registry (:mod:`bianmin.kit.site_registry`, kept from the catalog's events) at a level
  that has a hall: the district's centre, a township or street, a village or community, or a bank
  outlet (政银合作); a self-service terminal, a bank counter or a PAD is equipment, not a hall. Which
  districts a deployment serves is therefore data, never a pattern in the code (issue 20).
- The hall follows its site (:func:`follow_site`): renamed in the registry, the hall is renamed;
  closed there, the hall issues no tickets, plans no slots and takes no bookings or check-ins (409
  ``site_closed``) and lists no slots, while the tickets already waiting are still called and served;
  reopened, it takes them again. A hall opened without a name takes its site's.
- A line's items are implementation codes of the catalog. An item the catalog has withdrawn is
  refused; an item not (yet) in the read model is accepted and shown as ``known: false``, because
  catalog events may lag a hall's set-up.
- A line's daily cap counts walk-in tickets; appointments were already capped by their slots.
- A counter serves one or more lines of its own hall with integer weights 1–10.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.contracts.events.catalog import SiteChanged
from bianmin.kit.errors import Unprocessable
from bianmin.kit.site_registry import KnownSite, require_site
from bianmin.queue.domain.errors import (
    CounterExists,
    CounterNotFound,
    HallExists,
    HallNotFound,
    LineExists,
    LineNotFound,
    SiteClosed,
)
from bianmin.queue.models import CatalogItem, Counter, CounterLine, Hall, Line, LineItem

HALL_LEVELS = ("district", "township", "village", "bank")
# What the hall tables hold: a village's 12 digits, or an outlet hung under a township (its 9 digits + ``B01``).
HALL_CODE_LENGTH = 12


async def require_hall_site(session: AsyncSession, code: str, *, field: str) -> KnownSite:
    """The open registry site a hall may stand at; 422 naming ``field`` for any other code."""
    site = await require_site(session, code, field=field, levels=HALL_LEVELS)
    if len(code) > HALL_CODE_LENGTH:
        raise Unprocessable.field(field, f"a hall's code has at most {HALL_CODE_LENGTH} characters")
    return site


async def check_hall_code(session: AsyncSession, code: str, *, field: str) -> None:
    """422 naming ``field`` unless a hall stands at ``code`` or may stand there (then a missing hall is a 404)."""
    if await session.get(Hall, code) is None:
        await require_hall_site(session, code, field=field)


async def get_hall(session: AsyncSession, code: str) -> Hall:
    """The hall with this code; 404 when there is none."""
    hall = await session.get(Hall, code)
    if hall is None:
        raise HallNotFound(f"No hall {code}.")
    return hall


def ensure_open(hall: Hall) -> None:
    """409 ``site_closed`` when the hall's site is closed in the registry (no new tickets, slots or bookings)."""
    if not hall.active:
        raise SiteClosed(f"Site {hall.code} is closed in the district's site registry; its hall issues no tickets "
                         "and takes no appointments.")


async def follow_site(session: AsyncSession, site: SiteChanged) -> None:
    """Carry a registry change to the hall at that site, if there is one: its name, and whether it is open."""
    hall = await session.get(Hall, site.code, with_for_update=True)
    if hall is None:
        return
    hall.name = site.name
    hall.active = site.active
    await session.flush()


async def create_hall(session: AsyncSession, *, code: str, name: str | None, address: str, alert_wait_minutes: int,
                      alert_waiting_count: int, now: datetime) -> Hall:
    """Open a hall at an open hall site of the registry (named as the site unless ``name``); 409 when it has one."""
    site = await require_hall_site(session, code, field="code")
    if await session.get(Hall, code) is not None:
        raise HallExists(f"Hall {code} exists.")
    hall = Hall(code=code, name=name or site.name, tenant=code, address=address, call_seq=0, active=True,
                alert_wait_minutes=alert_wait_minutes, alert_waiting_count=alert_waiting_count, created_at=now)
    session.add(hall)
    await session.flush()
    return hall


async def list_halls(session: AsyncSession) -> Sequence[Hall]:
    """Every hall, by code."""
    return (await session.scalars(select(Hall).order_by(Hall.code))).all()


async def call_seqs(session: AsyncSession, codes: list[str]) -> list[tuple[str, int]]:
    """The call sequence number of each of these halls (what the stream watcher compares)."""
    rows = (await session.execute(select(Hall.code, Hall.call_seq).where(Hall.code.in_(codes)))).all()
    return [(code, seq) for code, seq in rows]


async def _check_items(session: AsyncSession, codes: list[str]) -> None:
    if len(set(codes)) != len(codes):
        raise Unprocessable.field("item_codes", "lists an item twice")
    if not codes:
        return
    withdrawn = (await session.scalars(select(CatalogItem.code).where(
        CatalogItem.code.in_(codes), CatalogItem.status == "withdrawn"))).all()
    if withdrawn:
        raise Unprocessable.field("item_codes", f"withdrawn from the catalog: {', '.join(sorted(withdrawn))}")


async def get_line(session: AsyncSession, hall_code: str, prefix: str) -> Line:
    """The line of a hall with this prefix letter; 404 when there is none."""
    line = await session.scalar(select(Line).where(Line.hall_code == hall_code, Line.prefix == prefix))
    if line is None:
        raise LineNotFound(f"Hall {hall_code} has no line {prefix}.")
    return line


async def create_line(session: AsyncSession, *, hall: Hall, prefix: str, name: str, daily_cap: int,
                      item_codes: list[str]) -> Line:
    """Add a business line to a hall; 409 when its prefix letter is taken there."""
    existing = await session.scalar(select(Line.id).where(Line.hall_code == hall.code, Line.prefix == prefix))
    if existing is not None:
        raise LineExists(f"Hall {hall.code} already has line {prefix}.")
    await _check_items(session, item_codes)
    line = Line(hall_code=hall.code, prefix=prefix, name=name, daily_cap=daily_cap, active=True)
    session.add(line)
    await session.flush()
    session.add_all([LineItem(line_id=line.id, item_code=c) for c in item_codes])
    await session.flush()
    return line


async def update_line(session: AsyncSession, line: Line, *, name: str | None, daily_cap: int | None,
                      active: bool | None, item_codes: list[str] | None) -> Line:
    """Change a line's name, cap, activity or items."""
    if name is not None:
        line.name = name
    if daily_cap is not None:
        line.daily_cap = daily_cap
    if active is not None:
        line.active = active
    if item_codes is not None:
        await _check_items(session, item_codes)
        await session.execute(delete(LineItem).where(LineItem.line_id == line.id))
        session.add_all([LineItem(line_id=line.id, item_code=c) for c in item_codes])
    await session.flush()
    return line


async def prefixes(session: AsyncSession, line_ids: Iterable[int]) -> dict[int, str]:
    """The prefix letter of each line id: one query for every line a list of answers names."""
    wanted = set(line_ids)
    if not wanted:
        return {}
    rows = (await session.execute(select(Line.id, Line.prefix).where(Line.id.in_(wanted)))).all()
    return {row.id: row.prefix for row in rows}


async def list_lines(session: AsyncSession, hall_code: str) -> Sequence[Line]:
    """The lines of a hall, by prefix."""
    return (await session.scalars(select(Line).where(Line.hall_code == hall_code).order_by(Line.prefix))).all()


async def items_of(session: AsyncSession, line_ids: list[int]) -> dict[int, list[tuple[str, CatalogItem | None]]]:
    """The items each line serves, with the catalog's read-model entry where it has one."""
    rows = (await session.execute(
        select(LineItem.line_id, LineItem.item_code, CatalogItem)
        .join(CatalogItem, CatalogItem.code == LineItem.item_code, isouter=True)
        .where(LineItem.line_id.in_(line_ids)).order_by(LineItem.item_code))).all()
    found: dict[int, list[tuple[str, CatalogItem | None]]] = {i: [] for i in line_ids}
    for line_id, code, item in rows:
        found[line_id].append((code, item))
    return found


async def _resolve_lines(session: AsyncSession, hall_code: str, lines: list[tuple[str, int]]) -> list[tuple[int, int]]:
    prefixes = [p for p, _ in lines]
    if not lines:
        raise Unprocessable.field("lines", "a counter serves at least one line")
    if len(set(prefixes)) != len(prefixes):
        raise Unprocessable.field("lines", "lists a line twice")
    found = {line.prefix: line.id for line in (await session.scalars(
        select(Line).where(Line.hall_code == hall_code, Line.prefix.in_(prefixes)))).all()}
    missing = [p for p in prefixes if p not in found]
    if missing:
        raise Unprocessable.field("lines", f"hall {hall_code} has no line {', '.join(missing)}")
    return [(found[p], w) for p, w in lines]


async def create_counter(session: AsyncSession, *, hall: Hall, number: int, name: str, state: str,
                         staff_name: str | None, lines: list[tuple[str, int]]) -> Counter:
    """Add a counter to a hall; 409 when its number is taken there."""
    taken = await session.scalar(select(Counter.id).where(Counter.hall_code == hall.code, Counter.number == number))
    if taken is not None:
        raise CounterExists(f"Hall {hall.code} already has counter {number}.")
    resolved = await _resolve_lines(session, hall.code, lines)
    counter = Counter(hall_code=hall.code, number=number, name=name, state=state, staff_name=staff_name)
    session.add(counter)
    await session.flush()
    session.add_all([CounterLine(counter_id=counter.id, line_id=i, weight=w) for i, w in resolved])
    await session.flush()
    return counter


async def get_counter(session: AsyncSession, counter_id: int, *, lock: bool = False) -> Counter:
    """The counter with this id; 404 when there is none."""
    statement = select(Counter).where(Counter.id == counter_id)
    if lock:
        statement = statement.with_for_update()
    counter = await session.scalar(statement)
    if counter is None:
        raise CounterNotFound(f"No counter {counter_id}.")
    return counter


async def update_counter(session: AsyncSession, counter: Counter, *, state: str | None, staff_name: str | None,
                         clear_staff: bool, name: str | None, lines: list[tuple[str, int]] | None) -> Counter:
    """Open, pause or close a counter, change who is on duty, or what it serves."""
    if state is not None:
        counter.state = state
    if staff_name is not None:
        counter.staff_name = staff_name
    if clear_staff:
        counter.staff_name = None
    if name is not None:
        counter.name = name
    if lines is not None:
        resolved = await _resolve_lines(session, counter.hall_code, lines)
        await session.execute(delete(CounterLine).where(CounterLine.counter_id == counter.id))
        session.add_all([CounterLine(counter_id=counter.id, line_id=i, weight=w) for i, w in resolved])
    await session.flush()
    return counter


async def list_counters(session: AsyncSession, hall_code: str) -> Sequence[Counter]:
    """The counters of a hall, by number."""
    return (await session.scalars(select(Counter).where(Counter.hall_code == hall_code)
                                  .order_by(Counter.number))).all()


async def lines_of(session: AsyncSession, counter_ids: list[int]) -> dict[int, list[tuple[Line, int]]]:
    """The lines each counter serves, with their weights."""
    rows = (await session.execute(
        select(CounterLine.counter_id, Line, CounterLine.weight).join(Line, Line.id == CounterLine.line_id)
        .where(CounterLine.counter_id.in_(counter_ids)).order_by(Line.prefix))).all()
    found: dict[int, list[tuple[Line, int]]] = {i: [] for i in counter_ids}
    for counter_id, line, weight in rows:
        found[counter_id].append((line, weight))
    return found
