"""Evaluations (好差评): one rating per application, and a rectification case for every bad one.

Levels: 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意; 2 and 1 are bad reviews. An
application can be rated once it has been accepted (or rejected, or finished); a withdrawn or
merely submitted one cannot. A bad review opens a case: contact the citizen within
``rectification_contact_days`` working days (1 in Zhejiang's practice), fix within
``rectification_days`` (15 by default), then the citizen rates again (追评) and the case closes.
Before the fix, the department may appeal a review it considers malicious (申诉复核); someone above
the site decides (see Who): upheld voids the review (it leaves the satisfaction figures), dismissed sends
the case back to where it was.

Who (issue 19, 国办发〔2019〕51号): only the applicant rates and re-rates (追评), never a clerk's or a
portal's key (``not_the_holder``); the site's staff (hall manager, acceptor, approver of the site
and department) or the site's own key contact, rectify and appeal; an appeal is decided above the
rated site: by a ``hall_manager`` (second factor) whose role is held at a site strictly above it
(the role table gives hall managers the appeals of the sites below), by an operator, or by a key
bound above the site (the district's); the site itself never decides (``decided_above_site``).

Case status: open → contacted → rectified → closed; open | contacted → appealed → voided | (back).
Satisfaction rate = ratings of level 3–5 ÷ all ratings that are not voided.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.catalog.domain.errors import (
    AlreadyAppealed,
    AlreadyRated,
    ApplicationNotRateable,
    CaseStepForbidden,
    DecidedAboveSite,
    EvaluationNotFound,
    NoRectificationCase,
    NotTheHolder,
)
from bianmin.catalog.domain.people import SITE_STAFF, held_above, holder_of, is_holder, staff_area, tenant_above
from bianmin.catalog.models import Application, Evaluation
from bianmin.contracts.events.catalog import EvaluationSubmitted
from bianmin.kit import subjects
from bianmin.kit.calendar import load_calendar
from bianmin.kit.errors import RoleMissing, SecondFactorRequired, Unprocessable
from bianmin.kit.events import emit
from bianmin.kit.identity import Principal
from bianmin.kit.pagination import PageParams, paginate
from bianmin.kit.workdays import local_date

LEVEL_NAMES = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
RATEABLE = ("accepted", "approved", "rejected", "completed")
CASE_STAFF = ("hall_manager", "acceptor", "approver")
STEPS: dict[str, tuple[set[str], str]] = {
    "contact": ({"open"}, "contacted"),
    "rectify": ({"contacted"}, "rectified"),
    "rerate": ({"rectified"}, "closed"),
    "appeal": ({"open", "contacted"}, "appealed"),
}


def is_bad(level: int) -> bool:
    """不满意 and 非常不满意 are bad reviews."""
    return level <= 2


async def rate(session: AsyncSession, application: Application, *, who: Principal, level: int, comment: str,
               now: datetime, contact_days: int, fix_days: int) -> Evaluation:
    """Record the one rating of an application, by its applicant; a bad one opens a rectification case."""
    if not is_holder(who, application.applicant_subject):
        raise NotTheHolder("Only the applicant rates an application (国办发〔2019〕51号).")
    if application.status not in RATEABLE:
        raise ApplicationNotRateable(f"An application that is {application.status} cannot be rated.")
    if (await session.execute(select(Evaluation.id).where(Evaluation.application_id == application.id))).first():
        raise AlreadyRated("This application has been rated already (一事一评).")
    today = local_date(now)
    evaluation = Evaluation(application_id=application.id, tenant=application.tenant, site_code=application.site_code,
                            department_code=application.department_code, level=level, comment=comment,
                            submitted_at=now)
    if is_bad(level):
        calendar = await load_calendar(session)
        evaluation.case_status = "open"
        evaluation.contact_due = calendar.add_workdays(today, contact_days)
        evaluation.fix_due = calendar.add_workdays(today, fix_days)
    session.add(evaluation)
    await session.flush()
    await emit(session, "catalog.evaluation.submitted", EvaluationSubmitted(
        application_number=application.number, item_code=application.item_code, site_code=application.site_code,
        department_code=application.department_code, level=level, bad=is_bad(level), submitted_at=now),
        tenant=application.tenant, about=application.number)
    return evaluation


async def step(session: AsyncSession, evaluation: Evaluation, action: str, *, who: Principal, now: datetime,
               note: str = "", level: int | None = None, upheld: bool | None = None) -> Evaluation:
    """Advance a rectification case by one step; 409 when its status forbids the step."""
    if evaluation.case_status is None:
        raise NoRectificationCase("A good review has no rectification case.")
    await authorise_step(session, evaluation, action, who)
    if action == "decide_appeal":
        if evaluation.case_status != "appealed":
            raise CaseStepForbidden(f"A case that is {evaluation.case_status} has no appeal to decide.")
        if upheld is None:
            raise Unprocessable.field("upheld", "is required to decide an appeal")
        evaluation.appeal_decision = "upheld" if upheld else "dismissed"
        evaluation.appeal_decided_at = now
        evaluation.case_status = "voided" if upheld else ("contacted" if evaluation.contacted_at else "open")
        await session.flush()
        return evaluation
    allowed, target = STEPS[action]
    if evaluation.case_status not in allowed:
        raise CaseStepForbidden(f"A case that is {evaluation.case_status} cannot {action}.")
    if action == "contact":
        evaluation.contacted_at, evaluation.contact_note = now, note
    elif action == "rectify":
        evaluation.rectified_at, evaluation.rectification_note = now, note
    elif action == "rerate":
        if level is None:
            raise Unprocessable.field("level", "is required for the second rating")
        evaluation.second_level, evaluation.second_rated_at = level, now
    else:
        if not note:
            raise Unprocessable.field("note", "an appeal needs its reason")
        if evaluation.appeal_decision is not None:
            raise AlreadyAppealed("This review was appealed once already.")
        evaluation.appeal_reason, evaluation.appealed_at = note, now
    evaluation.case_status = target
    await session.flush()
    return evaluation


async def authorise_step(session: AsyncSession, evaluation: Evaluation, action: str, who: Principal) -> None:
    """403 unless this caller may take this step of the case (see the module docstring)."""
    site, department = evaluation.site_code, evaluation.department_code
    if action == "rerate":
        holder = (await session.execute(select(Application.applicant_subject)
                                        .where(Application.id == evaluation.application_id))).scalar_one()
        if not is_holder(who, holder):
            raise NotTheHolder("Only the applicant rates again (追评, 国办发〔2019〕51号).")
    elif action == "decide_appeal":
        if who.is_a(subjects.OPERATOR):
            return
        if who.subject is None:
            if not tenant_above(who, site):
                raise DecidedAboveSite(f"An appeal against site {site} is decided above it, not by its own key.")
            return
        if not held_above(who, "hall_manager", site, department):
            raise DecidedAboveSite(f"An appeal against site {site} is decided by a hall manager above it.")
        if not who.subject.second_factor:
            raise SecondFactorRequired("Deciding an appeal needs a sign-in with a second factor (TOTP).")
    elif who.subject is not None and not any(who.has_role(role, site, department) for role in CASE_STAFF):
        raise RoleMissing(f"This step needs the role {' or '.join(CASE_STAFF)} at site {site} "
                          f"for department {department}.")


def may_see(who: Principal, evaluation: Evaluation, holder: str | None) -> bool:
    """The applicant sees their own; staff those where they hold a role; others (apps, supervisors) by tenancy."""
    if who.is_a(subjects.CITIZEN):
        return is_holder(who, holder)
    if not who.may_act_on(evaluation.tenant):
        return False
    if who.is_a(subjects.STAFF):
        assert who.subject is not None
        return any(r.name in SITE_STAFF and r.covers(evaluation.site_code, evaluation.department_code)
                   for r in who.subject.roles)
    return True


async def get_evaluation(session: AsyncSession, evaluation_id: int, who: Principal) -> tuple[Evaluation, str]:
    """An evaluation this principal may see and its application's number, or 404."""
    row = (await session.execute(select(Evaluation, Application.number, Application.applicant_subject)
                                 .join(Application, Application.id == Evaluation.application_id)
                                 .where(Evaluation.id == evaluation_id))).first()
    if row is None or not may_see(who, row[0], row[2]):
        raise EvaluationNotFound(f"No evaluation {evaluation_id}.")
    return row[0], row[1]


