"""The expert pool and each project's verifiable expert draw (see ``domain/experts.py``)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from bianmin.bidding.api.deps import SUPERVISE, WRITE
from bianmin.bidding.api.projects import managed, projects_get
from bianmin.bidding.domain import experts
from bianmin.bidding.domain.errors import DrawNotFound, DrawNotPublic
from bianmin.bidding.models import Expert, ExpertDraw, Project
from bianmin.bidding.schemas import DrawCommit, DrawRead, DrawVerification, ExpertCreate, ExpertRead
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import Principal, PrincipalDep, district_only, public, require_scopes

router = APIRouter(tags=["experts"])


def _sees_all(project: Project, who: Principal) -> bool:
    return (project.status in experts.PUBLIC_STATUSES or who.allows(SUPERVISE, project.tenant)
            or who.allows(WRITE, project.tenant))


def draw_view(project: Project, draw: ExpertDraw, *, full: bool) -> DrawRead:
    """A draw; its seed, snapshot and result only for those who may see them yet."""
    read = DrawRead(project_code=project.code, specialty=draw.specialty, count=draw.count,
                    seed_commitment=draw.seed_commitment, pool_digest=draw.pool_digest, committed_at=draw.committed_at,
                    seed=None, pool=None, recused_credit_codes=None, excluded=None, drawn=None, drawn_at=draw.drawn_at)
    if not full or draw.drawn is None:
        return read
    return read.model_copy(update={"seed": draw.seed, "pool": draw.pool, "recused_credit_codes": draw.recused_credit_codes,
                                   "excluded": draw.excluded, "drawn": draw.drawn})


@router.post("/experts", status_code=201, summary="Add an expert to the pool", dependencies=[require_scopes(WRITE), district_only()],
             responses=problem_responses(401, 403, 409, 422))
async def add_expert(body: ExpertCreate, session: SessionDep, idem: IdempotencyDep) -> ExpertRead:
    """Add an expert with specialties and affiliations (credit codes) to the district's pool."""
    expert = await experts.add_expert(session, body)
    return await idem.finish(session, ExpertRead.model_validate(expert))


@router.get("/experts", summary="The expert pool", dependencies=[require_scopes(WRITE)],
            responses=problem_responses(401, 403))
async def list_experts(session: SessionDep, specialty: str | None = None) -> list[ExpertRead]:
    """The pool's experts, optionally of one specialty."""
    rows = (await session.execute(select(Expert).order_by(Expert.code))).scalars()
    return [ExpertRead.model_validate(e) for e in rows if specialty is None or specialty in e.specialties]


@router.post("/experts/{code}/deactivate", summary="Take an expert out of future draws",
             dependencies=[require_scopes(WRITE), district_only()], responses=problem_responses(401, 403, 404))
async def deactivate_expert(code: str, session: SessionDep) -> ExpertRead:
    """Take an expert out of the pool for draws committed from now on (snapshots already taken keep them)."""
    expert = await experts.get_expert(session, code)
    expert.active = False
    await session.commit()
    return ExpertRead.model_validate(expert)


@router.post("/projects/{code}/experts/draw", status_code=201, summary="Commit to an expert draw",
             dependencies=[require_scopes(WRITE)], responses=problem_responses(401, 403, 404, 409, 422))
async def commit_draw(code: str, body: DrawCommit, session: SessionDep, who: PrincipalDep, idem: IdempotencyDep,
                      clock: ClockDep) -> DrawRead:
    """Commit to a sealed seed and freeze the pool snapshot before the opening."""
    project = await managed(session, code, who)
    draw = await experts.commit(session, project, specialty=body.specialty, count=body.count, now=clock.now())
    return await idem.finish(session, draw_view(project, draw, full=True))


@router.post("/projects/{code}/experts/draw/perform", summary="Make the committed draw",
             dependencies=[require_scopes(WRITE)], responses=problem_responses(401, 403, 404, 409))
async def perform_draw(code: str, session: SessionDep, who: PrincipalDep, clock: ClockDep) -> DrawRead:
    """Draw the committee after the deadline, recusing experts affiliated with a bidder or the tenderer."""
    project = await managed(session, code, who)
    draw = await experts.perform(session, project, now=clock.now())
    await session.commit()
    return draw_view(project, draw, full=True)


async def _draw(session: SessionDep, code: str, who: Principal) -> tuple[Project, ExpertDraw]:
    project = await projects_get(session, code, who)
    draw = await experts.draw_of(session, project)
    if draw is None:
        raise DrawNotFound(f"Project {code} has no expert draw.")
    return project, draw


@router.get("/projects/{code}/experts/draw", summary="A project's expert draw", responses=problem_responses(404),
            **public())
async def read_draw(code: str, session: SessionDep, who: PrincipalDep) -> DrawRead:
    """The draw's commitment for everyone; seed, snapshot and result once they may be seen."""
    project, draw = await _draw(session, code, who)
    return draw_view(project, draw, full=_sees_all(project, who))


@router.get("/projects/{code}/experts/draw/verify", summary="Recompute a revealed draw",
            responses=problem_responses(404, 409), **public())
async def verify_draw(code: str, session: SessionDep, who: PrincipalDep) -> DrawVerification:
    """Recompute the draw from its revealed seed, pool snapshot and recusals, and check the commitments."""
    project, draw = await _draw(session, code, who)
    if not _sees_all(project, who):
        raise DrawNotPublic("The committee stays undisclosed until evaluation is over.")
    return DrawVerification(project_code=project.code, **experts.verify_draw(draw))
