"""Complaints (投诉) to the supervising department, with the statutory guards and deadlines.

- Who: an enterprise registered for the project, through the key that registered it (the
  interested parties the platform knows; others complain on paper).
- When (§60): within ``complaint_days`` (10) days of the day the complainant knew or should have
  known of the matter; ``known_at`` may not lie in the future nor before the tender was created.
  Complaints on the opening (§44) or on the evaluation result (§54) are heard only after the
  complainant raised an objection on that matter with the tenderer (异议前置): at the opening
  for ``opening``, during the candidates' publicity for ``evaluation_result``.
- Deadline (§61): the supervising department accepts within 3 working days and decides within
  ``complaint_handling_workdays`` (30) working days of accepting; ``due_at`` is the end of the
  working day 3 + 30 working days after filing, counted on the district's calendar (holidays and
  调休 included). Supervisors see complaints due within 3 days and overdue ones in their alerts.
  A deadline counted into a year whose State Council holiday notice is not loaded is provisional
  (counted there by weekends alone): ``due_basis`` records why, when it is counted.
- Effect: no award is made while a complaint on the project is pending. An upheld complaint on
  publicised candidates lets the tenderer resume evaluation (``publicised → evaluating``); the
  decision is recorded with who made it and when.
- Objections to the winning candidates are taken only during the publicity period and answered
  within ``objection_answer_days`` (3, §54): the alert list shows unanswered ones past that.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding.domain.bidders import registration_of
from bianmin.bidding.domain.common import actor_of, new_id, scoped
from bianmin.bidding.domain.errors import (
    ComplaintDecided,
    ComplaintLate,
    ComplaintNotFound,
    NotPublished,
    NotRegistered,
    ObjectionRequired,
)
from bianmin.bidding.models import Complaint, OpeningResponse, Project, Registration
from bianmin.bidding.schemas import ComplaintCreate
from bianmin.bidding.settings import BiddingSettings
from bianmin.kit.calendar import load_calendar
from bianmin.kit.errors import Unprocessable
from bianmin.kit.identity import Principal
from bianmin.kit.workdays import local_date

ACCEPT_WORKDAYS = 3
OBJECTION_STAGE = {"opening": "opening", "evaluation_result": "publicity"}


def late(known_at: datetime, now: datetime, days: int) -> bool:
    """Whether a complaint filed at ``now`` comes more than ``days`` days after ``known_at`` (§60)."""
    return now > known_at + timedelta(days=days)


async def file(session: AsyncSession, project: Project, body: ComplaintCreate, *, now: datetime, by: Principal,
               settings: BiddingSettings) -> Complaint:
    """File a complaint on a tender, checking the complainant, the 10-day limit and the prior objection."""
    if project.status == "draft" or project.method == "direct":
        raise NotPublished("Complaints concern published tenders.")
    if body.known_at > now:
        raise Unprocessable.field("known_at", "must not be in the future")
    if body.known_at < project.created_at:
        raise Unprocessable.field("known_at", "must not be before the tender was created")
    if late(body.known_at, now, settings.complaint_days):
        raise ComplaintLate.field("known_at", f"complaints are filed within {settings.complaint_days} days of knowing "
                                        "of the matter (§60)")
    registration = (await session.execute(select(Registration).where(
        Registration.project_id == project.id, Registration.credit_code == body.credit_code)
        .order_by(Registration.id).limit(1))).scalar_one_or_none()
    if registration is None:
        raise NotRegistered(f"{body.credit_code} did not register for {project.code}.")
    section = next(s for s in project.sections if s.id == registration.section_id)
    await registration_of(session, section, body.credit_code, by)
    stage = OBJECTION_STAGE.get(body.matter)
    if stage is not None:
        objected = (await session.execute(select(OpeningResponse.id).where(
            OpeningResponse.project_id == project.id, OpeningResponse.credit_code == body.credit_code,
            OpeningResponse.kind == "objection", OpeningResponse.stage == stage))).first()
        if objected is None:
            raise ObjectionRequired.field("matter", f"a complaint on the {body.matter.replace('_', ' ')} needs a prior "
                                          "objection to the tenderer (§60)")
    calendar = await load_calendar(session)
    due = calendar.deadline(now, ACCEPT_WORKDAYS + settings.complaint_handling_workdays)
    complaint = Complaint(id=new_id(), project_id=project.id, tenant=project.tenant,
                          complainant_credit_code=body.credit_code, matter=body.matter, text=body.text,
                          known_at=body.known_at, filed_at=now, due_at=due, status="pending",
                          due_basis=calendar.provisional_reason(local_date(now), local_date(due)))
    session.add(complaint)
    await session.flush()
    return complaint


async def get(session: AsyncSession, complaint_id: str, by: Principal) -> Complaint:
    """A complaint of the supervisor's sites; 404 otherwise."""
    complaint = await session.get(Complaint, complaint_id)
    if complaint is None or not by.may_act_on(complaint.tenant):
        raise ComplaintNotFound(f"No complaint {complaint_id}.")
    return complaint


async def decide(session: AsyncSession, complaint: Complaint, *, outcome: str, text: str, now: datetime,
                 by: Principal) -> Complaint:
    """Decide a pending complaint (upheld or dismissed) and record who decided it."""
    if complaint.status != "pending":
        raise ComplaintDecided(f"The complaint was {complaint.status} already.")
    complaint.status, complaint.decision, complaint.decided_at, complaint.decided_by = outcome, text, now, actor_of(by)
    await session.flush()
    return complaint


async def list_for(session: AsyncSession, who: Principal, *,
                   status: str | None = None) -> list[tuple[Complaint, Project]]:
    """The complaints of the principal's sites with their projects, the earliest due first (at most 500)."""
    statement = scoped(select(Complaint, Project).join(Project, Project.id == Complaint.project_id),
                       Complaint.tenant, who)
    if status:
        statement = statement.where(Complaint.status == status)
    rows = (await session.execute(statement.order_by(Complaint.due_at, Complaint.id).limit(500))).all()
    return [(complaint, project) for complaint, project in rows]


async def project_of(session: AsyncSession, complaint: Complaint) -> Project:
    """The project a complaint concerns."""
    project = await session.get(Project, complaint.project_id)
    assert project is not None
    return project
