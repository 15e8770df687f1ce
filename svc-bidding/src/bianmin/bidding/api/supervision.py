"""Supervision: collusion flags, each named bidder's hearing (陈述申辩) and the decision on it, re-runs of the
screens and rotation over chosen sections (every run recorded), the supervisors' alert list and figures
(see ``domain/collusion.py``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from bianmin.bidding.api.deps import BID, BIDDER, SUPERVISE, SUPERVISE_DECIDE, SUPERVISOR_ROLE, WATCH, SettingsDep
from bianmin.bidding.api.views import flag_view, hearing_view
from bianmin.bidding.domain import alerts as alert_list
from bianmin.bidding.domain import collusion, stats
from bianmin.bidding.domain.common import get_visible
from bianmin.bidding.domain.screens import Thresholds
from bianmin.bidding.models import CollusionFlag, Project, Section
from bianmin.bidding.schemas import (
    BidderHearingRead,
    FlagDecision,
    FlagRead,
    HearingOpen,
    HearingStatement,
    RotationScreen,
    ScreenRerun,
    ScreenRunRead,
    StatsRead,
)
from bianmin.bidding.schemas.projects import Category, Level
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import Unprocessable, problem_responses
from bianmin.kit.identity import Principal, PrincipalDep, ensure_tenant, require_scopes
from bianmin.kit.policy import ensure_role
from bianmin.kit.schemas import CreditCode
from bianmin.kit.stats import PeriodDep

router = APIRouter(tags=["supervision"])


@router.get("/flags", summary="Collusion flags", dependencies=[require_scopes(SUPERVISE), WATCH],
            responses=problem_responses(401, 403, 422))
async def list_flags(session: ReadSessionDep, who: PrincipalDep,
                     status: Literal["open", "confirmed", "dismissed"] | None = None,
                     project_code: Annotated[str | None, Query(max_length=40)] = None) -> list[FlagRead]:
    """The collusion flags of the supervisor's sites, newest first, each with its bidders' hearings."""
    rows = await collusion.list_flags(session, who, status=status, project_code=project_code)
    hearings = await collusion.hearings_of(session, [flag.id for flag, _ in rows])
    return [flag_view(project, flag, hearings[flag.id]) for flag, project in rows]


async def _flag(session: SessionDep, who: Principal, flag_id: str) -> tuple[CollusionFlag, Project, Section]:
    flag, project, section = await collusion.get_flag(session, flag_id, who)
    ensure_role(who, SUPERVISOR_ROLE, project.site_code)
    return flag, project, section


async def _answer(session: SessionDep, flag: CollusionFlag, project: Project) -> FlagRead:
    hearings = await collusion.hearings_of(session, [flag.id])
    await session.commit()
    return flag_view(project, flag, hearings[flag.id])


@router.post("/flags/{flag_id}/hearings", status_code=201, summary="Give a bidder its hearing (陈述申辩)",
             dependencies=[require_scopes(SUPERVISE), SUPERVISE_DECIDE], responses=problem_responses(401, 403, 404, 409, 422))
async def open_hearing(flag_id: str, body: HearingOpen, session: SessionDep, who: PrincipalDep, clock: ClockDep,
                       settings: SettingsDep) -> FlagRead:
    """Tell one bidder the flag names the facts, reasons and grounds, and give it until the end of the
    ``collusion_hearing_workdays``-th working day to state its case (行政处罚法 §44-45); its app hears of it
    (``bidding.collusion.hearing_opened``)."""
    flag, project, section = await _flag(session, who, flag_id)
    await collusion.open_hearing(session, flag, project, section, credit_code=body.credit_code, notice=body.notice,
                                 now=clock.now(), by=who, settings=settings)
    return await _answer(session, flag, project)


@router.post("/flags/{flag_id}/bidders/{credit_code}/confirm", summary="Confirm collusion of one bidder",
             dependencies=[require_scopes(SUPERVISE), SUPERVISE_DECIDE], responses=problem_responses(401, 403, 404, 409, 422))
async def confirm_bidder(flag_id: str, credit_code: str, body: FlagDecision, session: SessionDep, who: PrincipalDep,
                         clock: ClockDep) -> FlagRead:
    """Confirm one bidder of a flag once it was heard (its statement is in, or its deadline passed; 409 before):
    credit records a bad behaviour for that bidder alone."""
    flag, project, section = await _flag(session, who, flag_id)
    await collusion.decide_bidder(session, flag, project, section, credit_code=credit_code, confirm=True,
                                  note=body.note, now=clock.now(), by=who)
    return await _answer(session, flag, project)


@router.post("/flags/{flag_id}/bidders/{credit_code}/clear", summary="Clear one bidder of a flag",
             dependencies=[require_scopes(SUPERVISE), SUPERVISE_DECIDE], responses=problem_responses(401, 403, 404, 409, 422))
async def clear_bidder(flag_id: str, credit_code: str, body: FlagDecision, session: SessionDep, who: PrincipalDep,
                       clock: ClockDep) -> FlagRead:
    """Clear one bidder of a flag after opening its hearing: nothing is recorded against it."""
    flag, project, section = await _flag(session, who, flag_id)
    await collusion.decide_bidder(session, flag, project, section, credit_code=credit_code, confirm=False,
                                  note=body.note, now=clock.now(), by=who)
    return await _answer(session, flag, project)


@router.post("/flags/{flag_id}/dismiss", summary="Dismiss a collusion flag", dependencies=[require_scopes(SUPERVISE), SUPERVISE_DECIDE],
             responses=problem_responses(401, 403, 404, 409, 422))
async def dismiss_flag(flag_id: str, body: FlagDecision, session: SessionDep, who: PrincipalDep,
                       clock: ClockDep) -> FlagRead:
    """Dismiss a whole flag with the supervisor's reasons, while no bidder of it is confirmed."""
    flag, project, _ = await _flag(session, who, flag_id)
    await collusion.dismiss(session, flag, note=body.note, now=clock.now(), by=who)
    return await _answer(session, flag, project)


