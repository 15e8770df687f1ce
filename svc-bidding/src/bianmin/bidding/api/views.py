"""Building answers from rows where the shapes differ: what a caller may see of a bid, a draw or an auction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bianmin.bidding.domain import experts
from bianmin.bidding.domain.collusion import score_of
from bianmin.bidding.models import (
    Auction,
    AuctionBid,
    Bid,
    CollusionFlag,
    CollusionHearing,
    Complaint,
    EscrowRecovery,
    EscrowShare,
    ExpertDecline,
    ExpertDraw,
    Project,
)
from bianmin.bidding.schemas import (
    Attachment,
    AuctionRead,
    BidRead,
    ComplaintRead,
    DeclineRead,
    DrawRead,
    FlagRead,
    HearingRead,
    RecoveryRead,
)


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
        "total_score": bid.total_score, "rank": bid.rank, "low_price_flag": bid.low_price_flag,
        "low_price_decision": bid.low_price_decision})


def hearing_view(hearing: CollusionHearing) -> HearingRead:
    """A bidder's hearing on a flag, with the decision on that bidder."""
    return HearingRead(credit_code=hearing.credit_code, notice=hearing.notice, opened_by=hearing.opened_by,
                       opened_at=hearing.opened_at, due_at=hearing.due_at, due_basis=hearing.due_basis,
                       statement=hearing.statement, answered_by=hearing.answered_by, answered_at=hearing.answered_at,
                       decision=hearing.decision,
                       decided_by=hearing.decided_by, decided_at=hearing.decided_at,
                       decision_note=hearing.decision_note)


def flag_view(project: Project, flag: CollusionFlag, hearings: list[CollusionHearing] | None = None) -> FlagRead:
    """A collusion flag with the hearings of the bidders it names."""
    return FlagRead(id=flag.id, project_code=project.code, section_code=section_code(project, flag.section_id),
                    screen=flag.screen, score=score_of(flag), credit_codes=flag.credit_codes, evidence=flag.evidence,
                    status=flag.status, created_at=flag.created_at, decided_by=flag.decided_by,
                    decided_at=flag.decided_at, decision_note=flag.decision_note, run_id=flag.run_id,
                    hearings=[hearing_view(h) for h in hearings or []])


def draw_view(project: Project, draw: ExpertDraw, *, full: bool, declines: list[ExpertDecline] | None = None) -> DrawRead:
    """A draw; its seed, snapshot, result and decline log only for those who may see them yet."""
    read = DrawRead(project_code=project.code, specialty=draw.specialty, count=draw.count,
                    tenderer_representatives=draw.tenderer_representatives,
                    seed_commitment=draw.seed_commitment, pool_digest=draw.pool_digest, committed_at=draw.committed_at,
                    contributed_seed=draw.contributed_seed, contributed_by=draw.contributed_by,
                    contributed_at=draw.contributed_at, seed=None, pool=None, recused_credit_codes=None, excluded=None,
                    drawn=None, drawn_at=draw.drawn_at)
    if not full or draw.drawn is None:
        return read
    return read.model_copy(update={"seed": draw.seed, "draw_seed": experts.draw_seed(draw), "pool": draw.pool,
                                   "recused_credit_codes": draw.recused_credit_codes,
                                   "excluded": draw.excluded, "drawn": draw.drawn,
                                   "declines": [DeclineRead.model_validate(d) for d in declines or []]})


def recovery_view(project: Project, recovery: EscrowRecovery, shares: list[EscrowShare]) -> RecoveryRead:
    """A recovery with its public submission log (who, when, the share's digest; never the share)."""
    return RecoveryRead(id=recovery.id, project_code=project.code, bid_id=recovery.bid_id, reason=recovery.reason,
                        requested_by=recovery.requested_by, requested_at=recovery.requested_at, status=recovery.status,
                        completed_at=recovery.completed_at,
                        submissions=[{"custodian": r.custodian, "submitted_by": r.submitted_by,
                                      "submitted_at": r.submitted_at.isoformat(), "share_digest": r.share_digest}
                                     for r in shares])


def complaint_view(project: Project, complaint: Complaint, now: datetime) -> ComplaintRead:
    """A complaint with its project's code, and whether its acceptance is overdue at ``now``."""
    return ComplaintRead(id=complaint.id, project_code=project.code,
                         complainant_credit_code=complaint.complainant_credit_code,
                         complainant_kind=complaint.complainant_kind, complainant_id=complaint.complainant_id,
                         interest=complaint.interest, attachments=[Attachment(**a) for a in complaint.attachments or []],
                         matter=complaint.matter, text=complaint.text, known_at=complaint.known_at,
                         filed_at=complaint.filed_at, due_at=complaint.due_at,
                         due_provisional=complaint.due_provisional, due_basis=complaint.due_basis,
                         accept_due_at=complaint.accept_due_at, accepted_at=complaint.accepted_at,
                         accepted_by=complaint.accepted_by, accept_overdue=complaint.accept_overdue(now),
                         status=complaint.status, decision=complaint.decision, decided_at=complaint.decided_at,
                         decided_by=complaint.decided_by)


def auction_view(project: Project, auction: Auction, *, bids: int, named: bool) -> AuctionRead:
    """An auction's state; the leader (and who reached the cap) only when ``named``; the seed once it ended."""
    ended = auction.status in ("ended", "failed")
    return AuctionRead(project_code=project.code, reserve_price=auction.reserve_price, increment=auction.increment,
                       price_cap=auction.price_cap, starts_at=auction.starts_at, ends_at=auction.ends_at,
                       sale_method=auction.sale_method, status=auction.status, current_price=auction.current_price,
                       leader_credit_code=auction.leader_credit_code if named else None,
                       final_round_ends_at=auction.final_round_ends_at,
                       capped_by=auction.capped_by if named else None, winner_credit_code=auction.winner_credit_code,
                       winning_price=auction.winning_price, bids=bids, cap_mode=auction.cap_mode,
                       second_item=auction.second_item, draw_commitment=auction.draw_commitment,
                       draw_seed=auction.draw_seed if ended else None,
                       draw_entrants=auction.draw_entrants if ended else None,
                       winning_second_value=auction.winning_second_value)


def offer_views(offers: list[AuctionBid], *, ended: bool) -> list[dict[str, Any]]:
    """An auction's offers: the ascending bids anonymously while it runs; bidders and final offers once it ended."""
    return [{"kind": b.kind, "amount": str(b.amount), "at": b.at.isoformat(),
             "credit_code": b.credit_code if ended else None,
             "second_value": None if b.second_value is None else str(b.second_value)}
            for b in offers if ended or b.kind == "ascending"]
