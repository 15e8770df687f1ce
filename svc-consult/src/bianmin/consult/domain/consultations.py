"""The consultation lifecycle: open → assigned → answered → closed, with waiting, transfer and reopening.

- ``open``: in the triage queue (no department); ``assign`` moves it to ``assigned``.
- ``assigned``: a department owns it; it may transfer it (the clock keeps running), ask the asker
  for information (``waiting``: the clock stops until the asker replies), request an extension
  (before the deadline only; an administrator approves), or answer it.
- ``answered``: the asker may rate it (which closes it) or reopen it within
  ``reopen_window_workdays`` working days of the answer (a new round with a fresh clock); staff may
  close it. A rated consultation is final: a bad rating opens a rectification case instead.
- ``closed``: nothing changes any more, except a reopening within the window when not yet rated.
Every forbidden transition is a :class:`~bianmin.consult.domain.errors.ConsultationStepForbidden` (409).

When the reopen window of an answered consultation ends, :func:`close_expired` (run by the worker)
closes it with ``closed_at`` = the end of the window, so the record says when it became final whatever
the hour the worker ran. The close is a conditional ``UPDATE … WHERE status = 'answered'``: of several
replicas, or of the worker and an asker reopening or rating at the same instant, exactly one change
takes effect and the others change nothing. The lifecycle publishes no event for a close (the issue
names none), so this publishes none either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.consult.domain import codes, deadlines
from bianmin.consult.domain.access import Staff, seen_by
from bianmin.consult.domain.errors import (
    AlreadyRated,
    AlreadyWithDepartment,
    ConsultationStepForbidden,
    ReopenWindowClosed,
    UnknownAccessCode,
)
from bianmin.consult.domain.routing import active_department, route
from bianmin.consult.models import (
    Consultation,
    ConsultationMessage,
    ConsultationPause,
    ConsultationTransfer,
    Escalation,
    ExtensionRequest,
)
from bianmin.consult.schemas.consultations import ConsultationCreate
from bianmin.contracts.events.consult import ConsultationAnswered, ConsultationCreated
from bianmin.kit.calendar import load_calendar
from bianmin.kit.errors import NotFound
from bianmin.kit.events import emit
from bianmin.kit.pagination import PageParams, paginate
from bianmin.kit.workdays import SHANGHAI, WorkCalendar, local_date

LIVE = ("open", "assigned", "waiting")
CLOSE_BATCH = 500


async def create(session: AsyncSession, *, data: ConsultationCreate, tenant: str, now: datetime,
                 calendar: WorkCalendar, policy: deadlines.Policy, asker: str | None = None) -> tuple[Consultation, str]:
    """Record, route and time a new question; the access code is returned once and stored hashed.

    ``asker`` (:func:`bianmin.consult.domain.access.asker_of`) is who asked; a citizen's question is rated by them only.
    """
    found = await route(session, item_code=data.item_code, department_code=data.department_code,
                        title=data.title, body=data.body)
    days = policy.days_for(data.kind)
    code = codes.new_code()
    consultation = Consultation(
        number=codes.consultation_number(now), tenant=tenant, kind=data.kind, channel=data.channel,
        title=data.title, body=data.body, item_code=data.item_code, department_code=found.department_code,
        routed_by=found.routed_by, topic=found.topic, contact_name=data.contact_name,
        contact_phone=data.contact_phone, contact_email=data.contact_email, asker=asker,
        consent_publish=data.consent_publish, access_hash=codes.hash_code(code),
        status="assigned" if found.department_code else "open", submitted_at=now, clock_started_at=now,
        deadline_days=days, extension_days=0, paused_workdays=0, round=0,
    )
    recompute_due(consultation, calendar)
    session.add(consultation)
    await session.flush()
    await emit(session, "consult.consultation.created", ConsultationCreated(
        consultation_id=consultation.id, number=consultation.number, kind=data.kind,  # type: ignore[arg-type]
        channel=data.channel, department_code=found.department_code,  # type: ignore[arg-type]
        item_code=data.item_code, routed_by=found.routed_by, submitted_at=now,  # type: ignore[arg-type]
        due_at=consultation.due_at), tenant=tenant, about=consultation.number)
    return consultation, code


async def get_for_staff(session: AsyncSession, consultation_id: str, staff: Staff,
                        *, for_update: bool = False) -> Consultation:
    """A consultation this staff member may see; 404 otherwise (its existence is not disclosed)."""
    query = select(Consultation).where(Consultation.id == consultation_id)
    if for_update:
        query = query.with_for_update()
    consultation = (await session.execute(query)).scalar_one_or_none()
    if consultation is None or not staff.sees(department_code=consultation.department_code,
                                              tenant=consultation.tenant):
        raise NotFound(f"No consultation {consultation_id}.")
    return consultation


async def get_by_code(session: AsyncSession, code: str, *, for_update: bool = True) -> Consultation:
    """The consultation an access code opens (locked for the asker's change); 404 for a wrong or malformed code."""
    digest = codes.hash_code(code)
    query = select(Consultation).where(Consultation.access_hash == digest)
    if for_update:
        query = query.with_for_update()
    consultation = (await session.execute(query)).scalar_one_or_none()
    if consultation is None or not codes.plausible(code):
        raise UnknownAccessCode("No consultation for this access code.")
    return consultation


async def list_for_asker(session: AsyncSession, asker: str, page: PageParams) -> tuple[list[Consultation], str | None]:
    """One page of the consultations ``asker`` (:func:`~bianmin.consult.domain.access.asker_of`) asked, newest first."""
    query = select(Consultation).where(Consultation.asker == asker)
    return await paginate(session, query, page, keys=[Consultation.submitted_at, Consultation.id], descending=True)


async def list_for_staff(session: AsyncSession, staff: Staff, page: PageParams, *, status: str | None,
                         department: str | None, triage: bool, overdue: bool,
                         now: datetime) -> tuple[list[Consultation], str | None]:
    """One page of the consultations this staff member may see, newest first, and the next page's cursor.

    ``triage`` keeps the unrouted ones (no department, still open); ``overdue`` the live ones past
    their deadline at ``now``.
    """
    query = select(Consultation).where(*seen_by(staff, tenant=Consultation.tenant,
                                                department=Consultation.department_code))
    if triage:
        query = query.where(Consultation.department_code.is_(None), Consultation.status == "open")
    if status:
        query = query.where(Consultation.status == status)
    if department:
        query = query.where(Consultation.department_code == department)
    if overdue:
        query = query.where(Consultation.status.in_(("open", "assigned")), Consultation.due_at < now)
    return await paginate(session, query, page, keys=[Consultation.submitted_at, Consultation.id], descending=True)


@dataclass(frozen=True)
class History:
    """A consultation with everything that happened to it, each in the order it happened."""

    consultation: Consultation
    messages: list[ConsultationMessage]
    transfers: list[ConsultationTransfer]
    pauses: list[ConsultationPause]
    escalations: list[Escalation]
    extensions: list[ExtensionRequest]


async def _rows_of(session: AsyncSession, consultation: Consultation, model: Any, order: Any) -> list[Any]:
    query = select(model).where(model.consultation_id == consultation.id).order_by(order)
    return list((await session.execute(query)).scalars())


async def history(session: AsyncSession, consultation: Consultation) -> History:
    """The messages, transfers, pauses, escalation steps and extension requests of a consultation."""
    return History(
        consultation=consultation,
        messages=await _rows_of(session, consultation, ConsultationMessage, ConsultationMessage.id),
        transfers=await _rows_of(session, consultation, ConsultationTransfer, ConsultationTransfer.id),
        pauses=await _rows_of(session, consultation, ConsultationPause, ConsultationPause.id),
        escalations=await _rows_of(session, consultation, Escalation, Escalation.id),
        extensions=await _rows_of(session, consultation, ExtensionRequest, ExtensionRequest.requested_at),
    )


@dataclass(frozen=True)
class AskerRecord:
    """What the asker may see of their consultation: it, its exchanges and until when they may reopen it."""

    consultation: Consultation
    messages: list[ConsultationMessage]
    reopen_until: datetime | None


async def for_asker(session: AsyncSession, consultation: Consultation, *, policy: deadlines.Policy) -> AskerRecord:
    """The asker's record of a consultation (never staff notes or other questions)."""
    calendar = await load_calendar(session)
    return AskerRecord(consultation=consultation,
                       messages=await _rows_of(session, consultation, ConsultationMessage, ConsultationMessage.id),
                       reopen_until=reopen_until(consultation, calendar=calendar, policy=policy))


def _require(consultation: Consultation, *states: str, action: str) -> None:
    if consultation.status not in states:
        raise ConsultationStepForbidden(f"A consultation that is {consultation.status} cannot be {action}.")


def _message(session: AsyncSession, consultation: Consultation, *, author: str, kind: str, text: str,
             now: datetime) -> None:
    session.add(ConsultationMessage(consultation_id=consultation.id, author=author, kind=kind, text=text, at=now))


def recompute_due(consultation: Consultation, calendar: WorkCalendar) -> None:
    """Set the deadline (and whether it is provisional) from the clock's start, its days, extensions and completed pauses."""
    consultation.due_at = deadlines.due_at(
        calendar, started_at=consultation.clock_started_at, days=consultation.deadline_days,
        extension_days=consultation.extension_days, paused_workdays=consultation.paused_workdays)
    consultation.due_basis = deadlines.due_basis(calendar, started_at=consultation.clock_started_at,
                                                 due=consultation.due_at)


async def assign(session: AsyncSession, consultation: Consultation, *, department_code: str, staff: Staff,
                 now: datetime) -> Consultation:
    """Send a triaged question to a department (administrators); the clock keeps running."""
    _require(consultation, "open", action="assigned from triage")
    await active_department(session, department_code, field="department_code")
    session.add(ConsultationTransfer(consultation_id=consultation.id, from_department=None,
                                     to_department=department_code, reason="triage", by_key=staff.key, at=now))
    consultation.department_code = department_code
    consultation.status = "assigned"
    await session.flush()
    return consultation


async def transfer(session: AsyncSession, consultation: Consultation, *, department_code: str, reason: str,
                   staff: Staff, now: datetime) -> Consultation:
    """Move a question to another department with a reason, without resetting the clock."""
    _require(consultation, "assigned", "waiting", action="transferred")
    if department_code == consultation.department_code:
        raise AlreadyWithDepartment("The consultation is already with this department.")
    await active_department(session, department_code, field="department_code")
    session.add(ConsultationTransfer(consultation_id=consultation.id, from_department=consultation.department_code,
                                     to_department=department_code, reason=reason, by_key=staff.key, at=now))
    consultation.department_code = department_code
    await session.flush()
    return consultation


async def request_info(session: AsyncSession, consultation: Consultation, *, message: str, now: datetime) -> Consultation:
    """Ask the asker for information; the clock stops until they reply."""
    _require(consultation, "assigned", action="put on hold for the asker")
    _message(session, consultation, author="staff", kind="info_request", text=message, now=now)
    consultation.first_response_at = consultation.first_response_at or now
    consultation.status = "waiting"
    consultation.paused_since = now
    session.add(ConsultationPause(consultation_id=consultation.id, started_at=now))
    await session.flush()
    return consultation


async def _end_pause(session: AsyncSession, consultation: Consultation, *, now: datetime,
                     calendar: WorkCalendar) -> None:
    pause = (await session.execute(select(ConsultationPause).where(
        ConsultationPause.consultation_id == consultation.id, ConsultationPause.ended_at.is_(None)))).scalar_one()
    pause.ended_at = now
    pause.workdays = deadlines.paused_workdays(calendar, pause.started_at, now)
    consultation.paused_workdays += pause.workdays
    consultation.paused_since = None
    consultation.status = "assigned"
    recompute_due(consultation, calendar)


async def asker_reply(session: AsyncSession, consultation: Consultation, *, message: str, now: datetime,
                      calendar: WorkCalendar) -> Consultation:
    """The asker supplies information; a waiting consultation resumes with its deadline moved."""
    _require(consultation, *LIVE, action="supplemented")
    _message(session, consultation, author="asker", kind="reply", text=message, now=now)
    if consultation.status == "waiting":
        await _end_pause(session, consultation, now=now, calendar=calendar)
    await session.flush()
    return consultation


async def answer(session: AsyncSession, consultation: Consultation, *, text: str, staff: Staff, now: datetime,
                 calendar: WorkCalendar) -> Consultation:
    """Answer a consultation (a pending pause ends first); late answers are recorded as late."""
    _require(consultation, "assigned", "waiting", action="answered")
    if consultation.status == "waiting":
        await _end_pause(session, consultation, now=now, calendar=calendar)
    _message(session, consultation, author="staff", kind="answer", text=text, now=now)
    consultation.answer, consultation.answered_by, consultation.answered_at = text, staff.key, now
    consultation.first_response_at = consultation.first_response_at or now
    consultation.answered_on_time = now <= consultation.due_at
    consultation.status = "answered"
    await session.flush()
    assert consultation.department_code is not None
    await emit(session, "consult.consultation.answered", ConsultationAnswered(
        consultation_id=consultation.id, number=consultation.number, department_code=consultation.department_code,
        answered_at=now, due_at=consultation.due_at, on_time=consultation.answered_on_time),
        tenant=consultation.tenant, about=consultation.number)
    return consultation


async def close(session: AsyncSession, consultation: Consultation, *, now: datetime) -> Consultation:
    """Close an answered consultation."""
    _require(consultation, "answered", action="closed")
    consultation.status, consultation.closed_at = "closed", now
    await session.flush()
    return consultation


def reopen_until(consultation: Consultation, *, calendar: WorkCalendar, policy: deadlines.Policy) -> datetime | None:
    """The end of the window in which the asker may reopen, or None when reopening is not possible."""
    if consultation.answered_at is None or consultation.rating is not None or consultation.status not in (
            "answered", "closed"):
        return None
    last = calendar.add_workdays(local_date(consultation.answered_at), policy.reopen_window_workdays)
    return datetime.combine(last, datetime.max.time().replace(microsecond=0), tzinfo=SHANGHAI)


async def close_expired(session: AsyncSession, *, now: datetime, calendar: WorkCalendar,
                        policy: deadlines.Policy) -> list[str]:
    """Close the answered consultations whose reopen window ended before ``now``; the numbers closed."""
    # A window of n working days lasts at least n calendar days, so older answers are the only candidates.
    horizon = now - timedelta(days=policy.reopen_window_workdays)
    query = (select(Consultation).where(Consultation.status == "answered", Consultation.answered_at <= horizon)
             .order_by(Consultation.answered_at).limit(CLOSE_BATCH))
    closed: list[str] = []
    for consultation in list((await session.execute(query)).scalars()):
        until = reopen_until(consultation, calendar=calendar, policy=policy)
        if until is None or now <= until:
            continue
        result = await session.execute(
            update(Consultation)
            .where(Consultation.id == consultation.id, Consultation.status == "answered",
                   Consultation.round == consultation.round)
            .values(status="closed", closed_at=until)
            .execution_options(synchronize_session=False))
        if result.rowcount:
            closed.append(consultation.number)
    await session.flush()
    return closed


async def reopen(session: AsyncSession, consultation: Consultation, *, reason: str, now: datetime,
                 calendar: WorkCalendar, policy: deadlines.Policy) -> Consultation:
    """The asker reopens within the window: a new round with a fresh clock, same department."""
    _require(consultation, "answered", "closed", action="reopened")
    until = reopen_until(consultation, calendar=calendar, policy=policy)
    if until is None:
        raise AlreadyRated("A rated consultation is final; a bad rating opens a rectification case.")
    if now > until:
        raise ReopenWindowClosed("The window for reopening has closed.")
    _message(session, consultation, author="asker", kind="reopen", text=reason, now=now)
    consultation.round += 1
    consultation.status = "assigned" if consultation.department_code else "open"
    consultation.clock_started_at, consultation.extension_days, consultation.paused_workdays = now, 0, 0
    consultation.ladder = 0
    consultation.answer = consultation.answered_by = None
    consultation.answered_at = consultation.answered_on_time = consultation.closed_at = None
    recompute_due(consultation, calendar)
    await session.flush()
    return consultation
