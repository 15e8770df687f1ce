"""The district's working-day calendar: each day's answer and its source, a year's notice loaded whole, day overrides.

The catalog owns the calendar. A year is known once its State Council notice (国务院办公厅关于…
部分节假日安排的通知) is loaded: the bundled ``chinese-calendar`` years came with the migration,
and an operator loads each later year in one call (:func:`load_year`, or ``bianmin-catalog calendar
load``). Each load is a new version of the year, kept in ``calendar_version`` with the notice's
reference and who loaded it; the year's current version is the kit's ``calendar_year`` row, and it is
announced whole as ``catalog.calendar.year_loaded`` in the same transaction, so every service's copy
follows. Loading the notice and days the year already has is answered "unchanged" with no new
version and no event: ``PUT`` is idempotent, so a retried request never makes a version of its own
(an operator who wants the copies refreshed has the periodic re-announcement,
:mod:`bianmin.catalog.domain.announcements`).

Each day answers whether it is a working day and why: ``override`` (an operator set it),
``notice`` (its year's notice is loaded: a day it names carries the holiday's name, any other day
counts by weekends) or ``unknown`` (no notice for its year: weekends guessed, and ``provisional``
because the answer moves once the notice is loaded). The answers come from the loaded years, never
from the package itself. A day's override is written to the kit's ``calendar_override`` table and
announced as ``catalog.calendar.changed``; overrides sit on top of the notice and survive a
reload of their year. The catalog does not consume its own events.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.catalog.domain.errors import CalendarVersionConflict, CalendarYearNotFound, OverrideNotFound
from bianmin.catalog.models import CalendarVersion
from bianmin.catalog.schemas import CalendarDayRead, CalendarLoadRead, CalendarVersionRead, CalendarYearLoad, NoticeDayEntry
from bianmin.contracts.events.catalog import CalendarDayChanged, CalendarYearLoaded, NoticeDay
from bianmin.kit.calendar import check_notice, notice_digest, notice_map, set_override, store_year
from bianmin.kit.errors import Unprocessable
from bianmin.kit.events import emit
from bianmin.kit.tables import calendar_override, calendar_year
from bianmin.kit.workdays import WorkCalendar

MAX_DAYS = 366


def day_of(day: date, calendar: WorkCalendar, *, notice: str | None, name: str = "",
           override: tuple[bool, str] | None = None) -> CalendarDayRead:
    """One day of the calendar with the source of its answer (``notice`` None: its year has no notice)."""
    workday = calendar.is_workday(day)
    if override is not None:
        return CalendarDayRead(day=day, workday=workday, source="override", note=override[1], notice=notice)
    if notice is None:
        return CalendarDayRead(day=day, workday=workday, source="unknown", provisional=True)
    return CalendarDayRead(day=day, workday=workday, source="notice", name=name, notice=notice)


def check_day(day: date) -> None:
    """422 naming ``day`` outside the years an override may concern."""
    if not 1949 < day.year < 2200:
        raise Unprocessable.field("day", "must be a date between 1950 and 2199")


async def days_between(session: AsyncSession, first: date, last: date) -> list[CalendarDayRead]:
    """Each day from ``first`` to ``last`` (at most 366 days, 422 naming ``to`` otherwise) with its source."""
    if last < first:
        raise Unprocessable.field("to", "must not be before from")
    if (last - first).days >= MAX_DAYS:
        raise Unprocessable.field("to", f"a period spans at most {MAX_DAYS} days")
    years = (await session.execute(select(calendar_year.c.year, calendar_year.c.notice, calendar_year.c.days)
                                   .where(calendar_year.c.year.between(first.year, last.year)))).all()
    overrides = {r.day: (r.workday, r.note) for r in (await session.execute(
        select(calendar_override.c.day, calendar_override.c.workday, calendar_override.c.note)
        .where(calendar_override.c.day.between(first, last)))).all()}
    notices = {row.year: row.notice for row in years}
    named = {row.year: _notice_days(row.days) for row in years}
    names = {d.day: d.name for days in named.values() for d in days}
    calendar = WorkCalendar({year: notice_map(days) for year, days in named.items()},
                            {d: w for d, (w, _) in overrides.items()})
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [day_of(d, calendar, notice=notices.get(d.year), name=names.get(d, ""), override=overrides.get(d))
            for d in days]


async def load_year(session: AsyncSession, year: int, body: CalendarYearLoad, *, by: str,
                    now: datetime) -> CalendarLoadRead:
    """Load a year's notice as its next version, keep it in the history and announce it whole (see the module docstring).

    422 naming the day of a notice that cannot be right (the kit's :func:`~bianmin.kit.calendar.check_notice`);
    409 when ``expected_version`` is not the stored version, or another load of the year won the race.
    """
    given = [NoticeDay(day=d.day, workday=d.workday, name=d.name) for d in body.days]
    check_notice(year, given)
    days = sorted(given, key=lambda d: d.day)
    current = await _current(session, year, lock=True)
    if current is not None and current.notice == body.notice and _notice_days(current.days) == days:
        return CalendarLoadRead(**_version_fields(current), changed=False)
    stored = current.version if current is not None else 0
    if body.expected_version is not None and body.expected_version != stored:
        raise CalendarVersionConflict(f"The calendar of {year} is at version {stored}, not {body.expected_version}: "
                                      "read it again before loading.")
    loaded = CalendarYearLoaded(year=year, version=stored + 1, notice=body.notice, days=days,
                                digest=notice_digest(year, days), loaded_by=by, loaded_at=now)
    await store_year(session, loaded)
    try:
        # The history keeps exactly what the kit stored as the year's current version.
        await session.execute(insert(CalendarVersion).from_select(
            ["year", "version", "notice", "days", "digest", "loaded_by", "loaded_at"],
            select(calendar_year.c.year, calendar_year.c.version, calendar_year.c.notice, calendar_year.c.days,
                   calendar_year.c.digest, calendar_year.c.loaded_by, calendar_year.c.loaded_at)
            .where(calendar_year.c.year == year)))
    except IntegrityError:
        raise CalendarVersionConflict(f"Another load of {year} came first: read it again before loading.") from None
    await emit(session, "catalog.calendar.year_loaded", loaded, tenant="*", about=str(year))
    return CalendarLoadRead(**_version_fields(await _current(session, year)), changed=True)


async def versions_of(session: AsyncSession, year: int) -> list[CalendarVersionRead]:
    """Every version of a year loaded, oldest first; 404 when the year was never loaded."""
    rows = (await session.execute(select(CalendarVersion).where(CalendarVersion.year == year)
                                  .order_by(CalendarVersion.version))).scalars().all()
    if not rows:
        raise CalendarYearNotFound(f"No notice for {year} was ever loaded.")
    return [CalendarVersionRead(**_version_fields(row)) for row in rows]


async def announce_calendar(session: AsyncSession) -> int:
    """Announce every year's current version and every day's override again; how many events were written.

    What a service started later needs to rebuild the whole calendar from the stream
    (:mod:`bianmin.catalog.domain.announcements` calls this well inside the stream's retention). The
    rows are read under a share lock, so a load or an override committing meanwhile waits and its own
    event follows these in the outbox: a re-announced override never lands after its removal.
    """
    years = (await session.execute(select(calendar_year).order_by(calendar_year.c.year)
                                   .with_for_update(read=True))).all()
    for row in years:
        await emit(session, "catalog.calendar.year_loaded", CalendarYearLoaded(
            year=row.year, version=row.version, notice=row.notice, days=_notice_days(row.days), digest=row.digest,
            loaded_by=row.loaded_by, loaded_at=row.loaded_at), tenant="*", about=str(row.year))
    overrides = (await session.execute(select(calendar_override).order_by(calendar_override.c.day)
                                       .with_for_update(read=True))).all()
    for row in overrides:
        await emit(session, "catalog.calendar.changed", CalendarDayChanged(day=row.day, workday=row.workday,
                                                                           note=row.note),
                   tenant="*", about=row.day.isoformat())
    return len(years) + len(overrides)


async def set_day(session: AsyncSession, day: date, *, workday: bool, note: str, now: datetime) -> CalendarDayRead:
    """Override a day (working day or day off) and announce it in the same transaction."""
    check_day(day)
    await set_override(session, day, workday, note, now=now)
    await emit(session, "catalog.calendar.changed", CalendarDayChanged(day=day, workday=workday, note=note),
               tenant="*", about=day.isoformat())
    notice = (await session.execute(select(calendar_year.c.notice)
                                    .where(calendar_year.c.year == day.year))).scalar_one_or_none()
    return day_of(day, WorkCalendar(overrides={day: workday}), notice=notice, override=(workday, note))


async def clear_day(session: AsyncSession, day: date, *, now: datetime) -> None:
    """Remove a day's override and announce it; 404 when the day has none."""
    check_day(day)
    exists = (await session.execute(select(calendar_override.c.day).where(calendar_override.c.day == day))).first()
    if exists is None:
        raise OverrideNotFound(f"No override for {day}.")
    await set_override(session, day, None, now=now)
    await emit(session, "catalog.calendar.changed", CalendarDayChanged(day=day, workday=None), tenant="*",
               about=day.isoformat())


async def _current(session: AsyncSession, year: int, *, lock: bool = False) -> Any:
    """The year's current version (the kit's ``calendar_year`` row), locked for a load when asked; None when unknown."""
    statement = select(calendar_year).where(calendar_year.c.year == year)
    return (await session.execute(statement.with_for_update() if lock else statement)).first()


def _notice_days(stored: list[list[Any]]) -> list[NoticeDay]:
    """The days of a notice as stored (``[[iso date, workday, name], ...]``)."""
    return [NoticeDay(day=date.fromisoformat(day), workday=bool(workday), name=name) for day, workday, name in stored]


def _version_fields(row: Any) -> dict[str, Any]:
    """The fields of a version read from a ``calendar_year`` row or a ``calendar_version`` one."""
    return {"year": row.year, "version": row.version, "notice": row.notice,
            "days": [NoticeDayEntry(day=d.day, workday=d.workday, name=d.name) for d in _notice_days(row.days)],
            "digest": row.digest, "loaded_by": row.loaded_by, "loaded_at": row.loaded_at}
