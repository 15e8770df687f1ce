"""The stats overview every service serves to the cockpit: named figures with their definitions.

A service contributes figures by giving its :class:`~bianmin.kit.app.ServiceSpec` a ``stats``
function; the cockpit in the gateway fans out to ``GET /v1/stats/overview`` of every service. The
function gets a :class:`StatsContext`: the period, the caller (a township's cockpit sees its own
sites' figures only), and the application's clock and settings.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field, model_validator
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.kit.calendar import coverage
from bianmin.kit.clock import Clock, ClockDep
from bianmin.kit.db import ReadSessionDep
from bianmin.kit.errors import Unprocessable, problem_responses
from bianmin.kit.identity import Principal, PrincipalDep, require_scopes
from bianmin.kit.policy import app, operator, policy, staff, supervisor
from bianmin.kit.settings import ServiceSettings
from bianmin.kit.workdays import local_date


class Figure(BaseModel):
    """One figure of the cockpit: its value, unit, and how it is defined."""

    name: str
    value: Decimal | int | None
    unit: str
    definition: str
    breakdown: dict[str, Decimal | int | None] | None = None


class Period(BaseModel):
    """A closed range of calendar days in Asia/Shanghai; both ends optional."""

    start: date | None = None
    end: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.start and self.end and self.end < self.start:
            raise ValueError("the period ends before it starts")
        return self


class Overview(BaseModel):
    """A service's figures for a period."""

    service: str
    period: Period
    figures: list[Figure]
    warnings: list[str] = Field(default_factory=list,
                                description="What an operator must see to, e.g. a working-day calendar about to run out.")


@dataclass(frozen=True)
class StatsContext:
    """What a service's cockpit figures are computed with."""

    session: AsyncSession
    period: Period
    principal: Principal
    clock: Clock
    settings: ServiceSettings


StatsFn = Callable[[StatsContext], Awaitable[list[Figure]]]


# Figures are asked for within these days: outside them a day's Asia/Shanghai bounds in UTC (and the
# day after the last one) would not be representable dates, which the services' queries compute.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)


async def period_params(
    start: Annotated[date | None, Query(alias="from", description="First day (Asia/Shanghai), inclusive; 1900-01-01 or later.")] = None,
    end: Annotated[date | None, Query(alias="to", description="Last day (Asia/Shanghai), inclusive; 2999-12-31 or earlier.")] = None,
) -> Period:
    """The ``from``/``to`` period of a figures request; 422 naming the day out of range, or ``to`` before ``from``."""
    for name, day in (("from", start), ("to", end)):
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
            raise Unprocessable.field(name, f"must be between {EARLIEST_DAY} and {LATEST_DAY}")
    if start and end and end < start:
        raise Unprocessable.field("to", "must not be before from")
    return Period(start=start, end=end)


PeriodDep = Annotated[Period, Depends(period_params)]


async def stats_context(session: ReadSessionDep, period: PeriodDep, who: PrincipalDep, clock: ClockDep,
                        request: Request) -> StatsContext:
    """The context a figures route hands its service's stats function."""
    return StatsContext(session=session, period=period, principal=who, clock=clock, settings=request.app.state.settings)


StatsContextDep = Annotated[StatsContext, Depends(stats_context)]


def stats_router(service: str, stats: StatsFn | None, *, calendar: bool = False) -> APIRouter:
    """The ``/stats/overview`` route of a service; one that counts working days warns when its calendar runs out."""
    router = APIRouter(tags=["stats"])

    @router.get("/stats/overview", summary="Figures for the cockpit",
                dependencies=[policy(app(), staff("cockpit_viewer", "hall_manager"), supervisor(), operator()),
                              require_scopes("cockpit:read")], responses=problem_responses(401, 403, 422))
    async def overview(context: StatsContextDep) -> Overview:
        """This service's figures for the cockpit (数据驾驶舱) over a period."""
        figures = await stats(context) if stats is not None else []
        warnings = []
        if calendar:
            warning = (await coverage(context.session, local_date(context.clock.now()))).warning
            warnings = [warning] if warning else []
        return Overview(service=service, period=context.period, figures=figures, warnings=warnings)

    return router
