"""Bad records, their history, and the reviewer's note on a decision (records, bonuses, repairs)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from bianmin.kit.schemas import RequestBody


class RecordCreate(RequestBody):
    """A bad behaviour to record; severity and points come from its kind in the rules."""

    kind: str = Field(min_length=1, max_length=50)
    occurred_on: date
    evidence: str = Field(min_length=1, max_length=4000)
    publication_months: int | None = Field(default=None, ge=1, le=36)


class DecisionNote(RequestBody):
    """A reviewer's note on a decision (required when revoking or rejecting)."""

    note: str = Field(default="", max_length=2000)


class HistoryRead(BaseModel):
    """One step of a record's life."""

    model_config = ConfigDict(from_attributes=True)

    status: str
    at: datetime
    by: str
    note: str


class RecordRead(BaseModel):
    """A bad record with its history."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    credit_code: str
    kind: str
    severity: str
    points: Decimal
    publication_months: int
    occurred_on: date
    evidence: str
    source: str
    site_code: str
    status: str
    rule_version: int
    confirmed_on: date | None
    ended_on: date | None
    created_at: datetime
    history: list[HistoryRead] = Field(default_factory=list)
