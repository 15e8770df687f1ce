"""Bonus items (加分项)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from bianmin.kit.schemas import RequestBody


class BonusCreate(RequestBody):
    """A bonus item to submit for review."""

    kind: str = Field(min_length=1, max_length=50)
    evidence: str = Field(min_length=1, max_length=4000)
    valid_until: date


class BonusRead(BaseModel):
    """A bonus item."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    credit_code: str
    kind: str
    points: Decimal
    evidence: str
    valid_until: date
    status: str
    approved_on: date | None
    decided_by: str | None
    decision_note: str
    created_at: datetime
