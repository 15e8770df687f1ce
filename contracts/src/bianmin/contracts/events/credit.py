"""Events of the credit service."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from bianmin.contracts.spec import EventSpec, Payload

Color = Literal["green", "blue", "yellow", "orange", "red"]


class ColorChanged(Payload):
    """An enterprise's five-color code changed; bidding and guarantee update eligibility and fees."""

    credit_code: str
    name: str
    old_color: Color | None
    new_color: Color
    score: Decimal
    rule_version: int
    reason: str
    changed_at: datetime


PUBLISHES: tuple[EventSpec, ...] = (
    EventSpec("credit.enterprise.color_changed", ColorChanged, "An enterprise's five-color code changed."),
)
CONSUMES: tuple[str, ...] = (
    "bidding.collusion.confirmed", "bidding.bidder.defaulted", "guarantee.guarantee.claimed",
)
