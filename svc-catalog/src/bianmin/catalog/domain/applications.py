"""Applications (办件): intake checks, the promised date, the status flow, auto-approval, overdue.

- The applicant's number is checked by its check character when the body is read: a natural
  person's by the resident ID number (GB 11643), a legal person's by the unified social credit code
  (GB 32100), with the kit's identifier types (``schemas.Applicant``); the type must fit the item's
  target group.
- The item must be published and offered at the site through the channel (delegation as data). An
  application that came through a terminal (政银合作) names it (``terminal_code``): an open terminal
  standing under the site (the site is its parent or above it) that offers the item through the
  channel; the terminal's offering is then the one that counts, as the terminal is where the
  applicant was served. The application records it, so figures count it for its bank outlet. A
  closed site takes no application.
- Every required material must be supplied (422 naming the missing ones); a material backed by an
  electronic licence number, where the item allows it, counts as verified.
- Promised completion date: the item's promised limit in working days from the district calendar,
  the submission day (Asia/Shanghai) being day zero. A date counted across a year whose holiday
  notice is not loaded yet is counted by weekends alone and recorded as provisional, with the reason
  (:meth:`~bianmin.kit.workdays.WorkCalendar.provisional_reason`); it stays as given, and so does the
  flag, when the notice is loaded later: the date was promised on that basis.
- Flow: submitted → accepted | rejected (不予受理) | withdrawn; accepted → approved | rejected |
  withdrawn; approved → completed (with a certificate number). Rejected, completed and withdrawn
  are final; anything else is a 409. Each step records who and when.
- Auto-approval (无人审核): when the item is configured for it and every required material is
  present and verified, the application is accepted and approved at once by
  ``system:auto-approval`` and flagged ``auto_approved``.
- Back-entry (补录): an administrator may record an application or a step that happened earlier
  (a paper form taken during an outage, a terminal that was offline), at most 366 days back and
  never before the application's previous step nor in the future. A step decided on paper is
  back-entered by the district operator's key (an app acting alone holding ``admin`` district-wide),
  which records it rather than decides it; everyone else takes a step under the rules of Who.
- Who (issue 19, :mod:`bianmin.catalog.domain.people`): a citizen applies for themselves and is
  recorded as the applicant; staff holding ``acceptor`` at the site and the item's department take
  an application in for someone; an app acting alone (a portal key) submits within its tenancy.
  ``acceptor`` accepts and refuses to accept (不予受理); ``approver`` (second factor) approves,
  rejects an accepted one and completes, never on an application they submitted themselves; only
  the applicant withdraws. A citizen sees their own applications, staff those of the sites (and
  departments) where they hold a role, an app acting alone those of its tenancy.
- Overdue: an application still open (submitted, accepted, approved) after its promised date, or
  one finished (completed or rejected) on a later day than promised.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, and_, not_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.catalog.domain.errors import (
    ApplicationNotFound,
    ApplicationTransitionForbidden,
    NotTheHolder,
    SeparationOfDuties,
)
from bianmin.catalog.domain.people import (
    HANDLING,
    SITE_STAFF,
    actor,
    holder_of,
    is_holder,
    staff_area,
    unmasked_because,
)
from bianmin.catalog.domain.sites import require_terminal
from bianmin.catalog.models import Application, ApplicationStep, Item, Offering, Site
from bianmin.catalog.schemas import ApplicationCreate, SuppliedMaterial
from bianmin.contracts.events.catalog import ApplicationStatusChanged, ApplicationSubmitted
from bianmin.kit import subjects
from bianmin.kit.access_log import record_accesses
from bianmin.kit.calendar import load_calendar
from bianmin.kit.errors import RoleMissing, ScopeMissing, SecondFactorRequired, SubjectNotAllowed, Unprocessable
from bianmin.kit.events import emit
from bianmin.kit.identity import Principal, ensure_tenant
from bianmin.kit.pagination import PageParams, paginate
from bianmin.kit.workdays import local_date

AUTO_ACTOR = "system:auto-approval"
OPEN = ("submitted", "accepted", "approved")
FINAL = ("rejected", "completed", "withdrawn")
TRANSITIONS: dict[str, set[str]] = {
    "submitted": {"accepted", "rejected", "withdrawn"},
    "accepted": {"approved", "rejected", "withdrawn"},
    "approved": {"completed"},
    "rejected": set(), "completed": set(), "withdrawn": set(),
}


def check_transition(current: str, target: str) -> None:
    """409 unless an application may move from ``current`` to ``target``."""
    if target not in TRANSITIONS[current]:
        raise ApplicationTransitionForbidden(f"An application that is {current} cannot become {target}.")


def check_materials(item: Item, supplied: list[SuppliedMaterial]) -> list[dict[str, object]]:
    """The materials as recorded (with ``verified``); 422 for unknown, repeated or missing required ones."""
    wanted = {m["name"]: m for m in item.materials}
    recorded: list[dict[str, object]] = []
    seen: set[str] = set()
    for index, material in enumerate(supplied):
        spec = wanted.get(material.name)
        if spec is None:
            raise Unprocessable.field(f"materials.{index}.name", f"{material.name} is not a material of item {item.code}")
        if material.name in seen:
            raise Unprocessable.field(f"materials.{index}.name", f"{material.name} is listed twice")
        seen.add(material.name)
        if material.licence_no is not None and not spec.get("e_licence"):
            raise Unprocessable.field(f"materials.{index}.licence_no", f"{material.name} cannot be replaced by an electronic licence")
        recorded.append({"name": material.name, "licence_no": material.licence_no,
                         "verified": material.licence_no is not None})
    missing = [m["name"] for m in item.materials if m.get("required") and m["name"] not in seen]
    if missing:
        raise Unprocessable.field("materials", f"missing required materials: {', '.join(missing)}", code="materials_missing")
    return recorded


def qualifies_for_auto_approval(item: Item, recorded: list[dict[str, object]]) -> bool:
    """Whether an application is approved without a person: the item allows it and every required material is verified."""
    verified = {m["name"] for m in recorded if m["verified"]}
    return item.auto_approve and all(m["name"] in verified for m in item.materials if m.get("required"))


def is_overdue(application: Application, today: date) -> bool:
    """Open after its promised date, or finished later than promised."""
    if application.status in OPEN:
        return today > application.promised_date
    if application.status in ("completed", "rejected") and application.finished_at is not None:
        return local_date(application.finished_at) > application.promised_date
    return False


async def _step(session: AsyncSession, application: Application, target: str, *, actor: str, now: datetime,
                note: str = "", auto: bool = False) -> None:
    previous = application.status
    session.add(ApplicationStep(application_id=application.id, from_status=None if target == previous else previous,
                                to_status=target, actor=actor, note=note, at=now))
    application.status = target
    if target == previous:
        return
    await emit(session, "catalog.application.status_changed", ApplicationStatusChanged(
        number=application.number, item_code=application.item_code, site_code=application.site_code,
        from_status=previous, to_status=target, at=now, actor=public_actor(actor), auto=auto,  # type: ignore[arg-type]
        certificate_no=application.certificate_no), tenant=application.tenant, about=application.number)


def public_actor(actor: str) -> str:
    """The actor as events carry it: a citizen is ``applicant``, never their subject id (个人信息保护法: no personal data in events)."""
    return "applicant" if actor.startswith(f"{subjects.CITIZEN}:") else actor


BACK_ENTRY_LIMIT = timedelta(days=366)


def effective_time(who: Principal, given: datetime | None, *, now: datetime, field: str,
                   not_before: datetime | None = None) -> datetime:
    """When a change happened: now, or a back-entered time an administrator gives (checked)."""
    if given is None:
        return now
    if not who.has_scope("catalog:admin") or who.is_a(subjects.CITIZEN):
        raise ScopeMissing("Back-entry needs the scope catalog:admin (staff or the district's key, never a citizen).")
    if given > now:
        raise Unprocessable.field(field, "must not be in the future")
    if given < now - BACK_ENTRY_LIMIT:
        raise Unprocessable.field(field, "must not be more than 366 days ago")
    if not_before is not None and given < not_before:
        raise Unprocessable.field(field, "must not be before the previous step")
    return given


async def submit(session: AsyncSession, data: ApplicationCreate, *, who: Principal, now: datetime) -> Application:
    """Receive an application: check it, compute its promised date, record and announce it."""
    now = effective_time(who, data.received_at, now=now, field="received_at")
    today = local_date(now)
    item = (await session.execute(select(Item).where(Item.code == data.item_code))).scalar_one_or_none()
    if item is None or item.status != "published":
        raise Unprocessable.field("item_code", f"no published item {data.item_code}")
    site = await session.get(Site, data.site_code)
    if site is None:
        raise Unprocessable.field("site_code", f"no site {data.site_code}")
    if not site.active:
        raise Unprocessable.field("site_code", f"site {site.code} is closed")
    ensure_tenant(who, site.tenant)
    if who.is_a(subjects.STAFF) and not who.has_role("acceptor", site.code, item.department_code):
        raise RoleMissing(f"Taking in an application needs the role acceptor at site {site.code} "
                          f"for department {item.department_code}.")
    if data.terminal_code is not None:
        await require_terminal(session, data.terminal_code, site=site, item=item, channel=data.channel)
    elif (await session.execute(select(Offering).where(
            Offering.item_id == item.id, Offering.site_code == site.code, Offering.channel == data.channel))).first() is None:
        raise Unprocessable.field("channel", f"site {site.code} does not offer item {item.code} through {data.channel}")
    applicant = data.applicant
    if item.target_group not in ("both", applicant.type):
        raise Unprocessable.field("applicant.type", f"item {item.code} serves {item.target_group} persons only")
    recorded = check_materials(item, data.materials)
    calendar = await load_calendar(session)
    promised = calendar.add_workdays(today, item.promised_limit_days)
    promised_basis = calendar.provisional_reason(today, promised)
    application = Application(
        number=f"tmp-{uuid.uuid4().hex}", item_id=item.id, item_code=item.code,
        item_revision=item.revision, department_code=item.department_code, site_code=site.code, tenant=site.tenant,
        terminal_code=data.terminal_code,
        channel=data.channel, applicant_type=applicant.type, applicant_id_number=applicant.id_number,
        applicant_name=applicant.name, applicant_phone=applicant.phone, materials=recorded, status="submitted",
        auto_approved=False, submitted_at=now, submitted_on=today,
        promised_date=promised, promised_provisional=promised_basis is not None, promised_basis=promised_basis,
        applicant_subject=holder_of(who), submitted_by=actor(who))
    session.add(application)
    await session.flush()
    application.number = f"BJ{today:%Y%m%d}{application.id:07d}"
    await _step(session, application, "submitted", actor=actor(who), now=now)
    await emit(session, "catalog.application.submitted", ApplicationSubmitted(
        number=application.number, item_code=item.code, department_code=item.department_code, site_code=site.code,
        channel=data.channel, applicant_type=applicant.type, submitted_at=now,
        promised_date=application.promised_date, status="submitted"), tenant=site.tenant, about=application.number)
    if qualifies_for_auto_approval(item, recorded):
        application.auto_approved = True
        await _step(session, application, "accepted", actor=AUTO_ACTOR, now=now, note="无人审核", auto=True)
        await _step(session, application, "approved", actor=AUTO_ACTOR, now=now, note="无人审核", auto=True)
    await session.flush()
    return application


async def transition(session: AsyncSession, application: Application, target: str, *, who: Principal, now: datetime,
                     note: str = "", certificate_no: str | None = None, reason: str | None = None,
                     at: datetime | None = None) -> Application:
    """Move an application on; completion needs a certificate number, rejection a reason."""
    check_transition(application.status, target)
    if not (at is not None and who.operator and who.subject is None):  # 补录 by the district operator's key
        authorise_transition(who, application, target)
    last = (await steps_of(session, application))[-1].at
    now = effective_time(who, at, now=now, field="at", not_before=last)
    if target == "completed":
        if certificate_no is None:
            raise Unprocessable.field("certificate_no", "is required to complete an application")
        application.certificate_no = certificate_no
    if target == "rejected":
        if reason is None:
            raise Unprocessable.field("reason", "is required to reject an application")
        application.reason = reason
    if target in FINAL:
        application.finished_at = now
        application.finished_on = local_date(now)
    await _step(session, application, target, actor=actor(who), now=now, note=note)
    await session.flush()
    return application


def role_for(current: str, target: str) -> str | None:
    """The staff role a step needs: 受理 and 不予受理 the acceptor's, the rest of the decision the approver's."""
    if target == "withdrawn":
        return None
    return "acceptor" if target == "accepted" or (current == "submitted" and target == "rejected") else "approver"


def authorise_transition(who: Principal, application: Application, target: str) -> None:
    """403 unless this caller may take this step (受审分离, 政务服务): see the module docstring."""
    if who.subject is None:
        raise SubjectNotAllowed("Steps are taken by people signed in; an app acting alone only back-enters (补录) "
                                "with the district operator's key.")
    role = role_for(application.status, target)
    if role is None:
        if not is_holder(who, application.applicant_subject):
            raise NotTheHolder("Only the applicant withdraws an application.")
        return
    if not who.has_role(role, application.site_code, application.department_code):
        raise RoleMissing(f"This step needs the role {role} at site {application.site_code} "
                          f"for department {application.department_code}.")
    if role == "approver":
        if not who.subject.second_factor:
            raise SecondFactorRequired("Approving needs a sign-in with a second factor (TOTP).")
        if application.submitted_by == actor(who):
            raise SeparationOfDuties("Whoever submitted an application may not decide it.")


async def get_application(session: AsyncSession, number: str, who: Principal) -> Application:
    """The application with this number, 404 when it does not exist or belongs to another township."""
    application = (await session.execute(select(Application).where(Application.number == number))).scalar_one_or_none()
    if application is None or not may_see(who, application):
        raise ApplicationNotFound(f"No application {number}.")
    return application


APPLICANT_FIELDS = ("applicant_name", "applicant_phone", "applicant_id_number")
HANDLING_PURPOSE = "受理/审批: the acceptor or approver of the application's site and department handles it"


async def disclose(session: AsyncSession, who: Principal, applications: Sequence[Application], *, now: datetime,
                   action: str) -> list[bool]:
    """For each application, whether the applicant's data must be masked for this caller; unmasked reads by staff are logged.

    个人信息保护法 §51 and GB/T 35273 §7.4: the applicant sees their own data, the acceptor and approver
    of the application's site and department see it for their task, and each such read by staff is
    recorded in the access log in the read's own transaction (one statement for a whole page);
    everyone else sees it masked.
    """
    reasons = [unmasked_because(who, a.site_code, a.department_code, a.applicant_subject) for a in applications]
    await record_accesses(session, who, at=now, action=action, fields=APPLICANT_FIELDS, purpose=HANDLING_PURPOSE,
                          resources=[(f"application/{a.number}", a.site_code)
                                     for a, reason in zip(applications, reasons, strict=True) if reason == HANDLING])
    return [reason is None for reason in reasons]


def may_see(who: Principal, application: Application) -> bool:
    """The applicant sees their own; staff those where they hold a role; others (apps, supervisors) by tenancy."""
    if who.is_a(subjects.CITIZEN):
        return is_holder(who, application.applicant_subject)
    if who.is_a(subjects.STAFF):
        assert who.subject is not None
        return who.may_act_on(application.tenant) and any(
            r.name in SITE_STAFF and r.covers(application.site_code, application.department_code)
            for r in who.subject.roles)
    return who.may_act_on(application.tenant)


async def steps_of(session: AsyncSession, application: Application) -> list[ApplicationStep]:
    """The steps of an application, oldest first."""
    return list((await session.execute(select(ApplicationStep).where(ApplicationStep.application_id == application.id)
                                       .order_by(ApplicationStep.id))).scalars())


@dataclass(frozen=True)
class ApplicationFilter:
    """What a list of applications is narrowed to."""

    status: str | None = None
    site: str | None = None
    department: str | None = None
    item: str | None = None
    start: date | None = None
    end: date | None = None
    overdue: bool | None = None


def filtered(who: Principal, f: ApplicationFilter, today: date) -> Select[tuple[Application]]:
    """The applications this principal may see that pass the filters."""
    query = select(Application)
    if not who.district_wide:
        query = query.where(Application.tenant == who.tenant)
    if who.is_a(subjects.CITIZEN):
        query = query.where(Application.applicant_subject == holder_of(who))
    elif who.is_a(subjects.STAFF):
        query = query.where(staff_area(who, Application.site_code, Application.department_code))
    for column, value in ((Application.status, f.status), (Application.site_code, f.site),
                          (Application.department_code, f.department), (Application.item_code, f.item)):
        if value is not None:
            query = query.where(column == value)
    if f.start is not None:
        query = query.where(Application.submitted_on >= f.start)
    if f.end is not None:
        query = query.where(Application.submitted_on <= f.end)
    late = and_(Application.status.in_(OPEN), Application.promised_date < today)
    if f.overdue is True:
        query = query.where(late)
    elif f.overdue is False:
        query = query.where(not_(late))
    return query


async def list_applications(session: AsyncSession, who: Principal, f: ApplicationFilter, *, today: date,
                            page: PageParams) -> tuple[list[Application], str | None]:
    """One page of the applications this principal may see that pass the filters, newest first."""
    return await paginate(session, filtered(who, f, today), page, keys=[Application.id], descending=True)
