"""Rule versions and what a batch recompute did."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from bianmin.credit.domain.rules import RuleBody
from bianmin.kit.schemas import RequestBody


class RulesCreate(RequestBody):
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
