"""Issuing tickets: numbers unique per hall, line and day, people ahead, and the estimated wait.

Decisions where the issue is silent:
- Numbers read ``<prefix><three digits>`` (``A023``) and are drawn from an atomic per-line, per-day
  counter (an upsert that increments and returns the new value), so concurrent requests never
  share a number on SQLite or PostgreSQL.
- The line's daily cap bounds the numbers issued that day; a walk-in beyond it is refused with 409
  ``line_full``, while an appointment checking in is never refused (its slot already capped it).
  A number beyond 999 is never issued.
- Halls may open on weekends (周末不打烊), so walk-in tickets are issued on any day; booking is what
  follows the working-day calendar.
- The estimated wait is people ahead × the line's mean service time over its last 20 completed
  tickets (the configured default before there are any) ÷ the open counters serving the line.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.contracts.events.queue import TicketIssued
from bianmin.kit.errors import Unprocessable
from bianmin.kit.events import emit
from bianmin.kit.identifiers import age_on
from bianmin.kit.pagination import PageParams, paginate
from bianmin.kit.workdays import local_date
from bianmin.queue.domain.errors import LineFull, LineInactive, TicketNotFound
from bianmin.queue.domain.halls import ensure_open, prefixes
from bianmin.queue.models import Counter, CounterLine, Hall, Line, LineDayCounter, LineItem, Ticket

MAX_NUMBER = 999
ELDERLY_AGE = 60
HISTORY_SIZE = 20


@dataclass(frozen=True)
class Person:
    """Who a ticket is for; every field optional for an anonymous walk-in."""

    name: str | None = None
    id_number: str | None = None
    phone: str | None = None
    disabled: bool = False
    green_channel: bool = False
    # Who took it (a citizen's subject id or the app's key, ``api.deps.holder_of``): the one who rates it.
    holder: str | None = None


@dataclass(frozen=True)
class Issued:
    """A new ticket with its place in the line."""

    ticket: Ticket
    people_ahead: int
    estimated_wait_minutes: int


def is_elderly(id_number: str | None, today: date) -> bool:
    """Whether the holder of the ID number is 60 or older today (the elderly priority)."""
    return id_number is not None and age_on(id_number, today) >= ELDERLY_AGE


async def next_number(session: AsyncSession, line: Line, day: date, count: int = 1) -> int:
    """Draw the next ``count`` sequence numbers of a line for a day, atomically; the last one drawn."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (insert(LineDayCounter).values(line_id=line.id, service_date=day, last_seq=count)
                 .on_conflict_do_update(index_elements=["line_id", "service_date"],
                                        set_={"last_seq": LineDayCounter.last_seq + count})
                 .returning(LineDayCounter.last_seq))
    return int((await session.execute(statement)).scalar_one())


async def waiting_ahead(session: AsyncSession, line_id: int, before: datetime, exclude: int | None = None) -> int:
    """Tickets of a line waiting since before ``before``."""
    statement = select(func.count()).select_from(Ticket).where(
        Ticket.line_id == line_id, Ticket.state == "waiting", Ticket.queued_at <= before)
    if exclude is not None:
        statement = statement.where(Ticket.id != exclude)
    return int((await session.execute(statement)).scalar_one())


async def mean_service_seconds(session: AsyncSession, line_id: int, default_minutes: float) -> float:
    """The mean service time of a line's last completed tickets, or the default."""
    recent = (await session.scalars(
        select(Ticket.service_seconds).where(Ticket.original_line_id == line_id, Ticket.state == "done",
                                             Ticket.service_seconds > 0)
        .order_by(Ticket.completed_at.desc()).limit(HISTORY_SIZE))).all()
    return sum(recent) / len(recent) if recent else default_minutes * 60


async def open_counters(session: AsyncSession, line_id: int) -> int:
    """Open counters that serve a line."""
    return int((await session.execute(
        select(func.count()).select_from(CounterLine).join(Counter, Counter.id == CounterLine.counter_id)
        .where(CounterLine.line_id == line_id, Counter.state == "open"))).scalar_one())


