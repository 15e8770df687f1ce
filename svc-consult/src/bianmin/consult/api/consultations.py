"""Consultation routes for askers' apps (create) and department staff (queue, answer, transfer, …).

Staff are the department's ``consult_agent`` subjects or its ``consult:dept:<d>`` keys (issue 19). Lists
and answers mask the asker's contact data; reading one consultation to handle it shows them, and the
read is logged (个人信息保护法 §51).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from bianmin.consult.api import views
from bianmin.consult.api.deps import ANYONE, AdminDep, IdPath, PolicyDep, StaffDep
from bianmin.consult.domain import consultations as domain
from bianmin.consult.domain import followup
from bianmin.consult.domain.access import Staff, asker_of, asking_site
from bianmin.consult.schemas import (
    AnswerBody,
    AssignBody,
    ConsultationCreate,
    ConsultationDetail,
    ConsultationRead,
    ConsultationReceipt,
    ExtensionBody,
    ExtensionRead,
    MessageBody,
    TransferBody,
)
from bianmin.consult.schemas.common import DEPARTMENT_PATTERN
from bianmin.kit.access_log import record_access
from bianmin.kit.calendar import load_calendar
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import PrincipalDep, public
from bianmin.kit.pagination import Page, PageDep

router = APIRouter(tags=["consultations"])
Status = Annotated[str | None, Query(pattern="^(open|assigned|waiting|answered|closed)$")]


@router.post("/consultations", status_code=201, summary="Ask a question", dependencies=[ANYONE], **public(),
             responses=problem_responses(403, 422))
async def create_consultation(body: ConsultationCreate, session: SessionDep, who: PrincipalDep,
                              idem: IdempotencyDep, clock: ClockDep, policy: PolicyDep) -> ConsultationReceipt:
    """Record a question, route it to a department (or triage) and start its working-day clock."""
    tenant = await asking_site(session, who, body.site_code, district_site=policy.district_site)
    consultation, code = await domain.create(session, data=body, tenant=tenant, now=clock.now(),
                                             calendar=await load_calendar(session), policy=policy,
                                             asker=asker_of(who))
    return await idem.finish(session, views.consultation_receipt(consultation, code))


@router.get("/consultations", summary="The department's queue", responses=problem_responses(401, 403, 422))
async def list_consultations(session: ReadSessionDep, staff: StaffDep, page: PageDep, clock: ClockDep,
                             status: Status = None,
                             department: Annotated[str | None, Query(pattern=DEPARTMENT_PATTERN)] = None,
                             triage: bool = False, overdue: bool = False) -> Page[ConsultationRead]:
    """Consultations this key may see, newest first; ``triage=true`` lists the unrouted ones."""
    rows, cursor = await domain.list_for_staff(session, staff, page, status=status, department=department,
                                               triage=triage, overdue=overdue, now=clock.now())
    return Page[ConsultationRead](items=[views.consultation_read(r) for r in rows], next_cursor=cursor)


@router.get("/consultations/{consultation_id}", summary="One consultation with its history",
            responses=problem_responses(401, 403, 404))
async def get_consultation(consultation_id: IdPath, session: SessionDep, staff: StaffDep,
                           clock: ClockDep) -> ConsultationDetail:
    """A consultation this caller may see, with everything that happened to it and the asker's contact (logged)."""
    consultation = await domain.get_for_staff(session, consultation_id, staff)
    view = views.consultation_detail(await domain.history(session, consultation), unmasked=True)
    await record_access(session, staff.principal, at=clock.now(), action="GET /consultations/{id}",
                        resource=f"consultation/{consultation.id}", fields=views.shown_contacts(consultation),
                        purpose="answer the consultation", site=consultation.tenant)
    await session.commit()
    return view


@router.post("/consultations/{consultation_id}/assign", summary="Route a triaged question",
             responses=problem_responses(401, 403, 404, 409, 422))
async def assign(consultation_id: IdPath, body: AssignBody, session: SessionDep, staff: AdminDep,
                 clock: ClockDep) -> ConsultationDetail:
    """Send a question from the triage queue to a department (administrators)."""
    consultation = await domain.get_for_staff(session, consultation_id, staff, for_update=True)
    await domain.assign(session, consultation, department_code=body.department_code, staff=staff, now=clock.now())
    await session.commit()
    return views.consultation_detail(await domain.history(session, consultation))


@router.post("/consultations/{consultation_id}/transfer", summary="Transfer to another department",
             responses=problem_responses(401, 403, 404, 409, 422))
