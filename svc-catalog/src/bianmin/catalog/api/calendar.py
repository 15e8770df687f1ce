"""The district's working-day calendar: public reads, operators' overrides (节假日, 调休).

Each day answers whether it is a working day and why: ``override`` (an operator set it),
``statutory`` (the State Council's notice as the ``chinese-calendar`` package knows it) or
``weekend`` (a year without statutory data: weekends off, every other day on). A change is written
to the kit's ``calendar_override`` table and announced as ``catalog.calendar.changed`` in the same
transaction; the catalog is the owner and does not consume its own event.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

import chinese_calendar
from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy import select

from bianmin.catalog.api.deps import ADMIN, DISTRICT
from bianmin.catalog.domain.errors import OverrideNotFound
from bianmin.catalog.schemas import CalendarDayRead, CalendarDaySet
from bianmin.contracts.events.catalog import CalendarDayChanged
from bianmin.kit.calendar import set_override
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import Unprocessable, problem_responses
from bianmin.kit.events import emit
from bianmin.kit.identity import public
from bianmin.kit.tables import calendar_override
from bianmin.kit.workdays import local_date

router = APIRouter(tags=["calendar"])
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


@router.get("/calendar", summary="Working days of a period", **public(), responses=problem_responses(422))
async def read_calendar(
    session: SessionDep, clock: ClockDep,
    start: Annotated[date | None, Query(alias="from", description="First day (default: today).")] = None,
    end: Annotated[date | None, Query(alias="to", description="Last day (default: 30 days on).")] = None,
) -> list[CalendarDayRead]:
    """Each day from ``from`` to ``to`` (at most 366 days): working day or not, and why."""
    first = start or local_date(clock.now())
    last = end or first + timedelta(days=30)
    if last < first:
        raise Unprocessable.field("to", "must not be before from")
    if (last - first).days >= MAX_DAYS:
        raise Unprocessable.field("to", f"a period spans at most {MAX_DAYS} days")
    rows = (await session.execute(select(calendar_override.c.day, calendar_override.c.workday, calendar_override.c.note)
                                  .where(calendar_override.c.day.between(first, last)))).all()
    overrides = {r.day: (r.workday, r.note) for r in rows}
    return [day_of(overrides.get(first + timedelta(days=n)), first + timedelta(days=n))
            for n in range((last - first).days + 1)]


def _check_day(day: date) -> None:
    if not 1949 < day.year < 2200:
        raise Unprocessable.field("day", "must be a date between 1950 and 2199")


@router.put("/calendar/{day}", summary="Set a day on or off", dependencies=[ADMIN, DISTRICT],
            responses=problem_responses(401, 403, 422))
async def set_day(day: date, body: CalendarDaySet, session: SessionDep, clock: ClockDep) -> CalendarDayRead:
    """Make a day a working day (调休) or a day off (节假日), overriding the statutory calendar."""
    _check_day(day)
    await set_override(session, day, body.workday, body.note, now=clock.now())
    await emit(session, "catalog.calendar.changed", CalendarDayChanged(day=day, workday=body.workday, note=body.note),
               tenant="*", about=day.isoformat())
    await session.commit()
    return CalendarDayRead(day=day, workday=body.workday, source="override", note=body.note)


@router.delete("/calendar/{day}", status_code=204, summary="Clear a day's override", dependencies=[ADMIN, DISTRICT],
               responses=problem_responses(401, 403, 404, 422))
async def clear_day(day: date, session: SessionDep, clock: ClockDep) -> Response:
    """Remove an override so the statutory calendar answers for the day again; 404 when there is none."""
    _check_day(day)
    exists = (await session.execute(select(calendar_override.c.day).where(calendar_override.c.day == day))).first()
    if exists is None:
        raise OverrideNotFound(f"No override for {day}.")
    await set_override(session, day, None, now=clock.now())
    await emit(session, "catalog.calendar.changed", CalendarDayChanged(day=day, workday=None), tenant="*",
               about=day.isoformat())
    await session.commit()
    return Response(status_code=204)