@router.get("/collusion-hearings", summary="A bidder's hearings on collusion flags", dependencies=[require_scopes(BID), BIDDER],
            responses=problem_responses(401, 403, 422))
async def bidder_hearings(credit_code: Annotated[CreditCode, Query()], session: ReadSessionDep,
                          who: PrincipalDep) -> list[BidderHearingRead]:
    """The hearings an enterprise was given, newest first, to its own account or app only: what it is told, by
    when it may answer, what it answered and what was decided."""
    return [BidderHearingRead(flag_id=flag.id, project_code=project.code, section_code=section.code, screen=flag.screen,
                              evidence=flag.evidence, credit_codes=flag.credit_codes, hearing=hearing_view(hearing))
            for hearing, flag, project, section in await collusion.hearings_for_bidder(session, credit_code, who)]


@router.post("/flags/{flag_id}/hearings/{credit_code}/statement", summary="State a bidder's case (陈述申辩)",
             dependencies=[require_scopes(BID), BIDDER], responses=problem_responses(401, 403, 404, 409, 422))
async def state_case(flag_id: str, credit_code: str, body: HearingStatement, session: SessionDep, who: PrincipalDep,
                     clock: ClockDep) -> BidderHearingRead:
    """The bidder's own account or app states its case before the hearing's deadline; once, and not after it."""
    flag = await collusion.flag_for_bidder(session, flag_id, credit_code, who)
    hearing = await collusion.answer_hearing(session, flag, credit_code=credit_code, statement=body.statement,
                                             now=clock.now(), by=who)
    _, project, section = await collusion.get_flag_of(session, flag)
    await session.commit()
    return BidderHearingRead(flag_id=flag.id, project_code=project.code, section_code=section.code, screen=flag.screen,
                             evidence=flag.evidence, credit_codes=flag.credit_codes, hearing=hearing_view(hearing))


@router.post("/projects/{code}/screen-runs", status_code=201, summary="Run the collusion screens again",
             dependencies=[require_scopes(SUPERVISE), SUPERVISE_DECIDE], responses=problem_responses(401, 403, 404, 409, 422))
async def rerun_screens(code: str, body: ScreenRerun, session: SessionDep, who: PrincipalDep,
                        clock: ClockDep) -> ScreenRunRead:
    """Run every screen again on an opened tender with the supervisor's thresholds; the run is recorded with the
    flags it raised and those it found again."""
    project = await get_visible(session, code, who)
    ensure_tenant(who, project.tenant)
    ensure_role(who, SUPERVISOR_ROLE, project.site_code)
    t = Thresholds(cv_max=body.cv_max, rd_min=body.rd_min, gap_cv_max=body.gap_cv_max, min_bids=body.min_bids,
                   min_gaps=body.min_gaps)
    run = await collusion.rerun(session, project, t, now=clock.now(), by=who, note=body.note)
    await session.commit()
    return ScreenRunRead.model_validate(run, from_attributes=True)


@router.post("/rotation-screens", status_code=201, summary="Screen chosen sections for rotation",
             dependencies=[require_scopes(SUPERVISE), SUPERVISE_DECIDE], responses=problem_responses(401, 403, 404, 409, 422))
async def rotation_screen(body: RotationScreen, session: SessionDep, who: PrincipalDep, clock: ClockDep,
                          settings: SettingsDep) -> ScreenRunRead:
    """Screen sections of opened tenders, in the order they opened, for a ring that won them strictly in turn
    (``screens.rotation``); the run is recorded, and a flag is kept on the latest section."""
    refs = [(ref.project_code, ref.section_code) for ref in body.sections]
    if len(set(refs)) != len(refs):
        raise Unprocessable.field("sections", "a section is named twice")
    run = await collusion.rotation_run(session, refs, body.alpha or settings.rotation_alpha, now=clock.now(), by=who,
                                       note=body.note, ensure=lambda site: ensure_role(who, SUPERVISOR_ROLE, site))
    await session.commit()
    return ScreenRunRead.model_validate(run, from_attributes=True)


@router.get("/screen-runs", summary="Recorded runs of the collusion screens", dependencies=[require_scopes(SUPERVISE), WATCH],
            responses=problem_responses(401, 403, 422))
async def list_screen_runs(session: ReadSessionDep, who: PrincipalDep,
                           project_code: Annotated[str | None, Query(max_length=40)] = None) -> list[ScreenRunRead]:
    """Every run of the screens on the supervisor's sites, newest first: who ran it, when, with which
    thresholds, over which sections, and which flags it raised."""
    return [ScreenRunRead.model_validate(run, from_attributes=True)
            for run in await collusion.list_runs(session, who, project_code=project_code)]


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
