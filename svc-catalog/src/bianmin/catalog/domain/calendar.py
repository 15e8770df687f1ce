"""The district's working-day calendar: each day's answer and its source, operators' overrides (节假日, 调休).

Each day answers whether it is a working day and why: ``override`` (an operator set it),
``statutory`` (the State Council's notice as the ``chinese-calendar`` package knows it) or
``weekend`` (a year without statutory data: weekends off, every other day on). A change is written
to the kit's ``calendar_override`` table and announced as ``catalog.calendar.changed`` in the same
transaction; the catalog is the owner and does not consume its own event.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.catalog.domain.errors import OverrideNotFound
from bianmin.catalog.schemas import CalendarDayRead
from bianmin.contracts.events.catalog import CalendarDayChanged
from bianmin.kit.calendar import set_override
from bianmin.kit.errors import Unprocessable
from bianmin.kit.events import emit
from bianmin.kit.tables import calendar_override

MAX_DAYS = 366


def day_of(override: tuple[bool, str] | None, day: date) -> CalendarDayRead:
    """One day of the calendar with the source of its answer."""
    if override is not None:
        return CalendarDayRead(day=day, workday=override[0], source="override", note=override[1])
    try:
        workday = bool(chinese_calendar.is_workday(day))
        _, name = chinese_calendar.get_holiday_detail(day)
        return CalendarDayRead(day=day, workday=workday, source="statutory", note=name or "")
    except NotImplementedError:
        return CalendarDayRead(day=day, workday=day.weekday() < 5, source="weekend")


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
    rows = (await session.execute(select(calendar_override.c.day, calendar_override.c.workday, calendar_override.c.note)
                                  .where(calendar_override.c.day.between(first, last)))).all()
    overrides = {r.day: (r.workday, r.note) for r in rows}
    return [day_of(overrides.get(first + timedelta(days=n)), first + timedelta(days=n))
            for n in range((last - first).days + 1)]


async def set_day(session: AsyncSession, day: date, *, workday: bool, note: str, now: datetime) -> CalendarDayRead:
    """Override a day (working day or day off) and announce it in the same transaction."""
    check_day(day)
    await set_override(session, day, workday, note, now=now)
    await emit(session, "catalog.calendar.changed", CalendarDayChanged(day=day, workday=workday, note=note),
               tenant="*", about=day.isoformat())
    return CalendarDayRead(day=day, workday=workday, source="override", note=note)


async def clear_day(session: AsyncSession, day: date, *, now: datetime) -> None:
    """Remove a day's override and announce it; 404 when the day has none."""
    check_day(day)
    exists = (await session.execute(select(calendar_override.c.day).where(calendar_override.c.day == day))).first()
    if exists is None:
        raise OverrideNotFound(f"No override for {day}.")
    await set_override(session, day, None, now=now)
    await emit(session, "catalog.calendar.changed", CalendarDayChanged(day=day, workday=None), tenant="*",
               about=day.isoformat())
