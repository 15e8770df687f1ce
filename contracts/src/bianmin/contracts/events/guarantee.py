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


PUBLISHES: tuple[EventSpec, ...] = (
    EventSpec("guarantee.guarantee.issued", GuaranteeStatusChanged, "A guarantee was issued."),
    EventSpec("guarantee.guarantee.released", GuaranteeStatusChanged, "A guarantee was released."),
    EventSpec("guarantee.guarantee.claimed", GuaranteeStatusChanged, "A claim was made on a guarantee."),
)
CONSUMES: tuple[str, ...] = (
    "catalog.calendar.changed",
    "bidding.project.published", "bidding.project.awarded", "bidding.bidder.defaulted",
    "credit.enterprise.color_changed",
)
