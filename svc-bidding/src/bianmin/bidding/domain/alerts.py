"""What supervisors should look at: open collusion flags, bidders' hearings (陈述申辩) answered or past their
deadline and so waiting for the supervisor's decision on that bidder, complaints not accepted (受理) within their
three working days (实施条例 §61), complaints near or past their decision's deadline,
objections to the winning candidates unanswered for three days (§54), and direct-contract filings
refused as over the threshold or split (an attempt to skip a tender, 实施条例 §24), on the
supervisor's sites.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding.domain.common import scoped
from bianmin.bidding.domain.filings import refused_for
from bianmin.bidding.models import CollusionFlag, CollusionHearing, Complaint, OpeningResponse, Project
from bianmin.kit.identity import Principal

DUE_SOON = timedelta(days=3)
ANSWER_WITHIN = timedelta(days=3)
OPEN_COMPLAINT = ("pending", "accepted")


async def alerts(session: AsyncSession, who: Principal, *, now: datetime) -> list[dict[str, Any]]:
    """The alert list: flags, complaints, objections, then refused filings; each names its kind, project, id and since when."""
    out: list[dict[str, Any]] = []
    flags = await session.execute(scoped(select(CollusionFlag, Project).join(Project, Project.id == CollusionFlag.project_id)
                                         .where(CollusionFlag.status == "open"), CollusionFlag.tenant, who))
    for flag, project in flags.all():
        out.append({"kind": "collusion_flag", "project_code": project.code, "id": flag.id, "screen": flag.screen,
                    "since": flag.created_at.isoformat()})
    ready = await session.execute(scoped(
        select(CollusionHearing, CollusionFlag, Project).join(CollusionFlag, CollusionFlag.id == CollusionHearing.flag_id)
        .join(Project, Project.id == CollusionFlag.project_id)
        .where(CollusionFlag.status == "open", CollusionHearing.decision.is_(None),
               or_(CollusionHearing.statement.is_not(None), CollusionHearing.due_at < now))
        .order_by(CollusionHearing.due_at, CollusionHearing.id), CollusionFlag.tenant, who))
    for hearing, flag, project in ready.all():
        out.append({"kind": "collusion_hearing_ready", "project_code": project.code, "id": flag.id,
                    "credit_code": hearing.credit_code, "answered": hearing.statement is not None,
                    "since": (hearing.answered_at or hearing.due_at).isoformat()})
    unaccepted = await session.execute(scoped(select(Complaint, Project).join(Project, Project.id == Complaint.project_id)
                                              .where(Complaint.status == "pending", Complaint.accept_due_at <= now)
                                              .order_by(Complaint.accept_due_at, Complaint.id), Complaint.tenant, who))
    for complaint, project in unaccepted.all():
        assert complaint.accept_due_at is not None
        out.append({"kind": "complaint_accept_overdue", "project_code": project.code, "id": complaint.id,
                    "since": complaint.accept_due_at.isoformat()})
    complaints = await session.execute(scoped(select(Complaint, Project).join(Project, Project.id == Complaint.project_id)
                                              .where(Complaint.status.in_(OPEN_COMPLAINT),
                                                     Complaint.due_at <= now + DUE_SOON),
                                              Complaint.tenant, who))
    for complaint, project in complaints.all():
        out.append({"kind": "complaint_overdue" if complaint.due_at <= now else "complaint_due",
                    "project_code": project.code, "id": complaint.id, "since": complaint.due_at.isoformat()})
    objections = await session.execute(scoped(select(OpeningResponse, Project)
                                              .join(Project, Project.id == OpeningResponse.project_id)
                                              .where(OpeningResponse.kind == "objection", OpeningResponse.answer.is_(None),
                                                     OpeningResponse.at <= now - ANSWER_WITHIN), Project.tenant, who))
    for response, project in objections.all():
        out.append({"kind": "objection_unanswered", "project_code": project.code, "id": str(response.id),
                    "since": response.at.isoformat()})
    for filing in await refused_for(session, who):
        out.append({"kind": "direct_contract_refused", "project_code": filing.code, "id": filing.id,
                    "since": filing.refused_at.isoformat(), "reason": filing.reason, "detail": filing.detail,
                    "buyer_credit_code": filing.buyer_credit_code, "buyer_name": filing.buyer_name,
                    "subject_code": filing.subject_code, "contractor_credit_code": filing.contractor_credit_code,
                    "amount": str(filing.amount), "signed_on": filing.signed_on.isoformat(),
                    "filed_by": filing.filed_by})
    return out
