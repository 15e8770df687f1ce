"""Issuers, their dated tariffs, color rules and public keys, and the fee quotes built from them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bianmin.guarantee.schemas.fields import Amount, GuaranteeType, IssuerCode
from bianmin.kit.schemas import CreditCode, RequestBody


class IssuerCreate(RequestBody):
    """Register an insurer or bank with its underwriting limits."""

    code: IssuerCode
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["insurer", "bank"]
    credit_code: CreditCode
    max_single_amount: Amount
    max_outstanding_amount: Amount


class IssuerRead(BaseModel):
    """An issuer."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    kind: str
    credit_code: str
    max_single_amount: Decimal
    max_outstanding_amount: Decimal
    active: bool


class TariffCreate(RequestBody):
    """A dated tariff: the rate (a fraction, e.g. 0.0015) and the minimum fee in yuan."""

    type: GuaranteeType
    effective_from: date
    rate: Decimal = Field(ge=0, le=Decimal("0.2"), max_digits=10, decimal_places=8)
    minimum_fee: Decimal = Field(ge=0, le=Decimal("1000000"), max_digits=12, decimal_places=2)


class TariffRead(BaseModel):
    """A dated tariff."""

    id: int
    issuer_code: str
    type: str
    effective_from: date
    rate: Decimal
    minimum_fee: Decimal


class ColorRuleSet(RequestBody):
    """What an issuer does for an applicant of one credit color."""

    discount: Decimal = Field(default=Decimal(0), ge=0, le=Decimal("0.9"), max_digits=6, decimal_places=4)
    refuse: bool = False


class ColorRuleRead(BaseModel):
    """An issuer's rule for one color."""

    model_config = ConfigDict(from_attributes=True)

    issuer_code: str
    color: str
    discount: Decimal
    refuse: bool


class QuoteRead(BaseModel):
    """One issuer's price for a guarantee."""

    issuer_code: str
    issuer_name: str
    kind: str
    tariff_id: int
    effective_from: date
    rate: Decimal
    minimum_fee: Decimal
    color: str | None
    discount: Decimal
    fee: Decimal
    effective_rate: Decimal
    refused: bool


class KeyRead(BaseModel):
    """A published public key and its validity period."""

    model_config = ConfigDict(from_attributes=True)

    name: str
    public_key: str
    verifier_key: str
    valid_from: date
    valid_to: date | None
