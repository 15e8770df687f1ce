"""The district's working-day calendar: public reads, a year's notice loaded whole, day overrides; rules in domain.calendar."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from bianmin.catalog.api.deps import ADMIN, DISTRICT, EVERYONE, OPERATORS
from bianmin.catalog.domain import calendar
from bianmin.catalog.domain.people import actor
from bianmin.catalog.schemas import CalendarDayRead, CalendarDaySet, CalendarLoadRead, CalendarVersionRead, CalendarYearLoad
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.identity import PrincipalDep, public
from bianmin.kit.workdays import local_date

router = APIRouter(tags=["calendar"])


@router.get("/calendar", summary="Working days of a period", **public(), dependencies=[EVERYONE], responses=problem_responses(422))
async def read_calendar(
    session: ReadSessionDep, clock: ClockDep,
    start: Annotated[date | None, Query(alias="from", description="First day (default: today).")] = None,
    end: Annotated[date | None, Query(alias="to", description="Last day (default: 30 days on).")] = None,
) -> list[CalendarDayRead]:
    """Each day from ``from`` to ``to`` (at most 366 days): working day or not, and why."""
    first = start or local_date(clock.now())
    return await calendar.days_between(session, first, end or first + timedelta(days=30))


@router.put("/calendar/years/{year}", status_code=201, summary="Load a year's State Council notice",
            dependencies=[ADMIN, DISTRICT, OPERATORS], responses={200: {"model": CalendarLoadRead,
                                                                        "description": "Unchanged: no new version."},
                                                                  **problem_responses(401, 403, 409, 422)})
async def load_year(year: int, body: CalendarYearLoad, session: SessionDep, who: PrincipalDep, clock: ClockDep,
                    response: Response) -> CalendarLoadRead:
    """Load a year's holidays and make-up working days as its next version and announce it; 200 when nothing changed.

    422 naming the day of a notice that cannot be right (a day listed twice, outside the year, a make-up
    day on a weekday), with nothing loaded; 409 when ``expected_version`` is not the stored version.
    """
    answer = await calendar.load_year(session, year, body, by=actor(who), now=clock.now())
    await session.commit()
    if not answer.changed:
        response.status_code = 200
    return answer


@router.get("/calendar/years/{year}/versions", summary="Every version of a year loaded", **public(),
            dependencies=[EVERYONE], responses=problem_responses(404, 422))
async def read_versions(year: int, session: ReadSessionDep) -> list[CalendarVersionRead]:
    """Each version of the year's calendar, oldest first: the notice, its days, who loaded it and when."""
    return await calendar.versions_of(session, year)


@router.put("/calendar/{day}", summary="Set a day on or off", dependencies=[ADMIN, DISTRICT, OPERATORS],
            responses=problem_responses(401, 403, 422))
async def set_day(day: date, body: CalendarDaySet, session: SessionDep, clock: ClockDep) -> CalendarDayRead:
    """Make a day a working day (调休) or a day off (节假日), overriding the statutory calendar."""
    answer = await calendar.set_day(session, day, workday=body.workday, note=body.note, now=clock.now())
    await session.commit()
    return answer


@router.delete("/calendar/{day}", status_code=204, summary="Clear a day's override", dependencies=[ADMIN, DISTRICT, OPERATORS],
               responses=problem_responses(401, 403, 404, 422))
async def clear_day(day: date, session: SessionDep, clock: ClockDep) -> Response:
    """Remove an override so the statutory calendar answers for the day again; 404 when there is none."""
    await calendar.clear_day(session, day, now=clock.now())
    await session.commit()
    return Response(status_code=204)
