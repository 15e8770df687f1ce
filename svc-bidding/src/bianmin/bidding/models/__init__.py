"""The bidding service's tables, one module per aggregate, re-exported here.

The kit's outbox, inbox and idempotency tables sit beside them in the same metadata.
"""

from bianmin.bidding.models.archive import (
    ArchiveBorrowing,
    ArchiveCheckpoint,
    ArchiveLogHead,
    ArchiveLogLeaf,
    ArchiveRead,
    ArchiveVersion,
)
from bianmin.bidding.models.auction import Auction, AuctionBid
from bianmin.bidding.models.base import Base
from bianmin.bidding.models.bid import Bid, Registration
from bianmin.bidding.models.collusion import CollusionFlag, CollusionHearing, ScreenRun
from bianmin.bidding.models.complaint import Complaint
from bianmin.bidding.models.escrow import CustodianKey, EscrowCustody, EscrowRecovery, EscrowShare
from bianmin.bidding.models.evaluation import EvaluationDecision
from bianmin.bidding.models.experts import Expert, ExpertDecline, ExpertDraw, ExpertScore, ScoreRevision
from bianmin.bidding.models.filing import ProjectSubject, RefusedFiling
from bianmin.bidding.models.ocds import OcdsRelease
from bianmin.bidding.models.opening import OpeningRecord, OpeningResponse
from bianmin.bidding.models.project import Invitation, Project, ProjectTransition, Section
from bianmin.bidding.models.readmodels import Deposit, EnterpriseColor, SigningKey

__all__ = [
    "ArchiveBorrowing", "ArchiveCheckpoint", "ArchiveLogHead", "ArchiveLogLeaf", "ArchiveRead", "ArchiveVersion",
    "Auction", "AuctionBid", "Base", "Bid", "CollusionFlag", "CollusionHearing", "Complaint", "CustodianKey", "Deposit",
    "EnterpriseColor",
    "EscrowCustody", "EscrowRecovery", "EscrowShare", "EvaluationDecision", "Expert", "ExpertDecline", "ExpertDraw", "ExpertScore",
    "Invitation", "OcdsRelease", "OpeningRecord", "OpeningResponse", "Project", "ProjectSubject", "ProjectTransition",
    "RefusedFiling", "Registration", "ScoreRevision", "ScreenRun", "Section", "SigningKey",
]
