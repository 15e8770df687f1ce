"""Complaints (投诉): filed by bidders, decided by supervisors (see ``domain/complaints.py``)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from bianmin.bidding.api.deps import BID, BIDDER, SUPERVISE, SUPERVISE_DECIDE, SUPERVISOR_ROLE, WATCH, SettingsDep
from bianmin.bidding.api.views import complaint_view
from bianmin.bidding.domain import complaints
from bianmin.bidding.domain.common import get_visible
from bianmin.bidding.schemas import ComplaintCreate, ComplaintDecision, ComplaintRead
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import PrincipalDep, require_scopes
from bianmin.kit.policy import ensure_role

router = APIRouter(tags=["complaints"])


@router.post("/projects/{code}/complaints", status_code=201, summary="File a complaint",
             dependencies=[require_scopes(BID), BIDDER], responses=problem_responses(401, 403, 404, 409, 422))
async def file_complaint(code: str, body: ComplaintCreate, session: SessionDep, who: PrincipalDep,
                         idem: IdempotencyDep, clock: ClockDep, settings: SettingsDep) -> ComplaintRead:
    """File a complaint within 10 days of knowing of the matter (§60); the award waits for its decision."""
    project = await get_visible(session, code, who)
    complaint = await complaints.file(session, project, body, now=clock.now(), by=who, settings=settings)
    return await idem.finish(session, complaint_view(project, complaint))


@router.get("/complaints", summary="Complaints of the supervisor's sites", dependencies=[require_scopes(SUPERVISE), WATCH],
            responses=problem_responses(401, 403, 422))
async def list_complaints(session: ReadSessionDep, who: PrincipalDep,
                          status: Literal["pending", "upheld", "dismissed"] | None = None) -> list[ComplaintRead]:
    """Complaints, the earliest due first."""
    return [complaint_view(project, complaint)
            for complaint, project in await complaints.list_for(session, who, status=status)]


@router.post("/complaints/{complaint_id}/decide", summary="Decide a complaint",
             dependencies=[require_scopes(SUPERVISE), SUPERVISE_DECIDE], responses=problem_responses(401, 403, 404, 409, 422))
async def decide_complaint(complaint_id: str, body: ComplaintDecision, session: SessionDep, who: PrincipalDep,
                           clock: ClockDep) -> ComplaintRead:
    """Uphold or dismiss a pending complaint, with the decision's text."""
    complaint = await complaints.get(session, complaint_id, who)
    project = await complaints.project_of(session, complaint)
    ensure_role(who, SUPERVISOR_ROLE, project.site_code)
    await complaints.decide(session, complaint, outcome=body.outcome, text=body.text, now=clock.now(), by=who)
    await session.commit()
    return complaint_view(project, complaint)
