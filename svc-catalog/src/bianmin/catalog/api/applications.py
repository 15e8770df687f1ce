"""Applications (办件): intake, handling steps, lists with overdue flags, tenancy by site."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.catalog.api.deps import READ, WRITE
from bianmin.catalog.domain import applications as domain
from bianmin.catalog.models import Application
from bianmin.catalog.schemas import (
    ApplicationCreate,
    ApplicationRead,
    ApplicationStatus,
    ApplicationTransition,
    MaterialRead,
    StepRead,
)
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import Unprocessable, problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identifiers import mask_name, mask_phone, mask_resident_id
from bianmin.kit.identity import PrincipalDep
from bianmin.kit.pagination import Page, PageDep
from bianmin.kit.workdays import local_date

router = APIRouter(tags=["applications"])


def present(application: Application, *, today: date, masked: bool) -> ApplicationRead:
    """The API view of an application, with the applicant masked when asked."""
    number, name, phone = application.applicant_id_number, application.applicant_name, application.applicant_phone
    if masked:
        number, name, phone = mask_resident_id(number), mask_name(name), mask_phone(phone)
    return ApplicationRead(
        number=application.number, item_code=application.item_code, item_revision=application.item_revision,
        department_code=application.department_code, site_code=application.site_code, channel=application.channel,
        applicant_type=application.applicant_type, applicant_id_number=number, applicant_name=name,
        applicant_phone=phone, materials=[MaterialRead.model_validate(m) for m in application.materials],
        status=application.status,  # type: ignore[arg-type]
        auto_approved=application.auto_approved, submitted_at=application.submitted_at,
        promised_date=application.promised_date, finished_at=application.finished_at,
        certificate_no=application.certificate_no, reason=application.reason,
        overdue=domain.is_overdue(application, today))


async def _detail(session: AsyncSession, application: Application, today: date) -> ApplicationRead:
    view = present(application, today=today, masked=False)
    view.steps = [StepRead.model_validate(s) for s in await domain.steps_of(session, application)]
    return view


@router.post("/applications", status_code=201, summary="Submit an application", dependencies=[WRITE],
             responses=problem_responses(401, 403, 422))
async def submit(body: ApplicationCreate, session: SessionDep, who: PrincipalDep, clock: ClockDep,
                 idem: IdempotencyDep) -> ApplicationRead:
    """Receive an application at a site; 422 names a bad ID number or the missing required materials."""
    now = clock.now()
    application = await domain.submit(session, body, who=who, now=now)
    view = await _detail(session, application, local_date(now))
    return await idem.finish(session, view)


@router.get("/applications", summary="List applications", dependencies=[READ], responses=problem_responses(401, 403, 422))
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
    """Newest first; a township key sees its own sites' applications; ID numbers masked unless district-wide."""
    if start and end and end < start:
        raise Unprocessable.field("to", "must not be before from")
    today = local_date(clock.now())
    query = domain.filtered(who, domain.ApplicationFilter(status=status, site=site, department=department, item=item,
                                                          start=start, end=end, overdue=overdue), today)
    if page.after is not None:
        if len(page.after) != 1 or not isinstance(page.after[0], int):
            raise Unprocessable.field("cursor", "is not a cursor of this list")
        query = query.where(Application.id < page.after[0])
    rows = list((await session.execute(query.order_by(Application.id.desc()).limit(page.limit + 1))).scalars())
    rows, cursor = page.cut(rows, lambda last: [last.id])
    return Page(items=[present(a, today=today, masked=not who.district_wide) for a in rows], next_cursor=cursor)


@router.get("/applications/{number}", summary="Read an application", dependencies=[READ],
            responses=problem_responses(401, 403, 404))
async def read_application(number: str, session: SessionDep, who: PrincipalDep, clock: ClockDep) -> ApplicationRead:
    """One application with its steps (who and when)."""
    application = await domain.get_application(session, number, who)
    return await _detail(session, application, local_date(clock.now()))


@router.post("/applications/{number}/status", summary="Move an application on", dependencies=[WRITE],
             responses=problem_responses(401, 403, 404, 409, 422))
async def change_status(number: str, body: ApplicationTransition, session: SessionDep, who: PrincipalDep,
                        clock: ClockDep) -> ApplicationRead:
    """Accept, approve, reject, complete or withdraw; 409 when the current status forbids it."""
    now = clock.now()
    application = await domain.get_application(session, number, who)
    await domain.transition(session, application, body.status, who=who, now=now, note=body.note,
                            certificate_no=body.certificate_no, reason=body.reason, at=body.at)
    view = await _detail(session, application, local_date(now))
    await session.commit()
    return view


