"""Tenders: create, read, publish, close, cancel, invite and escrow keys (direct-contract filings: ``api/filings.py``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bianmin.bidding.api.deps import AGENT, EVERYONE, TENDER_AGENT, WRITE, SettingsDep, managed
from bianmin.bidding.domain import escrow, projects
from bianmin.bidding.domain.common import actor_of, get_visible
from bianmin.bidding.schemas import (
    EscrowIssued,
    EscrowSetup,
    InvitationCreate,
    ProjectCreate,
    ProjectRead,
    TransitionRead,
    TransitionRequest,
)
from bianmin.bidding.schemas.projects import AnyMethod, Category, Level, Status
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import Unprocessable, problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import PrincipalDep, public, require_scopes
from bianmin.kit.pagination import Page, PageDep
from bianmin.kit.policy import app, ensure_role, policy, staff

router = APIRouter(tags=["projects"])


@router.post("/projects", status_code=201, summary="Create a tender (draft)", dependencies=[require_scopes(WRITE), AGENT],
             responses=problem_responses(401, 403, 409, 422))
async def create_project(body: ProjectCreate, session: SessionDep, who: PrincipalDep, idem: IdempotencyDep,
                         clock: ClockDep, settings: SettingsDep) -> ProjectRead:
    """Create a tender as a draft with its sections, timetable and evaluation method.

    A tender bound by law (依法必须招标) closes at least 20 days after publication (招标投标法 §24).
    """
    ensure_role(who, TENDER_AGENT, body.site_code)
    project = await projects.create(session, body, now=clock.now(), by=who, settings=settings)
    return await idem.finish(session, ProjectRead.model_validate(project))


@router.get("/projects", dependencies=[EVERYONE], summary="List tenders", responses=problem_responses(422), **public())
async def list_projects(session: ReadSessionDep, who: PrincipalDep, page: PageDep,
                        status: Status | None = None, category: Category | None = None, level: Level | None = None,
                        site_code: Annotated[str | None, Query(max_length=20)] = None,
                        method: AnyMethod | None = None) -> Page[ProjectRead]:
    """Published tenders and direct-contract filings for everyone, drafts for their own site; by method on request."""
    rows, cursor = await projects.list_page(session, page, who=who, status=status, category=category, level=level,
                                            site_code=site_code, method=method)
    return Page(items=[ProjectRead.model_validate(p) for p in rows], next_cursor=cursor)


@router.get("/projects/{code}", dependencies=[EVERYONE], summary="Read a tender", responses=problem_responses(404), **public())
async def read_project(code: str, session: ReadSessionDep, who: PrincipalDep) -> ProjectRead:
    """A tender with its sections and status."""
    return ProjectRead.model_validate(await get_visible(session, code, who))


@router.get("/projects/{code}/transitions", dependencies=[EVERYONE], summary="A tender's status history", responses=problem_responses(404),
            **public())
async def project_transitions(code: str, session: ReadSessionDep, who: PrincipalDep) -> list[TransitionRead]:
    """Every recorded status change of a tender, oldest first."""
    project = await get_visible(session, code, who)
    return [TransitionRead.model_validate(r) for r in await projects.transitions_of(session, project)]


@router.post("/projects/{code}/publish", summary="Publish a tender", dependencies=[require_scopes(WRITE), AGENT],
             responses=problem_responses(401, 403, 404, 409, 422))
async def publish_project(code: str, session: SessionDep, who: PrincipalDep, clock: ClockDep,
                          settings: SettingsDep) -> ProjectRead:
    """Publish a draft: bidders may register and bid until the deadline, which leaves the tender's period (§24)."""
    project = await managed(session, code, who)
    await projects.publish(session, project, now=clock.now(), actor=actor_of(who), settings=settings)
    await session.commit()
    return ProjectRead.model_validate(project)


@router.post("/projects/{code}/close", summary="Close bidding at the deadline", dependencies=[require_scopes(WRITE), AGENT],
             responses=problem_responses(401, 403, 404, 409))
async def close_project(code: str, session: SessionDep, who: PrincipalDep, clock: ClockDep) -> ProjectRead:
    """Close a published tender whose deadline has passed (the worker does this by itself too)."""
    project = await managed(session, code, who)
    await projects.close(session, project, now=clock.now(), actor=actor_of(who))
    await session.commit()
    return ProjectRead.model_validate(project)


@router.post("/projects/{code}/cancel", summary="Cancel a tender", dependencies=[require_scopes(WRITE), AGENT],
             responses=problem_responses(401, 403, 404, 409, 422))
async def cancel_project(code: str, body: TransitionRequest, session: SessionDep, who: PrincipalDep,
                         clock: ClockDep) -> ProjectRead:
    """Cancel a tender before its opening, giving the reason."""
    project = await managed(session, code, who)
    if not body.reason.strip():
        raise Unprocessable.field("reason", "a cancellation states its reason")
    await projects.cancel(session, project, now=clock.now(), actor=actor_of(who), reason=body.reason)
    await session.commit()
    return ProjectRead.model_validate(project)


@router.post("/projects/{code}/invitations", summary="Invite enterprises", dependencies=[require_scopes(WRITE), AGENT],
             responses=problem_responses(401, 403, 404, 409, 422))
async def invite(code: str, body: InvitationCreate, session: SessionDep, who: PrincipalDep,
                 clock: ClockDep) -> dict[str, int]:
    """Invite more enterprises to an invited tender before its deadline."""
    project = await managed(session, code, who)
    added = await projects.invite(session, project, body.credit_codes, now=clock.now())
    await session.commit()
    return {"invited": added}


@router.post("/projects/{code}/escrow", summary="Split a fresh escrow key among custodians",
             dependencies=[require_scopes(WRITE), policy(staff(TENDER_AGENT), app())],
             responses=problem_responses(401, 403, 404, 409, 422))
async def issue_escrow(code: str, body: EscrowSetup, session: SessionDep, who: PrincipalDep,
                       clock: ClockDep) -> EscrowIssued:
    """Create the tender's escrow key pair and seal each named custodian's share to their key; the answer holds none.

    《电子招标投标办法》 keeps bids secret until the opening: whoever asks for the split must not
    hold k shares, so the agent names distinct custodian accounts and gets back no share at all.
    """
    project = await managed(session, code, who)
    await escrow.issue_key(session, project, threshold=body.threshold, custodians=body.custodians, now=clock.now())
    await session.commit()
    assert project.escrow_public_key is not None
    return EscrowIssued(public_key=project.escrow_public_key, threshold=body.threshold, custodians=body.custodians)
