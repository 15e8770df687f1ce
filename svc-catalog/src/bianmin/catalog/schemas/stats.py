"""Schemas of the catalog's figures: applications and policy redemption (definitions in domain.stats)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel


class ChannelFigures(BaseModel):
    """Applications received through one channel, and their share of all received."""

    received: int
    share: Decimal | None


class OutletFigures(BaseModel):
    """Applications received at a bank outlet or through its terminals: count, share of all, count per channel."""

    received: int
    share: Decimal | None
    by_channel: dict[str, int]


class ApplicationStats(BaseModel):
    """Figures of the applications received in a period (see the module docstring of domain.stats)."""

    received: int
    online_received: int
    online_receipt_rate: Decimal | None
    completed: int
    overdue: int
    average_handling_days: Decimal | None
    satisfaction_rate: Decimal | None
    evaluations: int
    by_channel: dict[str, ChannelFigures]
    by_outlet: dict[str, OutletFigures]


class PolicyStats(BaseModel):
    """Expected against redeemed amounts, per policy and in total."""

    expected: Decimal
    redeemed: Decimal
    completion_rate: Decimal | None
    policies: int
    redemptions: int
    by_policy: dict[str, Decimal | None]