async def estimate(session: AsyncSession, line_id: int, ahead: int, default_minutes: float) -> int:
    """Estimated minutes until a ticket with ``ahead`` people before it is called."""
    if ahead == 0:
        return 0
    mean = await mean_service_seconds(session, line_id, default_minutes)
    return math.ceil(ahead * mean / max(1, await open_counters(session, line_id)) / 60)


async def issue(session: AsyncSession, *, hall: Hall, line: Line, person: Person, item_code: str | None,
                now: datetime, default_service_minutes: float, appointment_id: int | None = None,
                due_at: datetime | None = None, late_arrival: bool = False) -> Issued:
    """Issue the next number of a line to a person; emits ``queue.ticket.issued``."""
    today = local_date(now)
    ensure_open(hall)
    if not line.active:
        raise LineInactive(f"Line {line.prefix} is not taking tickets.")
    if item_code is not None:
        served = (await session.scalars(select(LineItem.item_code).where(LineItem.line_id == line.id))).all()
        if served and item_code not in served:
            raise Unprocessable.field("item_code", f"line {line.prefix} does not serve this item")
    seq = await next_number(session, line, today)
    kind = "appointment" if appointment_id is not None and not late_arrival else "walk_in"
    if seq > MAX_NUMBER or (kind == "walk_in" and appointment_id is None and seq > line.daily_cap):
        raise LineFull(f"Line {line.prefix} has issued its {line.daily_cap} numbers for today.")
    ticket = Ticket(
        hall_code=hall.code, line_id=line.id, original_line_id=line.id, service_date=today, seq=seq,
        number=f"{line.prefix}{seq:03d}", kind=kind, appointment_id=appointment_id,
        due_at=due_at if kind == "appointment" else None, late_arrival=late_arrival,
        name=person.name, id_number=person.id_number, phone=person.phone, holder=person.holder, item_code=item_code,
        elderly=is_elderly(person.id_number, today), disabled=person.disabled, green_channel=person.green_channel,
        state="waiting", issued_at=now, queued_at=now, service_seconds=0, recall_count=0, transfer_count=0,
    )
    session.add(ticket)
    await session.flush()
    ahead = await waiting_ahead(session, line.id, now, exclude=ticket.id)
    minutes = await estimate(session, line.id, ahead, default_service_minutes)
    priorities = [p for p, on in (("elderly", ticket.elderly), ("disabled", ticket.disabled),
                                  ("green_channel", ticket.green_channel)) if on]
    await emit(session, "queue.ticket.issued", TicketIssued(
        ticket_id=ticket.id, number=ticket.number, hall_code=hall.code, line_prefix=line.prefix,
        service_date=today, kind=kind, priorities=priorities, item_code=item_code,  # type: ignore[arg-type]
        people_ahead=ahead, estimated_wait_minutes=minutes, issued_at=now,
    ), tenant=hall.tenant, about=f"{hall.code}/{today.isoformat()}/{ticket.number}")
    return Issued(ticket, ahead, minutes)


async def get_ticket(session: AsyncSession, ticket_id: int, *, lock: bool = False) -> Ticket:
    """The ticket with this id; 404 when there is none."""
    statement = select(Ticket).where(Ticket.id == ticket_id)
    if lock:
        statement = statement.with_for_update()
    ticket = await session.scalar(statement)
    if ticket is None:
        raise TicketNotFound(f"No ticket {ticket_id}.")
    return ticket


async def list_tickets(session: AsyncSession, *, hall_code: str, day: date | None, state: str | None,
                       page: PageParams) -> tuple[list[Ticket], str | None]:
    """A page of a hall's tickets, newest first (by issue time, then id), optionally of one day and state."""
    statement = select(Ticket).where(Ticket.hall_code == hall_code)
    if day is not None:
        statement = statement.where(Ticket.service_date == day)
    if state is not None:
        statement = statement.where(Ticket.state == state)
    return await paginate(session, statement, page, keys=[Ticket.issued_at, Ticket.id], descending=True)


async def line_prefixes(session: AsyncSession, tickets: Sequence[Ticket]) -> dict[int, str]:
    """The prefix letter of every line these tickets are in or were issued for."""
    return await prefixes(session, {t.line_id for t in tickets} | {t.original_line_id for t in tickets})
