"""Enterprises: registration, renaming, the CSV import's report, and the color with its explanation."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from bianmin.credit.domain.rules import Action, Color, Decision
from bianmin.kit.schemas import RequestBody, canonical

RegisteredCode = Annotated[str, BeforeValidator(canonical)]
"""A credit code as registration takes it: the kit's one normalisation, but not yet its check.

Not :data:`bianmin.kit.schemas.CreditCode`, because registration alone admits a pre-2015 code whose check
character fails (``legacy=true``); :func:`bianmin.credit.domain.enterprises.code_problem` checks the
code against the kit's rule and that flag, and names the reason the kit gives.
"""


class EnterpriseCreate(RequestBody):
    """Register an enterprise by its credit code."""

    credit_code: RegisteredCode = Field(min_length=1, max_length=18, examples=["91310110666007217T"])
    name: str = Field(min_length=1, max_length=200)
    legacy: bool = Field(default=False, description="Accept a pre-2015 code whose check character fails.")


class EnterpriseUpdate(RequestBody):
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


ActionParam = Literal["bid", "guarantee"]
