"""Application figures per site, department and period (see :mod:`bianmin.catalog.domain.stats`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from bianmin.catalog.api.deps import READ
from bianmin.catalog.domain.stats import application_figures
from bianmin.catalog.schemas import ApplicationStats
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep
from bianmin.kit.errors import Unprocessable, problem_responses
from bianmin.kit.identity import PrincipalDep
from bianmin.kit.policy import app, operator, policy, staff, supervisor
from bianmin.kit.workdays import local_date

router = APIRouter(tags=["stats"])


@router.get("/stats/applications", summary="Application figures",
            dependencies=[READ, policy(staff(), supervisor(), operator(), app())],
            responses=problem_responses(401, 403, 422))
async def application_stats(
    session: ReadSessionDep, who: PrincipalDep, clock: ClockDep,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    site: Annotated[str | None, Query(max_length=20)] = None,
    department: Annotated[str | None, Query(max_length=40)] = None,
) -> ApplicationStats:
    """Received, online received, online receipt rate (一网通办收件率), completed, overdue, handling days, satisfaction."""
    if start and end and end < start:
        raise Unprocessable.field("to", "must not be before from")
    figures = await application_figures(session, who=who, start=start, end=end, site=site, department=department,
                                        today=local_date(clock.now()))
    return ApplicationStats.model_validate(figures)
