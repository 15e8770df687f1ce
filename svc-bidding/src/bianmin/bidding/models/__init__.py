"""The bidding service's tables. The kit's outbox, inbox and idempotency tables sit beside them."""

from bianmin.bidding.models.base import Base
from bianmin.bidding.models.bid import Bid, EscrowRecovery, EscrowShare, OpeningRecord, OpeningResponse, Registration
from bianmin.bidding.models.project import Invitation, Project, ProjectTransition, Section
from bianmin.bidding.models.readmodels import Deposit, EnterpriseColor, SigningKey
from bianmin.bidding.models.supervision import (
    Auction,
    AuctionBid,
    CollusionFlag,
    Complaint,
    Expert,
    ExpertDraw,
    ExpertScore,
)

__all__ = [
    "Auction", "AuctionBid", "Base", "Bid", "CollusionFlag", "Complaint", "Deposit", "EnterpriseColor",
    "EscrowRecovery", "EscrowShare", "Expert", "ExpertDraw", "ExpertScore", "Invitation", "OpeningRecord",
    "OpeningResponse", "Project", "ProjectTransition", "Registration", "Section", "SigningKey",
]
