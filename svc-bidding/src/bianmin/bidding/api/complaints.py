"""Complaints (投诉): filed by bidders and other interested parties, accepted and decided by supervisors
(see ``domain/complaints.py``)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from bianmin.bidding.api.deps import BID, COMPLAINANT, SUPERVISE, SUPERVISE_DECIDE, SUPERVISOR_ROLE, WATCH, SettingsDep
from bianmin.bidding.api.views import complaint_view
from bianmin.bidding.domain import archiving, complaints
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
             dependencies=[require_scopes(BID), COMPLAINANT], responses=problem_responses(401, 403, 404, 409, 422))
async def file_complaint(code: str, body: ComplaintCreate, session: SessionDep, who: PrincipalDep,
                         idem: IdempotencyDep, clock: ClockDep, settings: SettingsDep) -> ComplaintRead:
    """File a complaint within 10 days of knowing of the matter (§60), as a bidder or another interested party,
    with its evidence by hash; the award waits for its decision."""
    project = await get_visible(session, code, who)
    now = clock.now()
    complaint = await complaints.file(session, project, body, now=now, by=who, settings=settings)
    await archiving.amend(session, project, reason="complaint filed", now=now, settings=settings)
    return await idem.finish(session, complaint_view(project, complaint, now))


@router.get("/complaints", summary="Complaints of the supervisor's sites", dependencies=[require_scopes(SUPERVISE), WATCH],
            responses=problem_responses(401, 403, 422))
async def list_complaints(session: ReadSessionDep, who: PrincipalDep, clock: ClockDep,
                          status: Literal["pending", "accepted", "upheld", "dismissed", "not_accepted"] | None = None,
                          ) -> list[ComplaintRead]:
    """Complaints, the earliest due first, each saying whether its acceptance is overdue."""
    now = clock.now()
    return [complaint_view(project, complaint, now)
            for complaint, project in await complaints.list_for(session, who, status=status)]


@router.post("/complaints/{complaint_id}/accept", summary="Accept a complaint (受理)",
             dependencies=[require_scopes(SUPERVISE), SUPERVISE_DECIDE], responses=problem_responses(401, 403, 404, 409))
async def accept_complaint(complaint_id: str, session: SessionDep, who: PrincipalDep, clock: ClockDep,
                           settings: SettingsDep) -> ComplaintRead:
    """Accept a pending complaint, due within 3 working days of filing; the decision is due 30 working days on (§61)."""
    complaint = await complaints.get(session, complaint_id, who)
    project = await complaints.project_of(session, complaint)
    ensure_role(who, SUPERVISOR_ROLE, project.site_code)
    now = clock.now()
    await complaints.accept(session, complaint, now=now, by=who, settings=settings)
    await archiving.amend(session, project, reason="complaint accepted", now=now, settings=settings)
    await session.commit()
    return complaint_view(project, complaint, now)


@router.post("/complaints/{complaint_id}/decide", summary="Decide a complaint",
             dependencies=[require_scopes(SUPERVISE), SUPERVISE_DECIDE], responses=problem_responses(401, 403, 404, 409, 422))
async def decide_complaint(complaint_id: str, body: ComplaintDecision, session: SessionDep, who: PrincipalDep,
                           clock: ClockDep, settings: SettingsDep) -> ComplaintRead:
    """Uphold or dismiss an accepted complaint, or decline to accept a pending one, with the decision's text."""
    complaint = await complaints.get(session, complaint_id, who)
    project = await complaints.project_of(session, complaint)
    ensure_role(who, SUPERVISOR_ROLE, project.site_code)
    now = clock.now()
    await complaints.decide(session, complaint, outcome=body.outcome, text=body.text, now=now, by=who)
    await archiving.amend(session, project, reason=f"complaint decided: {body.outcome}", now=now, settings=settings)
    await session.commit()
    return complaint_view(project, complaint, now)
