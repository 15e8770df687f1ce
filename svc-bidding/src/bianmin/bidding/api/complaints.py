"""Complaints (投诉): filed by bidders, decided by supervisors (see ``domain/complaints.py``)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from sqlalchemy import select

from bianmin.bidding.api.deps import BID, SUPERVISE, SettingsDep
from bianmin.bidding.api.projects import projects_get
from bianmin.bidding.domain import complaints
from bianmin.bidding.models import Complaint, Project
from bianmin.bidding.schemas import ComplaintCreate, ComplaintDecision, ComplaintRead
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import PrincipalDep, require_scopes

router = APIRouter(tags=["complaints"])


def complaint_view(project: Project, complaint: Complaint) -> ComplaintRead:
    """A complaint with its project's code."""
    return ComplaintRead(id=complaint.id, project_code=project.code,
                         complainant_credit_code=complaint.complainant_credit_code, matter=complaint.matter,
                         text=complaint.text, known_at=complaint.known_at, filed_at=complaint.filed_at,
                         due_at=complaint.due_at, status=complaint.status, decision=complaint.decision,
                         decided_at=complaint.decided_at, decided_by=complaint.decided_by)


@router.post("/projects/{code}/complaints", status_code=201, summary="File a complaint",
             dependencies=[require_scopes(BID)], responses=problem_responses(401, 403, 404, 409, 422))
async def file_complaint(code: str, body: ComplaintCreate, session: SessionDep, who: PrincipalDep,
                         idem: IdempotencyDep, clock: ClockDep, settings: SettingsDep) -> ComplaintRead:
    """File a complaint within 10 days of knowing of the matter (§60); the award waits for its decision."""
    project = await projects_get(session, code, who)
    complaint = await complaints.file(session, project, body, now=clock.now(), by=who, settings=settings)
    return await idem.finish(session, complaint_view(project, complaint))


@router.get("/complaints", summary="Complaints of the supervisor's sites", dependencies=[require_scopes(SUPERVISE)],
            responses=problem_responses(401, 403, 422))
async def list_complaints(session: SessionDep, who: PrincipalDep,
                          status: Literal["pending", "upheld", "dismissed"] | None = None) -> list[ComplaintRead]:
    """Complaints, the earliest due first."""
    statement = select(Complaint, Project).join(Project, Project.id == Complaint.project_id)
    if not who.district_wide:
        statement = statement.where(Complaint.tenant == (who.tenant or "-"))
    if status:
        statement = statement.where(Complaint.status == status)
    rows = (await session.execute(statement.order_by(Complaint.due_at, Complaint.id).limit(500))).all()
    return [complaint_view(project, complaint) for complaint, project in rows]


@router.post("/complaints/{complaint_id}/decide", summary="Decide a complaint",
             dependencies=[require_scopes(SUPERVISE)], responses=problem_responses(401, 403, 404, 409, 422))
async def decide_complaint(complaint_id: str, body: ComplaintDecision, session: SessionDep, who: PrincipalDep,
                           clock: ClockDep) -> ComplaintRead:
    """Uphold or dismiss a pending complaint, with the decision's text."""
    complaint = await complaints.get(session, complaint_id, who)
    await complaints.decide(session, complaint, outcome=body.outcome, text=body.text, now=clock.now(), by=who)
    project = await session.get(Project, complaint.project_id)
    assert project is not None
    await session.commit()
    return complaint_view(project, complaint)
