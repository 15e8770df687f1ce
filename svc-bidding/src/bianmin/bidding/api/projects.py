"""Tenders: create, read, publish, close, cancel, invite, escrow keys and direct-contract filings."""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import or_, select

from bianmin.bidding import shamir
from bianmin.bidding.api.deps import WRITE, SettingsDep
from bianmin.bidding.domain import projects
from bianmin.bidding.domain.common import actor_of, get_project
from bianmin.bidding.domain.errors import ProjectNotFound, ProjectStatusForbids
from bianmin.bidding.models import Project, ProjectTransition
from bianmin.bidding.schemas import (
    DirectContractCreate,
    EscrowIssued,
    EscrowSetup,
    InvitationCreate,
    ProjectCreate,
    ProjectRead,
    TransitionRead,
    TransitionRequest,
)
from bianmin.bidding.schemas.projects import Category, Level, Status
from bianmin.bidding.sealing import generate_escrow_keypair
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import Unprocessable, problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import Principal, PrincipalDep, ensure_tenant, public, require_scopes
from bianmin.kit.pagination import Page, PageDep

router = APIRouter(tags=["projects"])


def visible(project: Project, who: Principal) -> bool:
    """Drafts are seen by their own site only; everything else is public."""
    return project.status != "draft" or who.may_act_on(project.tenant)


async def managed(session: SessionDep, code: str, who: Principal) -> Project:
    """A project the principal's site manages (403 for another site's)."""
    project = await projects_get(session, code, who)
    ensure_tenant(who, project.tenant)
    return project


async def projects_get(session: SessionDep, code: str, who: Principal) -> Project:
    """A project the principal may see; 404 for another site's draft."""
    project = await get_project(session, code)
    if not visible(project, who):
        raise ProjectNotFound(f"No project {code}.")
    return project


@router.post("/projects", status_code=201, summary="Create a tender (draft)", dependencies=[require_scopes(WRITE)],
             responses=problem_responses(401, 403, 409, 422))
async def create_project(body: ProjectCreate, session: SessionDep, who: PrincipalDep, idem: IdempotencyDep,
                         clock: ClockDep) -> ProjectRead:
    """Create a tender as a draft with its sections, timetable and evaluation method."""
    project = await projects.create(session, body, now=clock.now(), by=who)
    return await idem.finish(session, ProjectRead.model_validate(project))


@router.get("/projects", summary="List tenders", responses=problem_responses(422), **public())
async def list_projects(session: SessionDep, who: PrincipalDep, page: PageDep,
                        status: Status | None = None, category: Category | None = None, level: Level | None = None,
                        site_code: Annotated[str | None, Query(max_length=20)] = None) -> Page[ProjectRead]:
    """Published tenders for everyone; drafts for their own site."""
    statement = select(Project).order_by(Project.id.desc()).limit(page.limit + 1)
    if not who.district_wide:
        statement = statement.where(or_(Project.status != "draft", Project.tenant == (who.tenant or "-")))
    for column, value in ((Project.status, status), (Project.category, category), (Project.level, level),
                          (Project.site_code, site_code)):
        if value is not None:
            statement = statement.where(column == value)
    if page.after:
        if not isinstance(page.after[0], int):
            raise Unprocessable.field("cursor", "is not a cursor this API issued")
        statement = statement.where(Project.id < page.after[0])
    rows = list((await session.execute(statement)).scalars())
    rows, cursor = page.cut(rows, lambda last: [last.id])
    return Page(items=[ProjectRead.model_validate(p) for p in rows],
                next_cursor=cursor)


@router.get("/projects/{code}", summary="Read a tender", responses=problem_responses(404), **public())
async def read_project(code: str, session: SessionDep, who: PrincipalDep) -> ProjectRead:
    """A tender with its sections and status."""
    return ProjectRead.model_validate(await projects_get(session, code, who))


@router.get("/projects/{code}/transitions", summary="A tender's status history", responses=problem_responses(404),
            **public())
async def project_transitions(code: str, session: SessionDep, who: PrincipalDep) -> list[TransitionRead]:
    """Every recorded status change of a tender, oldest first."""
    project = await projects_get(session, code, who)
    rows = (await session.execute(select(ProjectTransition).where(ProjectTransition.project_id == project.id)
                                  .order_by(ProjectTransition.id))).scalars()
    return [TransitionRead.model_validate(r) for r in rows]


