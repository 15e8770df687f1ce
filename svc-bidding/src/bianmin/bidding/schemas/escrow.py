"""Schemas of the escrow key of a tender and of the recovery of a bid with the custodians' shares."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from bianmin.bidding.schemas.common import Text
from bianmin.kit.schemas import RequestBody

__all__ = ["EscrowIssued", "EscrowSetup", "RecoveryCreate", "RecoveryRead", "ShareSubmit"]


class EscrowSetup(RequestBody):
    """Split a fresh escrow key among custodians, k of n."""

    threshold: int = Field(ge=2, le=10)
    custodians: list[str] = Field(min_length=2, max_length=10)


class EscrowIssued(BaseModel):
    """The escrow public key and each custodian's share, shown this once and never stored."""

    public_key: str
    threshold: int
    shares: dict[str, str]


class RecoveryCreate(RequestBody):
    """A recorded technical failure that justifies opening a bid with the escrow shares."""

    reason: Text


class ShareSubmit(RequestBody):
    """One custodian's escrow share."""

    custodian: str = Field(min_length=1, max_length=100)
    share: str = Field(min_length=3, max_length=200, pattern=r"^\d{1,3}-[0-9a-f]+$")


class RecoveryRead(BaseModel):
    """An escrow recovery and the log of its share submissions (never the shares)."""

    id: str
    project_code: str
    bid_id: str
    reason: str
    requested_by: str
    requested_at: datetime
    status: str
    completed_at: datetime | None
    submissions: list[dict[str, Any]]
