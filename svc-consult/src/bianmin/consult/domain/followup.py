"""Extensions of the deadline, ratings of answers, and the rectification a bad rating opens.

Extensions: a department may ask for more working days only while the deadline is still ahead and
the consultation is with it (assigned or waiting); one request may be pending at a time; an
administrator approves (the deadline moves) or rejects it. Approval after the deadline is allowed,
because what counts is that the request came before it. An approval restarts the escalation ladder
from the new deadline (:mod:`bianmin.consult.domain.escalation`): the steps already taken, an urge
included, stay in the history, and the new deadline gets its own pre-warning, urge, notice and report.

Ratings follow the five 好差评 levels; ``dissatisfied`` and ``very_dissatisfied`` are bad. Rating an
answered consultation closes it. A bad rating opens a rectification case: contact the asker within
``rectification_contact_workdays`` working days, fix within ``rectification_fix_workdays``, then the
asker rates again (追评), which closes the case. The follow-up rating is the only second rating.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.consult.domain import deadlines
from bianmin.consult.domain.access import Staff, seen_by
from bianmin.consult.domain.consultations import recompute_due
from bianmin.consult.domain.errors import (
    AlreadyRated,
    ConsultationStepForbidden,
    ExtensionAlreadyDecided,
    ExtensionPending,
    ExtensionTooLate,
    NotAnswered,
    RectificationStepForbidden,
)
from bianmin.consult.models import Consultation, ExtensionRequest, Rectification
from bianmin.contracts.events.consult import ConsultationRated
from bianmin.kit.errors import NotFound, Unprocessable
from bianmin.kit.events import emit
from bianmin.kit.workdays import WorkCalendar

BAD_LEVELS = frozenset({"dissatisfied", "very_dissatisfied"})
CASES_LISTED = 500


async def request_extension(session: AsyncSession, consultation: Consultation, *, days: int, reason: str,
                            staff: Staff, now: datetime, policy: deadlines.Policy) -> ExtensionRequest:
    """Ask for more working days; only before the deadline and one request at a time."""
    if consultation.status not in ("assigned", "waiting"):
        raise ConsultationStepForbidden(f"A consultation that is {consultation.status} cannot be extended.")
    if days > policy.max_extension_workdays:
        raise Unprocessable.field("days", f"at most {policy.max_extension_workdays} working days per request")
    if now > consultation.due_at:
        raise ExtensionTooLate("An extension must be requested before the deadline.")
    pending = (await session.execute(select(ExtensionRequest.id).where(
        ExtensionRequest.consultation_id == consultation.id, ExtensionRequest.status == "pending"))).first()
    if pending is not None:
        raise ExtensionPending("An extension request is already pending.")
    request = ExtensionRequest(consultation_id=consultation.id, days=days, reason=reason, status="pending",
                               requested_by=staff.key, requested_at=now)
    session.add(request)
    await session.flush()
    return request


async def decide_extension(session: AsyncSession, consultation: Consultation, *, request_id: str, approve: bool,
                           staff: Staff, now: datetime, calendar: WorkCalendar) -> ExtensionRequest:
    """Approve (the deadline moves) or reject a pending extension request."""
    request = await session.get(ExtensionRequest, request_id)
    if request is None or request.consultation_id != consultation.id:
        raise NotFound(f"No extension request {request_id}.")
    if request.status != "pending":
        raise ExtensionAlreadyDecided(f"The request was already {request.status}.")
    if approve and consultation.status not in ("assigned", "waiting"):
        raise ConsultationStepForbidden(f"A consultation that is {consultation.status} cannot be extended.")
    request.status = "approved" if approve else "rejected"
    request.decided_by, request.decided_at = staff.key, now
    if approve:
        consultation.extension_days += request.days
        consultation.ladder += 1
        recompute_due(consultation, calendar)
    await session.flush()
    return request


async def rate(session: AsyncSession, consultation: Consultation, *, level: str, comment: str | None,
               now: datetime, calendar: WorkCalendar, policy: deadlines.Policy) -> Rectification | None:
    """Record the asker's rating; a bad first rating opens rectification, a follow-up closes it."""
    follow_up = False
    case: Rectification | None = None
    if consultation.rating is None:
        if consultation.status not in ("answered", "closed"):
            raise NotAnswered("Only an answered consultation can be rated.")
        consultation.rating, consultation.rating_comment, consultation.rated_at = level, comment, now
        if consultation.status == "answered":
            consultation.status, consultation.closed_at = "closed", now
        if level in BAD_LEVELS:
            case = Rectification(
                consultation_id=consultation.id, department_code=consultation.department_code,
                tenant=consultation.tenant, status="open", opened_at=now,
                contact_due_at=calendar.deadline(now, policy.rectification_contact_workdays),
                fix_due_at=calendar.deadline(now, policy.rectification_fix_workdays))
            session.add(case)
    else:
        case = (await session.execute(select(Rectification).where(
            Rectification.consultation_id == consultation.id).with_for_update())).scalar_one_or_none()
        if case is None or case.status != "fixed":
            raise AlreadyRated("This answer was rated already.")
        case.follow_up_rating, case.status, case.closed_at = level, "closed", now
        follow_up = True
    await session.flush()
    await emit(session, "consult.consultation.rated", ConsultationRated(
        consultation_id=consultation.id, number=consultation.number, department_code=consultation.department_code,
        level=level, bad=level in BAD_LEVELS, follow_up=follow_up, rated_at=now),  # type: ignore[arg-type]
        tenant=consultation.tenant, about=consultation.number)
    return case


async def list_cases(session: AsyncSession, staff: Staff, *, status: str | None) -> list[Rectification]:
    """The cases of the staff member's departments at the sites they see (all for administrators), oldest first.

    At most ``CASES_LISTED``: the list is not paged.
    """
    query = (select(Rectification)
             .where(*seen_by(staff, tenant=Rectification.tenant, department=Rectification.department_code))
             .order_by(Rectification.opened_at, Rectification.id).limit(CASES_LISTED))
    if status:
        query = query.where(Rectification.status == status)
    return list((await session.execute(query)).scalars())


async def get_case(session: AsyncSession, case_id: str, staff: Staff) -> Rectification:
    """A rectification case this staff member may see; 404 otherwise."""
    case = await session.get(Rectification, case_id)
    if case is None or not staff.sees(department_code=case.department_code, tenant=case.tenant):
        raise NotFound(f"No rectification case {case_id}.")
    return case


async def contact(session: AsyncSession, case: Rectification, *, now: datetime) -> Rectification:
    """Record that the department contacted the asker."""
    if case.status != "open":
        raise RectificationStepForbidden(f"A case that is {case.status} cannot be marked contacted.")
    case.status, case.contacted_at = "contacted", now
    await session.flush()
    return case


async def fix(session: AsyncSession, case: Rectification, *, note: str, now: datetime) -> Rectification:
    """Record what was fixed; the asker may then rate again."""
    if case.status != "contacted":
        raise RectificationStepForbidden(f"A case that is {case.status} cannot be marked fixed.")
    case.status, case.fixed_at, case.note = "fixed", now, note
    await session.flush()
    return case
