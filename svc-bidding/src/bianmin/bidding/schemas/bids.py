"""Schemas of registrations, sealed bids and their receipts, the commitment lists and deposits."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bianmin.bidding.schemas.common import B64, BidderCode, Code, PositiveYuan, Score, Yuan
from bianmin.kit.schemas import CreditCode, RequestBody, ResidentId

__all__ = ["BidRead", "BidSubmit", "CashDepositCreate", "CommitmentList", "CommitmentRead", "DepositRead",
           "Receipt", "ReceiptKey", "RegistrationCreate", "RegistrationRead"]


class RegistrationCreate(RequestBody):
    """Register a bidder for one section: an enterprise by its credit code, or a natural person by their ID number."""

    credit_code: CreditCode | None = Field(default=None, description="The enterprise that registers.")
    id_number: ResidentId | None = Field(default=None, description=(
        "A natural person buying state property (state_property projects only), registering from their own signed-in "
        "account: their resident identity number (GB 11643-1999). Kept by the trading centre, never shown or sent "
        "on: the person bids under the bidder code the answer gives."))
    name: str = Field(min_length=1, max_length=200, description="The enterprise's name, or the person's own name.")
    contact_phone: str | None = Field(default=None, pattern=r"^[0-9+\- ]{5,20}$")


class RegistrationRead(BaseModel):
    """A bidder registration; a person's name and ID number masked, their bidder code in ``credit_code``."""

    project_code: str
    section_code: str
    credit_code: str = Field(description="The enterprise's credit code, or the natural person's bidder code (Z...).")
    bidder_kind: Literal["enterprise", "person"] = "enterprise"
    name: str
    id_number: str | None = Field(default=None, description="A person's ID number, masked (330199********0026).")
    registered_at: datetime
    signed_in_at: datetime | None


class BidSubmit(RequestBody):
    """A sealed bid: ciphertext, nonce and commitment made by :mod:`bianmin.bidding.sealing`."""

    credit_code: CreditCode
    ciphertext: str = Field(min_length=24, max_length=400_000, pattern=B64)
    nonce: str = Field(min_length=16, max_length=16, pattern=B64, description="12 bytes, base64.")
    commitment: str = Field(pattern=r"^[0-9a-f]{64}$")
    escrow_wrapped_key: str | None = Field(default=None, min_length=160, max_length=200, pattern=B64)
    device_fingerprint: str | None = Field(default=None, min_length=1, max_length=200,
                                           description="Used when the X-Device-Fingerprint header is absent.")
    machine_code: str | None = Field(default=None, min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+( [\x21-\x7e]+)*$",
                                     description="The code the bid tool records of the machine that made the bid file "
                                     "(实施条例 §40(1)); printable ASCII.")


class Receipt(BaseModel):
    """The signed, timestamped receipt of a submission; verify it with ``sealing.verify_receipt``."""

    bid_id: str
    version: int
    project: str
    section: str
    bidder: str
    commitment: str
    received_at: str
    signature: str
    public_key: str


class BidRead(BaseModel):
    """A bid as its bidder (and, after the opening, the tenderer) sees it: never content before the opening."""

    id: str
    project_code: str
    section_code: str
    credit_code: str
    version: int
    status: str
    commitment: str
    received_at: datetime
    reveal_status: str
    price: Yuan | None = None
    duration_days: int | None = None
    project_manager: str | None = None
    deposit_secured: bool | None = None
    validity: str | None = None
    invalid_reason: str | None = None
    total_score: Score | None = None
    rank: int | None = None
    low_price_flag: str | None = Field(default=None, description="Why the price was flagged as abnormally low "
                                       "(实施条例 §51(5)); null when it was not.")
    low_price_decision: Literal["accepted", "rejected"] | None = None


class CommitmentRead(BaseModel):
    """One counted commitment, without the bidder's name."""

    commitment: str
    received_at: datetime


class CommitmentList(BaseModel):
    """The commitments a section counted at the deadline, so each bidder can check theirs."""

    project_code: str
    section_code: str
    commitments: list[CommitmentRead]


class CashDepositCreate(RequestBody):
    """A cash bid deposit received by the trading centre's account."""

    project_code: Code
    section_code: Code
    credit_code: BidderCode
    amount: PositiveYuan
    account: str = Field(min_length=4, max_length=64, description="The payer's bank account.")
    reference: str = Field(min_length=1, max_length=64, description="The bank transfer's reference.")


class DepositRead(BaseModel):
    """A deposit of the read model."""

    model_config = ConfigDict(from_attributes=True)

    project_code: str
    section_code: str
    credit_code: str
    kind: str
    reference: str
    amount: Yuan
    status: str
    updated_at: datetime


class ReceiptKey(BaseModel):
    """The platform's receipt-signing public key (Ed25519, raw, base64)."""

    algorithm: Literal["Ed25519"] = "Ed25519"
    public_key: str
