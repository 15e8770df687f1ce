"""Events of the guarantee service."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from bianmin.contracts.spec import EventSpec, Payload

GuaranteeType = Literal["bid_bond", "performance"]


class GuaranteeStatusChanged(Payload):
    """A guarantee was issued, released or claimed; bidding tracks whose deposit is secured."""

    number: str
    type: GuaranteeType
    project_code: str
    section_code: str
    applicant_credit_code: str
    issuer_code: str
    amount: Decimal
    currency: Literal["CNY"] = "CNY"
    expires_on: date
    occurred_at: datetime


class GuaranteeAmended(GuaranteeStatusChanged):
    """A guarantee was amended (URDG 758): its amount increased or its expiry extended; fields show the new terms."""

    amendment_number: int
    kind: Literal["increase", "extension"]
    previous_amount: Decimal
    previous_expires_on: date


class GuaranteePaid(GuaranteeStatusChanged):
    """A demand on a guarantee was paid to the beneficiary after examination."""

    claim_number: str
    paid_amount: Decimal


PUBLISHES: tuple[EventSpec, ...] = (
    EventSpec("guarantee.guarantee.issued", GuaranteeStatusChanged, "A guarantee was issued."),
    EventSpec("guarantee.guarantee.released", GuaranteeStatusChanged, "A guarantee was released."),
    EventSpec("guarantee.guarantee.claimed", GuaranteeStatusChanged, "A claim was made on a guarantee."),
    EventSpec("guarantee.guarantee.amended", GuaranteeAmended, "A guarantee was amended (increase or extension)."),
    EventSpec("guarantee.guarantee.paid", GuaranteePaid, "A claim on a guarantee was paid."),
    EventSpec("guarantee.guarantee.expired", GuaranteeStatusChanged, "A guarantee reached its expiry unclaimed."),
)
CONSUMES: tuple[str, ...] = (
    "catalog.calendar.changed", "catalog.calendar.year_loaded",
    "bidding.project.published", "bidding.project.closed", "bidding.project.opened", "bidding.project.failed",
    "bidding.project.awarded", "bidding.section.failed",
    "bidding.project.cancelled", "bidding.contract.signed", "bidding.bidder.defaulted",
    "credit.enterprise.color_changed",
)