@dataclass(frozen=True)
class EvaluationFilter:
    """What a list of evaluations is narrowed to; ``bad`` True keeps levels 1-2, False levels 3-5."""

    site: str | None = None
    department: str | None = None
    case_status: str | None = None
    bad: bool | None = None


async def list_evaluations(session: AsyncSession, who: Principal, f: EvaluationFilter, *,
                           page: PageParams) -> tuple[list[tuple[Evaluation, str]], str | None]:
    """One page of the evaluations this principal may see, with their applications' numbers, newest first."""
    query = select(Evaluation, Application.number).join(Application, Application.id == Evaluation.application_id)
    if not who.district_wide:
        query = query.where(Evaluation.tenant == who.tenant)
    if who.is_a(subjects.CITIZEN):
        query = query.where(Application.applicant_subject == holder_of(who))
    elif who.is_a(subjects.STAFF):
        query = query.where(staff_area(who, Evaluation.site_code, Evaluation.department_code))
    if f.site is not None:
        query = query.where(Evaluation.site_code == f.site)
    if f.department is not None:
        query = query.where(Evaluation.department_code == f.department)
    if f.case_status is not None:
        query = query.where(Evaluation.case_status == f.case_status)
    if f.bad is not None:
        query = query.where(Evaluation.level <= 2 if f.bad else Evaluation.level >= 3)
    rows, cursor = await paginate(session, query, page, keys=[Evaluation.id], descending=True, scalars=False)
    return [(row[0], row[1]) for row in rows], cursor
