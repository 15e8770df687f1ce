"""Guarantees: the application, the record with its steps, release and amendments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bianmin.guarantee.schemas.fields import Amount, GuaranteeType, IssuerCode
from bianmin.kit.schemas import CreditCode, RequestBody


class GuaranteeApply(RequestBody):
    """An application for a guarantee, by (or for) the bidder."""

    type: GuaranteeType
    issuer_code: IssuerCode
    project_code: str = Field(min_length=1, max_length=64)
    section_code: str = Field(min_length=1, max_length=64)
    applicant_credit_code: CreditCode
    applicant_name: str = Field(min_length=1, max_length=200)
    amount: Amount
    expires_on: date


class StepRead(BaseModel):
    """One recorded step of a guarantee."""

    model_config = ConfigDict(from_attributes=True)

    action: str
    from_status: str | None
    to_status: str
    actor: str
    at: datetime
    detail: dict[str, Any]


class GuaranteeRead(BaseModel):
    """A guarantee as its parties see it."""

    number: str
    type: str
    status: str
    issuer_code: str
    applicant_credit_code: str
    applicant_name: str
    beneficiary_name: str
    beneficiary_credit_code: str
    project_code: str
    section_code: str
    site_code: str
    amount: Decimal
    currency: str
    applied_on: date
    valid_from: date
    expires_on: date
    rate: Decimal
    discount: Decimal
    fee: Decimal
    underwriting: list[dict[str, Any]]
    issued_at: datetime | None
    document_hash: str | None
    key_name: str | None
    leaf_index: int | None
    amendment_count: int
    steps: list[StepRead] = []


class ReleaseRequest(RequestBody):
    """Why a guarantee is released (e.g. the contract was signed)."""

    reason: str = Field(min_length=1, max_length=500)


class AmendmentCreate(RequestBody):
    """An amendment: an increase of the amount or an extension of the expiry."""

    kind: Literal["increase", "extension"]
    new_amount: Amount | None = None
    new_expires_on: date | None = None
    reason: str = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _one_change(self) -> AmendmentCreate:
        if self.kind == "increase" and (self.new_amount is None or self.new_expires_on is not None):
            raise ValueError("an increase gives new_amount only")
        if self.kind == "extension" and (self.new_expires_on is None or self.new_amount is not None):
            raise ValueError("an extension gives new_expires_on only")
        return self


class AmendmentRead(BaseModel):
    """A numbered amendment."""

    model_config = ConfigDict(from_attributes=True)

    number: int
    kind: str
    previous_amount: Decimal
    new_amount: Decimal
    previous_expires_on: date
    new_expires_on: date
    extra_fee_fen: int
    reason: str
    document_hash: str
    leaf_index: int
    by: str
    at: datetime
