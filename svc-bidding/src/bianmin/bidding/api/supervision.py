"""Supervision: collusion flags with confirm/dismiss, and the supervisors' alert list."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from sqlalchemy import select

from bianmin.bidding.api.deps import SUPERVISE, SettingsDep
from bianmin.bidding.api.views import flag_view
from bianmin.bidding.domain import collusion, stats
from bianmin.bidding.domain.common import actor_of
from bianmin.bidding.domain.errors import FlagNotFound
from bianmin.bidding.models import CollusionFlag, Complaint, OpeningResponse, Project, Section
from bianmin.bidding.schemas import FlagDecision, FlagRead, StatsRead
from bianmin.bidding.schemas.projects import Category, Level
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.identity import Principal, PrincipalDep, require_scopes
from bianmin.kit.stats import PeriodDep

router = APIRouter(tags=["supervision"])


def _scoped(statement: Any, column: Any, who: Principal) -> Any:
    return statement if who.district_wide else statement.where(column == (who.tenant or "-"))


@router.get("/flags", summary="Collusion flags", dependencies=[require_scopes(SUPERVISE)],
            responses=problem_responses(401, 403, 422))
async def list_flags(session: SessionDep, who: PrincipalDep,
                     status: Literal["open", "confirmed", "dismissed"] | None = None,
                     project_code: Annotated[str | None, Query(max_length=40)] = None) -> list[FlagRead]:
    """The collusion flags of the supervisor's sites, newest first."""
    statement = _scoped(select(CollusionFlag, Project).join(Project, Project.id == CollusionFlag.project_id),
                        CollusionFlag.tenant, who).order_by(CollusionFlag.created_at.desc(), CollusionFlag.id)
    if status:
        statement = statement.where(CollusionFlag.status == status)
    if project_code:
        statement = statement.where(Project.code == project_code)
    return [flag_view(project, flag) for flag, project in (await session.execute(statement.limit(500))).all()]


async def _decide(session: SessionDep, who: Principal, flag_id: str, body: FlagDecision, *, confirm: bool,
                  now: Any) -> FlagRead:
    flag = await session.get(CollusionFlag, flag_id)
    if flag is None or not who.may_act_on(flag.tenant):
        raise FlagNotFound(f"No flag {flag_id}.")
    project = await session.get(Project, flag.project_id)
    section = await session.get(Section, flag.section_id)
    assert project is not None
    assert section is not None
    await collusion.decide(session, flag, project, section, confirm=confirm, note=body.note, now=now,
                           actor=actor_of(who))
    await session.commit()
    return flag_view(project, flag)


@router.post("/flags/{flag_id}/confirm", summary="Confirm a collusion flag", dependencies=[require_scopes(SUPERVISE)],
             responses=problem_responses(401, 403, 404, 409, 422))
async def confirm_flag(flag_id: str, body: FlagDecision, session: SessionDep, who: PrincipalDep,
                       clock: ClockDep) -> FlagRead:
    """Confirm a flag: credit records a bad behaviour for each enterprise named."""
    return await _decide(session, who, flag_id, body, confirm=True, now=clock.now())


@router.post("/flags/{flag_id}/dismiss", summary="Dismiss a collusion flag", dependencies=[require_scopes(SUPERVISE)],
             responses=problem_responses(401, 403, 404, 409, 422))
async def dismiss_flag(flag_id: str, body: FlagDecision, session: SessionDep, who: PrincipalDep,
                       clock: ClockDep) -> FlagRead:
    """Dismiss a flag with the supervisor's reasons."""
    return await _decide(session, who, flag_id, body, confirm=False, now=clock.now())


@router.get("/alerts", summary="What supervisors should look at", dependencies=[require_scopes(SUPERVISE)],
            responses=problem_responses(401, 403))
async def alerts(session: SessionDep, who: PrincipalDep, clock: ClockDep) -> list[dict[str, Any]]:
    """Open collusion flags, complaints past or near their deadline, objections unanswered for 3 days."""
    now = clock.now()
    out: list[dict[str, Any]] = []
    flags = await session.execute(_scoped(select(CollusionFlag, Project).join(Project, Project.id == CollusionFlag.project_id)
                                          .where(CollusionFlag.status == "open"), CollusionFlag.tenant, who))
    for flag, project in flags.all():
        out.append({"kind": "collusion_flag", "project_code": project.code, "id": flag.id, "screen": flag.screen,
                    "since": flag.created_at.isoformat()})
    complaints = await session.execute(_scoped(select(Complaint, Project).join(Project, Project.id == Complaint.project_id)
                                               .where(Complaint.status == "pending",
                                                      Complaint.due_at <= now + timedelta(days=3)), Complaint.tenant, who))
    for complaint, project in complaints.all():
        out.append({"kind": "complaint_overdue" if complaint.due_at <= now else "complaint_due",
                    "project_code": project.code, "id": complaint.id, "since": complaint.due_at.isoformat()})
    objections = await session.execute(_scoped(select(OpeningResponse, Project)
                                               .join(Project, Project.id == OpeningResponse.project_id)
                                               .where(OpeningResponse.kind == "objection", OpeningResponse.answer.is_(None),
                                                      OpeningResponse.at <= now - timedelta(days=3)), Project.tenant, who))
    for response, project in objections.all():
        out.append({"kind": "objection_unanswered", "project_code": project.code, "id": str(response.id),
                    "since": response.at.isoformat()})
    return out


@router.get("/stats", summary="Trading figures", dependencies=[require_scopes(SUPERVISE)],
            responses=problem_responses(401, 403, 422))
async def trading_stats(session: SessionDep, settings: SettingsDep, period: PeriodDep,
                        category: Category | None = None, level: Level | None = None) -> StatsRead:
    """Projects, budget and award totals, savings, savings rate and awards ≥ 30% below budget."""
    return await stats.compute(session, period, category=category, level=level,
                               risk_rate=settings.savings_risk_rate)
