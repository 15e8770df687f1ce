"""Applications (办件): intake, handling steps, lists with overdue flags; who acts decided in domain.people."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from bianmin.catalog.api.deps import READ, WRITE
from bianmin.catalog.api.views import application_view
from bianmin.catalog.domain import applications as domain
from bianmin.catalog.models import Application
from bianmin.catalog.schemas import ApplicationCreate, ApplicationRead, ApplicationStatus, ApplicationTransition
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import Unprocessable, problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import Principal, PrincipalDep
from bianmin.kit.pagination import Page, PageDep
from bianmin.kit.policy import app, citizen, operator, policy, staff, supervisor
from bianmin.kit.workdays import local_date

router = APIRouter(tags=["applications"])
# Who reads applications: the applicant their own, staff where they hold a role, supervisors and apps by tenancy.
READERS = policy(citizen(), staff(), supervisor(), operator(), app())


async def shown(session: SessionDep, who: Principal, application: Application, *, now: datetime, action: str,
                with_steps: bool = False) -> ApplicationRead:
    """The application as this caller may see it: masked unless theirs or theirs to handle (个人信息保护法)."""
    (masked,) = await domain.disclose(session, who, [application], now=now, action=action)
    steps = await domain.steps_of(session, application) if with_steps else None
    return application_view(application, today=local_date(now), masked=masked, steps=steps)


@router.post("/applications", status_code=201, summary="Submit an application",
             dependencies=[WRITE, policy(citizen(), staff("acceptor"), app())],
             responses=problem_responses(401, 403, 422))
async def submit(body: ApplicationCreate, session: SessionDep, who: PrincipalDep, clock: ClockDep,
                 idem: IdempotencyDep) -> ApplicationRead:
    """Receive an application at a site; 422 names a bad ID number or the missing required materials."""
    now = clock.now()
    application = await domain.submit(session, body, who=who, now=now)
    view = await shown(session, who, application, now=now, action="POST /applications", with_steps=True)
    return await idem.finish(session, view)


@router.get("/applications", summary="List applications", dependencies=[READ, READERS],
            responses=problem_responses(401, 403, 422))
async def list_applications(
    session: SessionDep, who: PrincipalDep, clock: ClockDep, page: PageDep,
    status: ApplicationStatus | None = None,
    site: Annotated[str | None, Query(max_length=20)] = None,
    department: Annotated[str | None, Query(max_length=40)] = None,
    item: Annotated[str | None, Query(max_length=60)] = None,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    overdue: Annotated[bool | None, Query(description="True: open past their promised date; false: the others.")] = None,
) -> Page[ApplicationRead]:
    """Newest first, only those the caller may see; the applicant masked unless theirs or theirs to handle."""
    if start and end and end < start:
        raise Unprocessable.field("to", "must not be before from")
    now = clock.now()
    rows, cursor = await domain.list_applications(
        session, who, domain.ApplicationFilter(status=status, site=site, department=department, item=item,
                                               start=start, end=end, overdue=overdue), today=local_date(now), page=page)
    masks = await domain.disclose(session, who, rows, now=now, action="GET /applications")
    items = [application_view(a, today=local_date(now), masked=m) for a, m in zip(rows, masks, strict=True)]
    await session.commit()
    return Page(items=items, next_cursor=cursor)


@router.get("/applications/{number}", summary="Read an application", dependencies=[READ, READERS],
            responses=problem_responses(401, 403, 404))
async def read_application(number: str, session: SessionDep, who: PrincipalDep, clock: ClockDep) -> ApplicationRead:
    """One application with its steps (who and when)."""
    application = await domain.get_application(session, number, who)
    view = await shown(session, who, application, now=clock.now(), action="GET /applications/{number}",
                       with_steps=True)
    await session.commit()
    return view


@router.post("/applications/{number}/status", summary="Move an application on",
             dependencies=[WRITE, policy(citizen(), staff("acceptor", "approver"), app())],
             responses=problem_responses(401, 403, 404, 409, 422))
async def change_status(number: str, body: ApplicationTransition, session: SessionDep, who: PrincipalDep,
                        clock: ClockDep) -> ApplicationRead:
    """Accept (acceptor), approve, reject or complete (approver, 2FA), withdraw (the applicant); 409 out of order."""
    now = clock.now()
    application = await domain.get_application(session, number, who)
    await domain.transition(session, application, body.status, who=who, now=now, note=body.note,
                            certificate_no=body.certificate_no, reason=body.reason, at=body.at)
    view = await shown(session, who, application, now=now, action="POST /applications/{number}/status",
                       with_steps=True)
    await session.commit()
    return view
