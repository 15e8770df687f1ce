"""Evaluation, publicity, award, defaults and contracts."""

from __future__ import annotations

from fastapi import APIRouter

from bianmin.bidding.api.deps import (
    AGENT,
    AGENT_OR_SUPERVISOR,
    WRITE,
    SettingsDep,
    ensure_agent_or_supervisor,
    managed,
)
from bianmin.bidding.api.views import bid_view, section_code
from bianmin.bidding.domain import archiving, evaluation, experts, low_prices
from bianmin.bidding.domain.common import actor_of, get_visible, section_of
from bianmin.bidding.schemas import (
    BidRead,
    DecisionRead,
    DefaultCreate,
    LowPriceDecisionCreate,
    ProjectRead,
    RejectionCreate,
    ScoreCreate,
    ScoreRevisionRead,
)
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.identity import PrincipalDep, require_scopes
from bianmin.kit.policy import expert, policy

router = APIRouter(tags=["evaluation"])


@router.post("/projects/{code}/evaluation/start", summary="Begin evaluation", dependencies=[require_scopes(WRITE), AGENT],
             responses=problem_responses(401, 403, 404, 409))
async def start_evaluation(code: str, session: SessionDep, who: PrincipalDep, clock: ClockDep,
                           settings: SettingsDep) -> ProjectRead:
    """Begin (or, after an upheld objection in publicity, resume) the evaluation."""
    project = await managed(session, code, who)
    await evaluation.start(session, project, now=clock.now(), actor=actor_of(who), settings=settings)
    await session.commit()
    return ProjectRead.model_validate(project)


@router.post("/projects/{code}/evaluation/scores", summary="Enter the signed-in expert's own technical score",
             dependencies=[policy(expert(second_factor=True))], responses=problem_responses(401, 403, 404, 409, 422))
async def record_score(code: str, body: ScoreCreate, session: SessionDep, who: PrincipalDep,
                       clock: ClockDep) -> dict[str, str]:
    """Record the signed-in drawn expert's score of a valid bid; a change needs a reason and is kept in the history.

    招标投标法 §44: each expert evaluates personally; the expert is the account that signed in with a
    second factor, never a code a clerk types.
    """
    assert who.subject is not None  # the policy admits expert accounts only
    project = await get_visible(session, code, who)
    draw = await experts.draw_of(session, project)
    await evaluation.add_score(session, project, bid_id=body.bid_id, expert_code=who.subject.id, score=body.score,
                               reason=body.reason, now=clock.now(), drawn=draw.drawn if draw is not None else None,
                               via_app=actor_of(who))
    await session.commit()
    return {"status": "recorded"}


@router.get("/projects/{code}/evaluation/scores/revisions", summary="The history of every expert score",
            dependencies=[AGENT_OR_SUPERVISOR], responses=problem_responses(401, 403, 404))
async def list_score_revisions(code: str, session: ReadSessionDep, who: PrincipalDep) -> list[ScoreRevisionRead]:
    """Who entered or changed which score, when, from what to what and why: for supervisors and the tender agent.

    Scores stay within the committee, the tender agent and supervision until the candidates are
    publicised (招标投标法 §44: evaluation is kept confidential), so nobody else reads the history.
    """
    project = await get_visible(session, code, who)
    ensure_agent_or_supervisor(who, project, "The score history")
    return [ScoreRevisionRead.model_validate(r, from_attributes=True)
            for r in await evaluation.score_revisions(session, project)]


@router.post("/projects/{code}/evaluation/publicise", summary="Rank and publicise the winning candidates",
             dependencies=[require_scopes(WRITE), AGENT], responses=problem_responses(401, 403, 404, 409))
async def publicise(code: str, session: SessionDep, who: PrincipalDep, clock: ClockDep,
                    settings: SettingsDep) -> ProjectRead:
    """Rank the valid bids and publicise the candidates for the tender's publicity days."""
    project = await managed(session, code, who)
    await evaluation.publicise(session, project, now=clock.now(), actor=actor_of(who), settings=settings)
    await session.commit()
    return ProjectRead.model_validate(project)


@router.post("/projects/{code}/award", summary="Award the tender", dependencies=[require_scopes(WRITE), AGENT],
             responses=problem_responses(401, 403, 404, 409))
async def award(code: str, session: SessionDep, who: PrincipalDep, clock: ClockDep) -> ProjectRead:
    """Award each live section to its first candidate after publicity, objections and complaints."""
    project = await managed(session, code, who)
    await evaluation.award(session, project, now=clock.now(), actor=actor_of(who))
    await session.commit()
    return ProjectRead.model_validate(project)


@router.post("/projects/{code}/defaults", status_code=201, summary="Record a bidder's default",
             dependencies=[require_scopes(WRITE), AGENT], responses=problem_responses(401, 403, 404, 409, 422))
