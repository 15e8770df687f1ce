"""Applications (办件): intake, handling steps, lists with overdue flags, tenancy by site."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from bianmin.catalog.api.deps import READ, WRITE
from bianmin.catalog.api.views import application_view
from bianmin.catalog.domain import applications as domain
from bianmin.catalog.schemas import ApplicationCreate, ApplicationRead, ApplicationStatus, ApplicationTransition
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import Unprocessable, problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import PrincipalDep
from bianmin.kit.pagination import Page, PageDep
from bianmin.kit.workdays import local_date

router = APIRouter(tags=["applications"])


@router.post("/applications", status_code=201, summary="Submit an application", dependencies=[WRITE],
             responses=problem_responses(401, 403, 422))
async def submit(body: ApplicationCreate, session: SessionDep, who: PrincipalDep, clock: ClockDep,
                 idem: IdempotencyDep) -> ApplicationRead:
    """Receive an application at a site; 422 names a bad ID number or the missing required materials."""
    now = clock.now()
    application = await domain.submit(session, body, who=who, now=now)
    view = application_view(application, today=local_date(now), masked=False,
                            steps=await domain.steps_of(session, application))
    return await idem.finish(session, view)


@router.get("/applications", summary="List applications", dependencies=[READ], responses=problem_responses(401, 403, 422))
async def list_applications(
    session: ReadSessionDep, who: PrincipalDep, clock: ClockDep, page: PageDep,
    status: ApplicationStatus | None = None,
    site: Annotated[str | None, Query(max_length=20)] = None,
    department: Annotated[str | None, Query(max_length=40)] = None,
    item: Annotated[str | None, Query(max_length=60)] = None,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    overdue: Annotated[bool | None, Query(description="True: open past their promised date; false: the others.")] = None,
) -> Page[ApplicationRead]:
    """Newest first; a township key sees its own sites' applications; ID numbers masked unless district-wide."""
    if start and end and end < start:
        raise Unprocessable.field("to", "must not be before from")
    today = local_date(clock.now())
    rows, cursor = await domain.list_applications(
        session, who, domain.ApplicationFilter(status=status, site=site, department=department, item=item,
                                               start=start, end=end, overdue=overdue), today=today, page=page)
    return Page(items=[application_view(a, today=today, masked=not who.district_wide) for a in rows], next_cursor=cursor)


@router.get("/applications/{number}", summary="Read an application", dependencies=[READ],
            responses=problem_responses(401, 403, 404))
async def read_application(number: str, session: ReadSessionDep, who: PrincipalDep, clock: ClockDep) -> ApplicationRead:
    """One application with its steps (who and when)."""
    application = await domain.get_application(session, number, who)
    return application_view(application, today=local_date(clock.now()), masked=False,
                            steps=await domain.steps_of(session, application))


@router.post("/applications/{number}/status", summary="Move an application on", dependencies=[WRITE],
             responses=problem_responses(401, 403, 404, 409, 422))
async def change_status(number: str, body: ApplicationTransition, session: SessionDep, who: PrincipalDep,
                        clock: ClockDep) -> ApplicationRead:
    """Accept, approve, reject, complete or withdraw; 409 when the current status forbids it."""
    now = clock.now()
    application = await domain.get_application(session, number, who)
    await domain.transition(session, application, body.status, who=who, now=now, note=body.note,
                            certificate_no=body.certificate_no, reason=body.reason, at=body.at)
    view = application_view(application, today=local_date(now), masked=False,
                            steps=await domain.steps_of(session, application))
    await session.commit()
    return view
