"""Schemas of supervision: collusion flags, the bidders' hearings and the decisions on them, screen runs, and
the trading figures."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from bianmin.bidding.schemas.common import Code, Score, Text, Yuan
from bianmin.kit.schemas import CreditCode, RequestBody

__all__ = ["BidderHearingRead", "FlagDecision", "FlagRead", "HearingOpen", "HearingRead", "HearingStatement",
           "RotationScreen", "ScreenRerun", "ScreenRunRead", "SectionRef", "StatsRead"]


class HearingRead(BaseModel):
    """The hearing (陈述申辩) of one bidder a flag names, and the supervisor's decision on that bidder."""

    credit_code: str
    notice: str
    opened_by: str
    opened_at: datetime
    due_at: datetime = Field(description="The end of the last working day to state the case (the district's calendar).")
    due_basis: str | None = Field(description="Why the deadline may still move (a year's holiday notice not loaded).")
    statement: str | None
    answered_by: str | None
    answered_at: datetime | None
    decision: Literal["confirmed", "cleared"] | None
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None


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
    run_id: str | None = Field(description="The screen run that raised the flag (GET /screen-runs).")
    hearings: list[HearingRead] = Field(description="One per bidder given its hearing, in the order opened.")


class FlagDecision(RequestBody):
    """A supervisor's reasons for confirming or clearing a bidder, or dismissing a flag."""

    note: Text


class HearingOpen(RequestBody):
    """Give one bidder a flag names its hearing: what it is told (facts, reasons and grounds, 行政处罚法 §44)."""

    credit_code: CreditCode
    notice: Text


class HearingStatement(RequestBody):
    """The bidder's statement and defence (陈述申辩)."""

    statement: str = Field(min_length=1, max_length=20000)


class BidderHearingRead(BaseModel):
    """A hearing as the bidder heard reads it: the flag's facts, the notice, its deadline and the outcome."""

    flag_id: str
    project_code: str
    section_code: str
    screen: str
    evidence: dict[str, Any]
    credit_codes: list[str]
    hearing: HearingRead


class ScreenRerun(RequestBody):
    """Thresholds of a supervisor's re-run of the screens; a threshold left out takes the calibrated value per n."""

    cv_max: Decimal | None = Field(default=None, gt=0, lt=1, max_digits=8,
                                   description="Coefficient of variation at or below which prices are flagged.")
    rd_min: Decimal | None = Field(default=None, gt=0, max_digits=10,
                                   description="Relative distance at or above which a section is flagged.")
    gap_cv_max: Decimal | None = Field(default=None, gt=0, max_digits=8,
                                       description="Coefficient of variation of the price gaps at or below which they "
                                       "count as regular.")
    min_bids: int = Field(default=3, ge=2, le=100, description="Fewest priced bids the statistical screens run on.")
    min_gaps: int = Field(default=2, ge=1, le=100, description="Fewest gaps the regular-gap screen runs on.")
    note: str | None = Field(default=None, max_length=2000, description="Why the screens are run again.")


class SectionRef(RequestBody):
    """One section of an opened tender."""

    project_code: Code
    section_code: Code


class RotationScreen(RequestBody):
    """The sections a supervisor screens for a ring winning in turn (one buyer's tenders of one kind, say)."""

    sections: list[SectionRef] = Field(min_length=3, max_length=100)
    alpha: Decimal | None = Field(default=None, gt=0, lt=1, max_digits=6,
                                  description="The level; the setting rotation_alpha (0.05) when left out.")
    note: str | None = Field(default=None, max_length=2000)


class ScreenRunRead(BaseModel):
    """One recorded run of the screens: who, when, with which thresholds, over what, and which flags."""

    id: str
    kind: Literal["opening", "rerun", "rotation"]
    project_code: str | None
    scope: list[str] = Field(description="The sections screened, as <project>/<section>.")
    thresholds: dict[str, Any]
    run_by: str
    run_at: datetime
    note: str | None
    raised: list[str] = Field(description="The flags this run raised.")
    matched: list[str] = Field(description="Flags this run found again that an earlier run had raised.")


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