async def transfer(consultation_id: IdPath, body: TransferBody, session: SessionDep, staff: StaffDep,
                   clock: ClockDep) -> ConsultationDetail:
    """Move a question to the department that should answer it; the clock is not reset."""
    consultation = await domain.get_for_staff(session, consultation_id, staff, for_update=True)
    await domain.transfer(session, consultation, department_code=body.department_code, reason=body.reason,
                          staff=staff, now=clock.now())
    await session.commit()
    return views.consultation_detail(await domain.history(session, consultation))


@router.post("/consultations/{consultation_id}/info-requests", summary="Ask the asker for information",
             responses=problem_responses(401, 403, 404, 409, 422))
async def request_info(consultation_id: IdPath, body: MessageBody, session: SessionDep, staff: StaffDep,
                       clock: ClockDep) -> ConsultationDetail:
    """Ask the asker a question back; the clock stops until they reply."""
    consultation = await domain.get_for_staff(session, consultation_id, staff, for_update=True)
    await domain.request_info(session, consultation, message=body.message, now=clock.now())
    await session.commit()
    return views.consultation_detail(await domain.history(session, consultation))


@router.post("/consultations/{consultation_id}/answer", summary="Answer",
             responses=problem_responses(401, 403, 404, 409, 422))
async def answer(consultation_id: IdPath, body: AnswerBody, session: SessionDep, staff: StaffDep,
                 clock: ClockDep) -> ConsultationDetail:
    """Answer the question; whether it was on time is recorded."""
    consultation = await domain.get_for_staff(session, consultation_id, staff, for_update=True)
    await domain.answer(session, consultation, text=body.answer, staff=staff, now=clock.now(),
                        calendar=await load_calendar(session))
    await session.commit()
    return views.consultation_detail(await domain.history(session, consultation))


@router.post("/consultations/{consultation_id}/close", summary="Close an answered consultation",
             responses=problem_responses(401, 403, 404, 409))
async def close(consultation_id: IdPath, session: SessionDep, staff: StaffDep, clock: ClockDep) -> ConsultationDetail:
    """Close an answered consultation."""
    consultation = await domain.get_for_staff(session, consultation_id, staff, for_update=True)
    await domain.close(session, consultation, now=clock.now())
    await session.commit()
    return views.consultation_detail(await domain.history(session, consultation))


@router.post("/consultations/{consultation_id}/extensions", status_code=201, summary="Request an extension",
             responses=problem_responses(401, 403, 404, 409, 422))
async def request_extension(consultation_id: IdPath, body: ExtensionBody, session: SessionDep, staff: StaffDep,
                            idem: IdempotencyDep, clock: ClockDep, policy: PolicyDep) -> ExtensionRead:
    """Ask for more working days; only before the deadline."""
    consultation = await domain.get_for_staff(session, consultation_id, staff, for_update=True)
    request = await followup.request_extension(session, consultation, days=body.days, reason=body.reason,
                                               staff=staff, now=clock.now(), policy=policy)
    return await idem.finish(session, ExtensionRead.model_validate(request))


async def _decide(consultation_id: str, request_id: str, approve: bool, session: SessionDep, staff: Staff,
                  now: datetime) -> ExtensionRead:
    consultation = await domain.get_for_staff(session, consultation_id, staff, for_update=True)
    request = await followup.decide_extension(session, consultation, request_id=request_id, approve=approve,
                                              staff=staff, now=now, calendar=await load_calendar(session))
    await session.commit()
    return ExtensionRead.model_validate(request)


@router.post("/consultations/{consultation_id}/extensions/{request_id}/approve", summary="Approve an extension",
             responses=problem_responses(401, 403, 404, 409))
async def approve_extension(consultation_id: IdPath, request_id: IdPath, session: SessionDep, staff: AdminDep,
                            clock: ClockDep) -> ExtensionRead:
    """Approve a pending extension: the deadline moves by its working days."""
    return await _decide(consultation_id, request_id, True, session, staff, clock.now())


@router.post("/consultations/{consultation_id}/extensions/{request_id}/reject", summary="Reject an extension",
             responses=problem_responses(401, 403, 404, 409))
async def reject_extension(consultation_id: IdPath, request_id: IdPath, session: SessionDep, staff: AdminDep,
                           clock: ClockDep) -> ExtensionRead:
    """Reject a pending extension: the deadline stays."""
    return await _decide(consultation_id, request_id, False, session, staff, clock.now())
