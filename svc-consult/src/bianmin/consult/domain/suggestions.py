"""The electronic suggestion box (电子意见箱): suggestions, complaints and praise to a department.

Lifecycle: received → handling → replied → closed. An entry may be anonymous: then it carries no
contact and no caller key at all, and the tracking code (:mod:`bianmin.consult.domain.codes`) is the
only way to follow it; it shows the status and the reply and nothing else. The reply is due within
the working days configured for the entry's kind (13 by default). Suggestions and complaints not yet
replied to climb the same escalation ladder as consultations (pre-warning, urge, notice, report to
the supervising department; :func:`bianmin.consult.domain.escalation.run_suggestion_escalations`);
praise asks for no reply and has no ladder.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.consult.domain import codes, deadlines
from bianmin.consult.domain.access import Staff, seen_by
from bianmin.consult.domain.errors import SuggestionStepForbidden, UnknownTrackingCode
from bianmin.consult.domain.routing import active_department
from bianmin.consult.models import Suggestion, SuggestionEscalation
from bianmin.consult.schemas.suggestions import SuggestionCreate
from bianmin.contracts.events.consult import SuggestionCreated
from bianmin.kit.errors import NotFound, Unprocessable
from bianmin.kit.events import emit
from bianmin.kit.pagination import PageParams, paginate
from bianmin.kit.workdays import WorkCalendar


async def create(session: AsyncSession, *, data: SuggestionCreate, tenant: str, now: datetime,
                 calendar: WorkCalendar, policy: deadlines.Policy) -> tuple[Suggestion, str]:
    """Record an entry and hand back its tracking code (stored only as a hash)."""
    if data.anonymous:
        for name in ("contact_name", "contact_phone"):
            if getattr(data, name) is not None:
                raise Unprocessable.field(name, "must be left out of an anonymous entry")
    elif data.contact_name is None:
        raise Unprocessable.field("contact_name", "is required unless the entry is anonymous")
    await active_department(session, data.department_code, field="department_code")
    code = codes.new_code()
    entry = Suggestion(
        tenant=tenant, kind=data.kind, department_code=data.department_code, title=data.title, body=data.body,
        anonymous=data.anonymous, contact_name=data.contact_name, contact_phone=data.contact_phone,
        tracking_hash=codes.hash_code(code), status="received", submitted_at=now,
        due_at=deadlines.due_at(calendar, started_at=now, days=policy.days_for(data.kind)))
    entry.due_basis = deadlines.due_basis(calendar, started_at=now, due=entry.due_at)
    session.add(entry)
    await session.flush()
    await emit(session, "consult.suggestion.created", SuggestionCreated(
        suggestion_id=entry.id, kind=data.kind, department_code=data.department_code,  # type: ignore[arg-type]
        anonymous=data.anonymous, submitted_at=now, due_at=entry.due_at), tenant=tenant, about=entry.id)
    return entry, code


async def by_tracking_code(session: AsyncSession, code: str) -> Suggestion:
    """The entry a tracking code opens; 404 for a wrong or malformed code (same work either way)."""
    entry = (await session.execute(select(Suggestion).where(
        Suggestion.tracking_hash == codes.hash_code(code)))).scalar_one_or_none()
    if entry is None or not codes.plausible(code):
        raise UnknownTrackingCode("No entry for this tracking code.")
    return entry


async def get_for_staff(session: AsyncSession, entry_id: str, staff: Staff) -> Suggestion:
    """An entry this staff member may see; 404 otherwise."""
    entry = await session.get(Suggestion, entry_id)
    if entry is None or not staff.sees(department_code=entry.department_code, tenant=entry.tenant):
        raise NotFound(f"No suggestion-box entry {entry_id}.")
    return entry


async def list_for_staff(session: AsyncSession, staff: Staff, page: PageParams, *, status: str | None,
                         kind: str | None) -> tuple[list[Suggestion], str | None]:
    """One page of the entries this staff member may see, newest first, and the next page's cursor."""
    query = select(Suggestion).where(*seen_by(staff, tenant=Suggestion.tenant, department=Suggestion.department_code))
    if status:
        query = query.where(Suggestion.status == status)
    if kind:
        query = query.where(Suggestion.kind == kind)
    return await paginate(session, query, page, keys=[Suggestion.submitted_at, Suggestion.id], descending=True)


async def escalations(session: AsyncSession, entry: Suggestion) -> list[SuggestionEscalation]:
    """The escalation steps an entry reached, in the order they were taken."""
    query = select(SuggestionEscalation).where(SuggestionEscalation.suggestion_id == entry.id).order_by(
        SuggestionEscalation.id)
    return list((await session.execute(query)).scalars())


def _require(entry: Suggestion, *states: str, action: str) -> None:
    if entry.status not in states:
        raise SuggestionStepForbidden(f"An entry that is {entry.status} cannot be {action}.")


async def accept(session: AsyncSession, entry: Suggestion) -> Suggestion:
    """The department takes the entry up."""
    _require(entry, "received", action="taken up")
    entry.status = "handling"
    await session.flush()
    return entry


async def reply(session: AsyncSession, entry: Suggestion, *, text: str, staff: Staff, now: datetime) -> Suggestion:
    """The department replies; the reply is what the tracking code shows."""
    _require(entry, "received", "handling", action="replied to")
    entry.status, entry.reply, entry.replied_by, entry.replied_at = "replied", text, staff.key, now
    await session.flush()
    return entry


async def close(session: AsyncSession, entry: Suggestion, *, now: datetime) -> Suggestion:
    """Close a replied entry."""
    _require(entry, "replied", action="closed")
    entry.status, entry.closed_at = "closed", now
    await session.flush()
    return entry
