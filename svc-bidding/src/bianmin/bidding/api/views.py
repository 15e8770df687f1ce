"""Turning rows into API models where the shapes differ."""

from __future__ import annotations

from bianmin.bidding.domain.collusion import score_of
from bianmin.bidding.models import Bid, CollusionFlag, Project
from bianmin.bidding.schemas import BidRead, FlagRead


def section_code(project: Project, section_id: int) -> str:
    """The code of a project's section by id."""
    return next(s.code for s in project.sections if s.id == section_id)


def bid_view(project: Project, bid: Bid, *, opened: bool) -> BidRead:
    """A bid; its content only once the opening has revealed it."""
    base = BidRead(id=bid.id, project_code=project.code, section_code=section_code(project, bid.section_id),
                   credit_code=bid.credit_code, version=bid.version, status=bid.status, commitment=bid.commitment,
                   received_at=bid.received_at, reveal_status=bid.reveal_status)
    if not opened:
        return base
    return base.model_copy(update={
        "price": bid.price, "duration_days": bid.duration_days, "project_manager": bid.project_manager,
        "deposit_secured": bid.deposit_secured, "validity": bid.validity, "invalid_reason": bid.invalid_reason,
        "total_score": bid.total_score, "rank": bid.rank})


def flag_view(project: Project, flag: CollusionFlag) -> FlagRead:
    """A collusion flag."""
    return FlagRead(id=flag.id, project_code=project.code, section_code=section_code(project, flag.section_id),
                    screen=flag.screen, score=score_of(flag), credit_codes=flag.credit_codes, evidence=flag.evidence,
                    status=flag.status, created_at=flag.created_at, decided_by=flag.decided_by,
                    decided_at=flag.decided_at, decision_note=flag.decision_note)