async def record_default(code: str, body: DefaultCreate, session: SessionDep, who: PrincipalDep,
                         clock: ClockDep, settings: SettingsDep) -> dict[str, str]:
    """Record a default (declining the award, refusing to sign, no performance bond, ...) and announce it.

    A winner's default lets the award pass to the next candidate (实施条例 §55, ``award/next``).
    """
    project = await managed(session, code, who)
    await evaluation.record_default(session, project, section_of(project, body.section_code),
                                    credit_code=body.credit_code, reason=body.reason, detail=body.detail,
                                    now=clock.now(), actor=actor_of(who))
    await archiving.amend(session, project, reason=f"default of {body.credit_code} in section {body.section_code}",
                          now=clock.now(), settings=settings)
    await session.commit()
    return {"status": "recorded"}


@router.post("/projects/{code}/sections/{section}/contract", summary="Record the signed contract",
             dependencies=[require_scopes(WRITE), AGENT], responses=problem_responses(401, 403, 404, 409))
async def sign_contract(code: str, section: str, session: SessionDep, who: PrincipalDep,
                        clock: ClockDep, settings: SettingsDep) -> ProjectRead:
    """Record that the contract with the winner was signed; an archived project gets a new signed archive version."""
    project = await managed(session, code, who)
    await evaluation.sign_contract(session, project, section_of(project, section), now=clock.now())
    await archiving.amend(session, project, reason=f"contract signed for section {section}", now=clock.now(),
                          settings=settings)
    await session.commit()
    return ProjectRead.model_validate(project)


@router.post("/projects/{code}/sections/{section}/rejection", summary="The committee rejects every bid of a section",
             dependencies=[require_scopes(WRITE), AGENT], responses=problem_responses(401, 403, 404, 409, 422))
async def reject_all(code: str, section: str, body: RejectionCreate, session: SessionDep, who: PrincipalDep,
                     clock: ClockDep) -> ProjectRead:
    """Record the committee's rejection of every bid (招标投标法 §42) with its reasons: the section fails.

    The tender agent records the decision the committee signed in its report; the tender fails when
    no section is left, and the section is tendered again.
    """
    project = await managed(session, code, who)
    await evaluation.reject_all(session, project, section_of(project, section), reason=body.reason, now=clock.now(),
                                actor=actor_of(who))
    await session.commit()
    return ProjectRead.model_validate(project)


@router.post("/projects/{code}/bids/{bid_id}/low-price", summary="Decide on an abnormally low price",
             dependencies=[require_scopes(WRITE), AGENT], responses=problem_responses(401, 403, 404, 409, 422))
async def decide_low_price(code: str, bid_id: str, body: LowPriceDecisionCreate, session: SessionDep,
                           who: PrincipalDep, clock: ClockDep) -> BidRead:
    """Record the committee's decision on a flagged price after the bidder's explanation (实施条例 §51(5))."""
    project = await managed(session, code, who)
    bid = await low_prices.decide(session, project, bid_id, decision=body.decision,
                                            explanation=body.explanation, reason=body.reason, now=clock.now(),
                                            actor=actor_of(who))
    await session.commit()
    return bid_view(project, bid, opened=True)


@router.post("/projects/{code}/sections/{section}/award/next", summary="Award the next candidate after the winner's default",
             dependencies=[require_scopes(WRITE), AGENT], responses=problem_responses(401, 403, 404, 409))
async def award_next_candidate(code: str, section: str, session: SessionDep, who: PrincipalDep,
                               clock: ClockDep, settings: SettingsDep) -> ProjectRead:
    """Award the section to the next publicised candidate in ranking order once the winner's default is recorded (§55)."""
    project = await managed(session, code, who)
    await evaluation.next_candidate(session, project, section_of(project, section), now=clock.now(),
                                    actor=actor_of(who))
    await archiving.amend(session, project, reason=f"section {section} awarded to the next candidate", now=clock.now(),
                          settings=settings)
    await session.commit()
    return ProjectRead.model_validate(project)


@router.get("/projects/{code}/evaluation/decisions", summary="The committee's and the tenderer's recorded decisions",
            dependencies=[AGENT_OR_SUPERVISOR], responses=problem_responses(401, 403, 404))
async def list_decisions(code: str, session: ReadSessionDep, who: PrincipalDep) -> list[DecisionRead]:
    """Every rejection, low-price decision, winner's default and award to the next candidate, with reasons.

    Kept to the managing site and supervision like the score history (招标投标法 §44).
    """
    project = await get_visible(session, code, who)
    ensure_agent_or_supervisor(who, project, "The evaluation decisions")
    return [DecisionRead(section_code=section_code(project, d.section_id), kind=d.kind, credit_code=d.credit_code,
                         reason=d.reason, detail=d.detail, actor=d.actor, at=d.at)
            for d in await evaluation.decisions(session, project)]
