"""Schemas of the escrow key of a tender and of the recovery of a bid with the custodians' shares."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from bianmin.bidding.schemas.common import Text
from bianmin.kit.schemas import RequestBody

__all__ = ["CustodianKeyRead", "CustodianKeySet", "EscrowIssued", "EscrowSetup", "RecoveryCreate", "RecoveryRead",
           "SealedShareRead", "ShareSubmit"]


class CustodianKeySet(RequestBody):
    """A custodian's own X25519 public key (32 bytes, base64)."""

    public_key: str = Field(min_length=44, max_length=44)


class CustodianKeyRead(BaseModel):
    """A custodian's registered public key and its fingerprint."""

    custodian: str
    public_key: str
    fingerprint: str
    registered_at: datetime


class EscrowSetup(RequestBody):
    """Split a fresh escrow key k of n among distinct custodian accounts (their account ids)."""

    threshold: int = Field(ge=2, le=10)
    custodians: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(min_length=2, max_length=10)


class EscrowIssued(BaseModel):
    """The escrow public key, k and the custodians in share order; never a share."""

    public_key: str
    threshold: int
    custodians: list[str]


class SealedShareRead(BaseModel):
    """A custodian's own share of a tender's escrow key, sealed to their key (``bianmin.custody.v1``)."""

    project_code: str
    custodian: str
    position: int
    threshold: int
    sealed_share: str
    key_fingerprint: str
    context: str


class RecoveryCreate(RequestBody):
    """A recorded technical failure that justifies opening a bid with the escrow shares."""

    reason: Text


class ShareSubmit(RequestBody):
    """The signed-in custodian's opened escrow share (the custodian is the account, not a field)."""

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
