"""The expert pool and each project's verifiable expert draw (see ``domain/experts.py``)."""

from __future__ import annotations

from fastapi import APIRouter

from bianmin.bidding.api.deps import (
    AGENT,
    EVERYONE,
    POOL,
    SUPERVISE,
    SUPERVISE_DECIDE,
    SUPERVISOR_ROLE,
    TENDER_AGENT,
    WRITE,
    managed,
)
from bianmin.bidding.api.views import draw_view
from bianmin.bidding.domain import experts
from bianmin.bidding.domain.common import acting_id, get_visible
from bianmin.bidding.domain.errors import DrawNotPublic
from bianmin.bidding.models import Project
from bianmin.bidding.schemas import DeclineCreate, DrawCommit, DrawRead, DrawVerification, ExpertCreate, ExpertRead, SeedContribution
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import ScopeMissing, problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import Principal, PrincipalDep, district_only, public, require_scopes
from bianmin.kit.policy import district_role, ensure_role

router = APIRouter(tags=["experts"])
# The pool is the district's: a district-wide key, or a tender agent holding the role district-wide.
POOL_CHANGE = [require_scopes(WRITE), district_only(), POOL, district_role(TENDER_AGENT)]


def _sees_all(project: Project, who: Principal) -> bool:
    """Whether the caller sees the seed, snapshot and committee: the managing site and supervisors, or all once public."""
    return (project.status in experts.PUBLIC_STATUSES or who.allows(SUPERVISE, project.tenant)
            or who.allows(WRITE, project.tenant))


@router.post("/experts", status_code=201,
             summary="Add an expert to the pool", dependencies=POOL_CHANGE,
             responses=problem_responses(401, 403, 409, 422))
async def add_expert(body: ExpertCreate, session: SessionDep, idem: IdempotencyDep) -> ExpertRead:
    """Add an expert with specialties and affiliations (credit codes) to the district's pool."""
    expert = await experts.add_expert(session, body)
    return await idem.finish(session, ExpertRead.model_validate(expert))


@router.get("/experts", summary="The expert pool", dependencies=[require_scopes(WRITE), POOL],
            responses=problem_responses(401, 403))
async def list_experts(session: ReadSessionDep, specialty: str | None = None) -> list[ExpertRead]:
    """The pool's experts, optionally of one specialty."""
    return [ExpertRead.model_validate(e) for e in await experts.list_experts(session, specialty=specialty)]


@router.post("/experts/{code}/deactivate", summary="Take an expert out of future draws",
             dependencies=POOL_CHANGE, responses=problem_responses(401, 403, 404))
async def deactivate_expert(code: str, session: SessionDep) -> ExpertRead:
    """Take an expert out of the pool for draws committed from now on (snapshots already taken keep them)."""
    expert = await experts.deactivate(session, code)
    await session.commit()
    return ExpertRead.model_validate(expert)


@router.post("/projects/{code}/experts/draw", status_code=201, summary="Commit to an expert draw",
             dependencies=[require_scopes(WRITE), AGENT], responses=problem_responses(401, 403, 404, 409, 422))
async def commit_draw(code: str, body: DrawCommit, session: SessionDep, who: PrincipalDep, idem: IdempotencyDep,
                      clock: ClockDep) -> DrawRead:
    """Commit to a sealed seed and freeze the pool snapshot before the opening, for a committee §37 allows.

    招标投标法 §37: five or more members, an odd number, technical and economic experts at least two
    thirds; the tenderer names at most one representative beside the drawn experts.
    """
    project = await managed(session, code, who)
    draw = await experts.commit(session, project, specialty=body.specialty, count=body.count, now=clock.now(),
                                tenderer_representatives=body.tenderer_representatives)
    return await idem.finish(session, draw_view(project, draw, full=True))


@router.post("/projects/{code}/experts/draw/contribution", summary="A supervisor's seed for the draw",
             dependencies=[require_scopes(SUPERVISE), SUPERVISE_DECIDE], responses=problem_responses(401, 403, 404, 409, 422))
async def contribute_seed(code: str, body: SeedContribution, session: SessionDep, who: PrincipalDep,
                          clock: ClockDep) -> DrawRead:
    """Give the committed draw a seed the platform could not predict; the draw runs on both (see ``domain/experts.py``).

    The platform committed its own seed first, so it cannot grind seeds against this one, and the
    supervisor does not know the platform's, so neither chooses the committee.
    """
    project = await get_visible(session, code, who)
    ensure_role(who, SUPERVISOR_ROLE, project.site_code)
    if who.subject is None and not who.allows(SUPERVISE, project.tenant):
        raise ScopeMissing("A seed is contributed by supervision of the project's site.")
    draw = await experts.contribute(session, project, seed=body.seed, now=clock.now(), by=acting_id(who))
    await session.commit()
    return draw_view(project, draw, full=_sees_all(project, who), declines=await experts.declines_of(session, draw))


@router.post("/projects/{code}/experts/draw/perform", summary="Make the committed draw",
             dependencies=[require_scopes(WRITE), AGENT], responses=problem_responses(401, 403, 404, 409))
async def perform_draw(code: str, session: SessionDep, who: PrincipalDep, clock: ClockDep) -> DrawRead:
    """Draw the committee after the deadline, recusing experts affiliated with a bidder or the tenderer."""
    project = await managed(session, code, who)
    draw = await experts.perform(session, project, now=clock.now())
    await session.commit()
    return draw_view(project, draw, full=True)


@router.post("/projects/{code}/experts/draw/declines", summary="A drawn expert declines: substitute draw (补抽)",
             dependencies=[require_scopes(WRITE), AGENT], responses=problem_responses(401, 403, 404, 409, 422))
async def decline_expert(code: str, body: DeclineCreate, session: SessionDep, who: PrincipalDep,
                         clock: ClockDep) -> DrawRead:
    """Log a drawn expert's decline (who, when, why, recorded by whom) and seat the next expert of the seed order.

    The substitute comes from the same committed seed and pool snapshot, so the decline log lets anyone
    replay it (``/verify``); the platform picks no one by hand.
    """
    project = await managed(session, code, who)
    draw = await experts.decline(session, project, expert_code=body.expert_code, reason=body.reason, now=clock.now(),
                                 recorded_by=acting_id(who))
    await session.commit()
    return draw_view(project, draw, full=True, declines=await experts.declines_of(session, draw))


@router.get("/projects/{code}/experts/draw", dependencies=[EVERYONE], summary="A project's expert draw", responses=problem_responses(404),
            **public())
async def read_draw(code: str, session: ReadSessionDep, who: PrincipalDep) -> DrawRead:
    """The draw's commitment for everyone; seed, snapshot and result once they may be seen."""
    project = await get_visible(session, code, who)
    draw = await experts.draw_for(session, project)
    return draw_view(project, draw, full=_sees_all(project, who), declines=await experts.declines_of(session, draw))


@router.get("/projects/{code}/experts/draw/verify", dependencies=[EVERYONE], summary="Recompute a revealed draw",
            responses=problem_responses(404, 409), **public())
async def verify_draw(code: str, session: ReadSessionDep, who: PrincipalDep) -> DrawVerification:
    """Recompute the draw from its revealed seed, pool snapshot and recusals, and check the commitments."""
    project = await get_visible(session, code, who)
    draw = await experts.draw_for(session, project)
    if not _sees_all(project, who):
        raise DrawNotPublic("The committee stays undisclosed until evaluation is over.")
    return DrawVerification(project_code=project.code,
                            **experts.verify_draw(draw, await experts.declines_of(session, draw)))
