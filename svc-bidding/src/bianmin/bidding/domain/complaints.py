"""Complaints (投诉) to the supervising department, with the statutory guards and deadlines.

- Who (实施条例 §60: 投标人或者其他利害关系人): a bidder or any other interested party. An enterprise
  complains through a key or account that acts for its credit code (naming a code proves nothing); one
  registered for the project is a ``bidder``, any other (a potential bidder kept out by the documents'
  conditions, a subcontractor, ...) an ``interested_party`` that states its interest (利害关系). A person
  signed in complains in their own name (``person``), stating their interest too. An app acting alone
  names the enterprise it acts for.
- Evidence (必要的证明材料, 工程建设项目招标投标活动投诉处理办法 §7): attachments named by SHA-256,
  file name and size; the files stay with the complainant's app, the hash binds the complaint to them.
- When (§60): within ``complaint_days`` (10) days of the day the complainant knew or should have
  known of the matter; ``known_at`` may not lie in the future nor before the tender was created.
  Complaints on the opening (§44) or on the evaluation result (§54) are heard only after the
  complainant raised an objection on that matter with the tenderer (异议前置): at the opening
  for ``opening``, during the candidates' publicity for ``evaluation_result``.
- Deadlines (§61): the supervising department decides within ``complaint_accept_workdays`` (3) working
  days of receiving a complaint whether to accept it (受理) — ``accept_due_at``, the end of that working
  day — and decides within ``complaint_handling_workdays`` (30) working days of accepting. Until it is
  accepted ``due_at`` is the latest the decision can be due (3 + 30 working days after filing); on
  acceptance it becomes 30 working days from that day. Working days are the district's calendar
  (holidays and 调休 included). An acceptance missing after its deadline, or given after it, shows as
  ``accept_overdue``; supervisors see unaccepted overdue complaints, and complaints due within 3 days
  or overdue, in their alerts. A deadline counted into a year whose State Council holiday notice is not
  loaded is provisional (counted there by weekends alone): ``due_basis`` records why.
- Steps: ``pending`` → ``accepted`` → ``upheld`` or ``dismissed``; or ``pending`` → ``not_accepted``
  (不予受理, 投诉处理办法 §12) with the reason. No award is made while a complaint on the project is
  pending or accepted. An upheld complaint on publicised candidates lets the tenderer resume
  evaluation (``publicised → evaluating``); each step is recorded with who took it and when.
- Objections to the winning candidates are taken only during the publicity period and answered
  within ``objection_answer_days`` (3, §54): the alert list shows unanswered ones past that.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding.domain.bidders import ensure_acts_for
from bianmin.bidding.domain.common import acting_id, actor_of, new_id, scoped
from bianmin.bidding.domain.errors import (
    ComplaintDecided,
    ComplaintLate,
    ComplaintNotAccepted,
    ComplaintNotFound,
    NotPublished,
    ObjectionRequired,
)
from bianmin.bidding.models import Complaint, OpeningResponse, Project, Registration
from bianmin.bidding.schemas import ComplaintCreate
from bianmin.bidding.settings import BiddingSettings
from bianmin.kit import subjects
from bianmin.kit.calendar import load_calendar
from bianmin.kit.errors import Unprocessable
from bianmin.kit.identity import Principal
from bianmin.kit.workdays import local_date

OBJECTION_STAGE = {"opening": "opening", "evaluation_result": "publicity"}


def late(known_at: datetime, now: datetime, days: int) -> bool:
    """Whether a complaint filed at ``now`` comes more than ``days`` days after ``known_at`` (§60)."""
    return now > known_at + timedelta(days=days)


async def file(session: AsyncSession, project: Project, body: ComplaintCreate, *, now: datetime, by: Principal,
               settings: BiddingSettings) -> Complaint:
    """File a complaint on a tender, checking the complainant, its evidence, the 10-day limit and the prior objection."""
    if project.status == "draft" or project.method == "direct":
        raise NotPublished("Complaints concern published tenders.")
    if body.known_at > now:
        raise Unprocessable.field("known_at", "must not be in the future")
    if body.known_at < project.created_at:
        raise Unprocessable.field("known_at", "must not be before the tender was created")
    if late(body.known_at, now, settings.complaint_days):
        raise ComplaintLate.field("known_at", f"complaints are filed within {settings.complaint_days} days of knowing "
                                        "of the matter (§60)")
    kind, complainant_id = await _complainant(session, project, body, by)
    seen: set[str] = set()
    for i, attachment in enumerate(body.attachments):
        if attachment.sha256 in seen:
            raise Unprocessable.field(f"attachments.{i}.sha256", "the same file is attached twice")
        seen.add(attachment.sha256)
    stage = OBJECTION_STAGE.get(body.matter)
    if stage is not None:
        objected = (await session.execute(select(OpeningResponse.id).where(
            OpeningResponse.project_id == project.id, OpeningResponse.credit_code == (body.credit_code or "-"),
            OpeningResponse.kind == "objection", OpeningResponse.stage == stage))).first()
        if objected is None:
            raise ObjectionRequired.field("matter", f"a complaint on the {body.matter.replace('_', ' ')} needs a prior "
                                          "objection to the tenderer (§60)")
    calendar = await load_calendar(session)
    accept_due = calendar.deadline(now, settings.complaint_accept_workdays)
    due = calendar.deadline(now, settings.complaint_accept_workdays + settings.complaint_handling_workdays)
    complaint = Complaint(id=new_id(), project_id=project.id, tenant=project.tenant,
                          complainant_credit_code=body.credit_code, complainant_kind=kind,
                          complainant_id=complainant_id, interest=body.interest,
                          attachments=[a.model_dump() for a in body.attachments], matter=body.matter, text=body.text,
                          known_at=body.known_at, filed_at=now, accept_due_at=accept_due, due_at=due,
                          status="pending", due_basis=calendar.provisional_reason(local_date(now), local_date(due)))
    session.add(complaint)
    await session.flush()
    return complaint


async def _complainant(session: AsyncSession, project: Project, body: ComplaintCreate,
                       by: Principal) -> tuple[str, str | None]:
    """Who complains (kind, and the person's account for ``person``): a 403 for a credit code not the caller's."""
    if body.credit_code is not None:
        ensure_acts_for(by, body.credit_code)
        registered = (await session.execute(select(Registration.id).where(
            Registration.project_id == project.id, Registration.credit_code == body.credit_code).limit(1))).first()
        kind, complainant_id = ("bidder" if registered else "interested_party"), None
    elif by.is_a(subjects.CITIZEN):
        kind, complainant_id = "person", acting_id(by)
    else:
        raise Unprocessable.field("credit_code", "name the enterprise complaining, or sign in as the person complaining")
    if kind != "bidder" and not (body.interest or "").strip():
        raise Unprocessable.field("interest", "a complainant not registered for the project states its interest "
                                  "in it (利害关系, §60)")
    return kind, complainant_id


async def get(session: AsyncSession, complaint_id: str, by: Principal) -> Complaint:
    """A complaint of the supervisor's sites; 404 otherwise."""
    complaint = await session.get(Complaint, complaint_id)
    if complaint is None or not by.may_act_on(complaint.tenant):
        raise ComplaintNotFound(f"No complaint {complaint_id}.")
    return complaint


async def accept(session: AsyncSession, complaint: Complaint, *, now: datetime, by: Principal,
                 settings: BiddingSettings) -> Complaint:
    """Accept (受理) a pending complaint: the decision is then due 30 working days from today (§61)."""
    if complaint.status != "pending":
        raise ComplaintDecided(f"The complaint was {complaint.status} already.")
    calendar = await load_calendar(session)
    due = calendar.deadline(now, settings.complaint_handling_workdays)
    complaint.status, complaint.accepted_at, complaint.accepted_by = "accepted", now, actor_of(by)
    complaint.due_at, complaint.due_basis = due, calendar.provisional_reason(local_date(now), local_date(due))
    await session.flush()
    return complaint


async def decide(session: AsyncSession, complaint: Complaint, *, outcome: str, text: str, now: datetime,
                 by: Principal) -> Complaint:
    """Decide a complaint: not accepted (不予受理) while pending; upheld or dismissed once accepted."""
    if outcome == "not_accepted" and complaint.status != "pending":
        raise ComplaintDecided(f"The complaint was {complaint.status} already.")
    if outcome != "not_accepted" and complaint.status == "pending":
        raise ComplaintNotAccepted("Accept the complaint (受理) before deciding it, or decide not to accept it.")
    if outcome != "not_accepted" and complaint.status != "accepted":
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
