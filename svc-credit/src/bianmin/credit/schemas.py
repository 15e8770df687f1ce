"""Request and response models of the credit service's API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bianmin.credit.domain.rules import Action, Color, Decision, RuleBody


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EnterpriseCreate(_In):
    """Register an enterprise by its credit code."""

    credit_code: str = Field(min_length=1, max_length=18, examples=["91310110666007217T"])
    name: str = Field(min_length=1, max_length=200)
    legacy: bool = Field(default=False, description="Accept a pre-2015 code whose check character fails.")


class EnterpriseUpdate(_In):
    """Rename an enterprise."""

    name: str = Field(min_length=1, max_length=200)


class EnterpriseRead(BaseModel):
    """An enterprise and its current color."""

    model_config = ConfigDict(from_attributes=True)

    credit_code: str
    name: str | None
    legacy_code: bool
    color: Color | None
    score: Decimal | None
    rule_version: int | None
    coded_at: datetime | None
    created_at: datetime
    warnings: list[str] = Field(default_factory=list)


class RejectedRowRead(BaseModel):
    """A CSV row not imported, with its line number (the header is line 1)."""

    line: int
    credit_code: str | None
    reason: str


class ImportReportRead(BaseModel):
    """What a CSV import did."""

    rows: int
    created: int
    updated: int
    unchanged: int
    rejected: list[RejectedRowRead]
    warnings: list[RejectedRowRead]


class ContributionRead(BaseModel):
    """One record, bonus or rule and what it did to the color."""

    source: str
    detail: str
    ref: int | None = None
    kind: str | None = None
    points: Decimal | None = None


class ColorRead(BaseModel):
    """An enterprise's color on a date with everything that produced it."""

    credit_code: str
    name: str | None
    as_of: date
    color: Color
    score: Decimal
    rule_version: int
    band_color: Color
    contributions: list[ContributionRead]
    ignored: list[ContributionRead]


class PublicColorRead(BaseModel):
    """The color alone, for anyone."""

    credit_code: str
    name: str | None
    color: Color | None


class EligibilityRead(BaseModel):
    """Whether an enterprise may bid or obtain a guarantee, and why."""

    credit_code: str
    action: Action
    color: Color
    decision: Decision
    allowed: bool
    reason: str
    rule_version: int


class ColorChangeRead(BaseModel):
    """One change of an enterprise's color."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    old_color: Color | None
    new_color: Color
    score: Decimal
    rule_version: int
    reason: str
    trigger: str
    changed_at: datetime


class RecordCreate(_In):
    """A bad behaviour to record; severity and points come from its kind in the rules."""

    kind: str = Field(min_length=1, max_length=50)
    occurred_on: date
    evidence: str = Field(min_length=1, max_length=4000)
    publication_months: int | None = Field(default=None, ge=1, le=36)


class DecisionNote(_In):
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


class BonusCreate(_In):
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


class RepairCreate(_In):
    """A credit-repair application: what was corrected and the public commitment."""

    evidence: str = Field(min_length=1, max_length=4000)
    commitment: str = Field(min_length=1, max_length=4000)


class RepairRead(BaseModel):
    """A credit-repair application."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    record_id: int
    evidence: str
    commitment: str
    status: str
    submitted_at: datetime
    submitted_by: str
    decided_at: datetime | None
    decided_by: str | None
    decision_note: str


class RulesCreate(_In):
    """A new rule version: the whole body, validated against the statutory bounds."""

    body: dict[str, Any]
    note: str = Field(default="", max_length=500)


class RulesRead(BaseModel):
    """One rule version."""

    version: int
    valid_from: datetime
    note: str
    body: RuleBody


class RecomputeRead(BaseModel):
    """What a batch recompute did."""

    day: date
    rule_version: int
    enterprises: int
    rescored: int
    changes: int


ActionParam = Literal["bid", "guarantee"]