@router.post("/projects/{code}/publish", summary="Publish a tender", dependencies=[require_scopes(WRITE)],
             responses=problem_responses(401, 403, 404, 409))
async def publish_project(code: str, session: SessionDep, who: PrincipalDep, clock: ClockDep) -> ProjectRead:
    """Publish a draft: bidders may register and bid until the deadline."""
    project = await managed(session, code, who)
    await projects.publish(session, project, now=clock.now(), actor=actor_of(who))
    await session.commit()
    return ProjectRead.model_validate(project)


@router.post("/projects/{code}/close", summary="Close bidding at the deadline", dependencies=[require_scopes(WRITE)],
             responses=problem_responses(401, 403, 404, 409))
async def close_project(code: str, session: SessionDep, who: PrincipalDep, clock: ClockDep) -> ProjectRead:
    """Close a published tender whose deadline has passed (the worker does this by itself too)."""
    project = await managed(session, code, who)
    await projects.close(session, project, now=clock.now(), actor=actor_of(who))
    await session.commit()
    return ProjectRead.model_validate(project)


@router.post("/projects/{code}/cancel", summary="Cancel a tender", dependencies=[require_scopes(WRITE)],
             responses=problem_responses(401, 403, 404, 409, 422))
async def cancel_project(code: str, body: TransitionRequest, session: SessionDep, who: PrincipalDep,
                         clock: ClockDep) -> ProjectRead:
    """Cancel a tender before its opening, giving the reason."""
    project = await managed(session, code, who)
    if not body.reason.strip():
        raise Unprocessable.field("reason", "a cancellation states its reason")
    await projects.transition(session, project, "cancelled", now=clock.now(), actor=actor_of(who), reason=body.reason)
    await session.commit()
    return ProjectRead.model_validate(project)


@router.post("/projects/{code}/invitations", summary="Invite enterprises", dependencies=[require_scopes(WRITE)],
             responses=problem_responses(401, 403, 404, 409, 422))
async def invite(code: str, body: InvitationCreate, session: SessionDep, who: PrincipalDep,
                 clock: ClockDep) -> dict[str, int]:
    """Invite more enterprises to an invited tender before its deadline."""
    project = await managed(session, code, who)
    added = await projects.invite(session, project, body.credit_codes, now=clock.now())
    await session.commit()
    return {"invited": added}


@router.post("/projects/{code}/escrow", summary="Split a fresh escrow key among custodians",
             dependencies=[require_scopes(WRITE)], responses=problem_responses(401, 403, 404, 409, 422))
async def issue_escrow(code: str, body: EscrowSetup, session: SessionDep, who: PrincipalDep) -> EscrowIssued:
    """Create the tender's escrow key pair and hand each custodian a share; the private key is not kept."""
    project = await managed(session, code, who)
    if project.status != "draft":
        raise ProjectStatusForbids("The escrow key is set while the tender is a draft.")
    if len(set(body.custodians)) != len(body.custodians):
        raise Unprocessable.field("custodians", "must be distinct")
    if body.threshold > len(body.custodians):
        raise Unprocessable.field("threshold", "cannot exceed the number of custodians")
    private, public_key = generate_escrow_keypair()
    shares = shamir.split(private, threshold=body.threshold, shares=len(body.custodians))
    project.escrow_public_key = base64.b64encode(public_key).decode()
    project.escrow_threshold, project.escrow_custodians = body.threshold, list(body.custodians)
    await session.commit()
    return EscrowIssued(public_key=project.escrow_public_key, threshold=body.threshold,
                        shares=dict(zip(body.custodians, shares, strict=True)))


@router.post("/direct-contracts", status_code=201, summary="File a direct contract",
             dependencies=[require_scopes(WRITE)], responses=problem_responses(401, 403, 409, 422))
async def file_direct_contract(body: DirectContractCreate, session: SessionDep, who: PrincipalDep,
                               idem: IdempotencyDep, clock: ClockDep, settings: SettingsDep) -> ProjectRead:
    """File a direct contract (直接发包) under the threshold, refusing contracts split to stay under it."""
    project = await projects.file_direct(session, body, now=clock.now(), by=who, settings=settings)
    return await idem.finish(session, ProjectRead.model_validate(project))
