"""Supervision: collusion flags with confirm/dismiss, and the supervisors' alert list."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from bianmin.bidding.api.deps import SUPERVISE, SUPERVISE_DECIDE, SUPERVISOR_ROLE, WATCH, SettingsDep
from bianmin.bidding.api.views import flag_view
from bianmin.bidding.domain import alerts as alert_list
from bianmin.bidding.domain import collusion, stats
from bianmin.bidding.domain.common import actor_of
from bianmin.bidding.schemas import FlagDecision, FlagRead, StatsRead
from bianmin.bidding.schemas.projects import Category, Level
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.identity import Principal, PrincipalDep, require_scopes
from bianmin.kit.policy import ensure_role
from bianmin.kit.stats import PeriodDep

router = APIRouter(tags=["supervision"])


@router.get("/flags", summary="Collusion flags", dependencies=[require_scopes(SUPERVISE), WATCH],
            responses=problem_responses(401, 403, 422))
async def list_flags(session: ReadSessionDep, who: PrincipalDep,
                     status: Literal["open", "confirmed", "dismissed"] | None = None,
                     project_code: Annotated[str | None, Query(max_length=40)] = None) -> list[FlagRead]:
    """The collusion flags of the supervisor's sites, newest first."""
    return [flag_view(project, flag)
            for flag, project in await collusion.list_flags(session, who, status=status, project_code=project_code)]


async def _decide(session: SessionDep, who: Principal, flag_id: str, body: FlagDecision, *, confirm: bool,
                  clock: ClockDep) -> FlagRead:
    flag, project, section = await collusion.get_flag(session, flag_id, who)
    ensure_role(who, SUPERVISOR_ROLE, project.site_code)
    await collusion.decide(session, flag, project, section, confirm=confirm, note=body.note, now=clock.now(),
                           actor=actor_of(who))
    await session.commit()
    return flag_view(project, flag)


@router.post("/flags/{flag_id}/confirm", summary="Confirm a collusion flag", dependencies=[require_scopes(SUPERVISE), SUPERVISE_DECIDE],
             responses=problem_responses(401, 403, 404, 409, 422))
async def confirm_flag(flag_id: str, body: FlagDecision, session: SessionDep, who: PrincipalDep,
                       clock: ClockDep) -> FlagRead:
    """Confirm a flag: credit records a bad behaviour for each enterprise named."""
    return await _decide(session, who, flag_id, body, confirm=True, clock=clock)


@router.post("/flags/{flag_id}/dismiss", summary="Dismiss a collusion flag", dependencies=[require_scopes(SUPERVISE), SUPERVISE_DECIDE],
             responses=problem_responses(401, 403, 404, 409, 422))
async def dismiss_flag(flag_id: str, body: FlagDecision, session: SessionDep, who: PrincipalDep,
                       clock: ClockDep) -> FlagRead:
    """Dismiss a flag with the supervisor's reasons."""
    return await _decide(session, who, flag_id, body, confirm=False, clock=clock)


@router.get("/alerts", summary="What supervisors should look at", dependencies=[require_scopes(SUPERVISE), WATCH],
            responses=problem_responses(401, 403))
async def alerts(session: ReadSessionDep, who: PrincipalDep, clock: ClockDep) -> list[dict[str, Any]]:
    """Open collusion flags, complaints past or near their deadline, objections unanswered for 3 days."""
    return await alert_list.alerts(session, who, now=clock.now())


@router.get("/stats", summary="Trading figures", dependencies=[require_scopes(SUPERVISE), WATCH],
            responses=problem_responses(401, 403, 422))
async def trading_stats(session: ReadSessionDep, settings: SettingsDep, period: PeriodDep,
                        category: Category | None = None, level: Level | None = None) -> StatsRead:
    """Projects, budget and award totals, savings, savings rate and awards ≥ 30% below budget."""
    return await stats.compute(session, period, category=category, level=level,
                               risk_rate=settings.savings_risk_rate)
