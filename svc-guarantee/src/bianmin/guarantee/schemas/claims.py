"""Demands on a guarantee: filing one, the issuer's decisions, and the demand as read."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bianmin.guarantee.schemas.fields import Amount
from bianmin.kit.schemas import RequestBody


class ClaimCreate(RequestBody):
    """A demand for payment with its supporting statement; ``extend_or_pay`` also asks for an extension."""

    amount: Amount
    statement: str = Field(min_length=1, max_length=5000)
    kind: Literal["pay", "extend_or_pay"] = "pay"
    requested_expires_on: date | None = Field(default=None, description="The extension an extend-or-pay demand asks for.")

    @model_validator(mode="after")
    def _extension_asked(self) -> ClaimCreate:
        if self.kind == "extend_or_pay" and self.requested_expires_on is None:
            raise ValueError("an extend_or_pay demand gives requested_expires_on")
        if self.kind == "pay" and self.requested_expires_on is not None:
            raise ValueError("requested_expires_on belongs to an extend_or_pay demand")
        return self


class ClaimSuspend(RequestBody):
    """Suspend payment of an extend-or-pay demand until the end of a day (at most 30 days after the demand)."""

    until: date


class ClaimPay(RequestBody):
    """The payment of a complying demand."""

    payment_reference: str = Field(min_length=1, max_length=100)


class ClaimReject(RequestBody):
    """A rejection notice listing every discrepancy."""

    discrepancies: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(min_length=1, max_length=50)


class ClaimRead(BaseModel):
    """A demand and its examination."""

    model_config = ConfigDict(from_attributes=True)

    number: str
    guarantee_number: str
    status: str
    kind: str
    requested_expires_on: date | None
    suspended_until: datetime | None
    amount: Decimal
    statement: str
    source: str
    filed_by: str
    filed_at: datetime
    examine_by: datetime
    examine_by_provisional: bool = Field(description=(
        "True when the examination deadline runs into a year whose State Council holiday notice was not loaded "
        "when it was counted: days there were counted by weekends alone, so it may still move."))
    examine_by_basis: str | None = Field(description="Why the examination deadline is provisional; null when it is not.")
    decided_by: str | None
    decided_at: datetime | None
    discrepancies: list[str]
    payment_reference: str | None
