"""Schemas of supervision: collusion flags and their decisions, and the trading figures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from bianmin.bidding.schemas.common import Score, Text, Yuan
from bianmin.kit.schemas import RequestBody

__all__ = ["FlagDecision", "FlagRead", "StatsRead"]


class FlagRead(BaseModel):
    """A collusion flag with its evidence and decision."""

    id: str
    project_code: str
    section_code: str
    screen: str
    score: Score
    credit_codes: list[str]
    evidence: dict[str, Any]
    status: str
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None


class FlagDecision(RequestBody):
    """A supervisor's reasons for confirming or dismissing a flag."""

    note: Text


class StatsRead(BaseModel):
    """Trading figures for a period: count, budget, award, savings and risk."""

    projects: int
    awarded_projects: int
    budget_total: Yuan
    award_total: Yuan
    savings: Yuan
    savings_rate: Score | None
    high_savings_flagged: int
    by_category: dict[str, int] = Field(default_factory=dict)
    sales_reserve_total: Yuan = Field(description="Reserve prices of the land and state-property lots sold.")
    sales_price_total: Yuan = Field(description="What those lots sold for.")
    premium_rate: Score | None = Field(description="(Price − reserve) ÷ reserve over the lots sold (溢价率).")
