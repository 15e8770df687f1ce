"""Schemas of collusion flags, escrow recovery, experts, evaluation, complaints, auctions and stats."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from bianmin.bidding.schemas.common import Code, CreditCode, PositiveYuan, Score, Text, Yuan

__all__ = ["AuctionBidCreate", "AuctionRead", "AuctionSetup", "ComplaintCreate", "ComplaintDecision",
           "ComplaintRead", "DefaultCreate", "DrawCommit", "DrawRead", "DrawVerification", "ExpertCreate", "ExpertRead", "FlagDecision",
           "FlagRead", "RecoveryCreate", "RecoveryRead", "ScoreCreate", "ShareSubmit", "StatsRead"]


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


class FlagDecision(BaseModel):
    """A supervisor's reasons for confirming or dismissing a flag."""

    model_config = ConfigDict(extra="forbid")

    note: Text


class RecoveryCreate(BaseModel):
    """A recorded technical failure that justifies opening a bid with the escrow shares."""

    model_config = ConfigDict(extra="forbid")

    reason: Text


class ShareSubmit(BaseModel):
    """One custodian's escrow share."""

    model_config = ConfigDict(extra="forbid")

    custodian: str = Field(min_length=1, max_length=100)
    share: str = Field(min_length=3, max_length=200, pattern=r"^\d{1,3}-[0-9a-f]+$")


class RecoveryRead(BaseModel):
    """An escrow recovery and the log of its share submissions (never the shares)."""

    id: str
    project_code: str
    bid_id: str
    reason: str
    requested_by: str
    requested_at: datetime
    status: str
    completed_at: datetime | None
    submissions: list[dict[str, Any]]


class ExpertCreate(BaseModel):
    """An expert joins the pool."""

    model_config = ConfigDict(extra="forbid")

    code: Code
    name: str = Field(min_length=1, max_length=100)
    specialties: list[str] = Field(min_length=1, max_length=20)
    affiliations: list[CreditCode] = Field(default_factory=list, max_length=50)


class ExpertRead(BaseModel):
    """An expert of the pool."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    specialties: list[str]
    affiliations: list[str]
    active: bool


class DrawCommit(BaseModel):
    """Commit to a draw of ``count`` experts of a specialty before the opening."""

    model_config = ConfigDict(extra="forbid")

    specialty: str = Field(min_length=1, max_length=60)
    count: int = Field(ge=3, le=25)


class DrawRead(BaseModel):
    """A draw: the seed's commitment always, the seed and the result once drawn."""

    project_code: str
    specialty: str
    count: int
    seed_commitment: str
    committed_at: datetime
    pool_digest: str | None
    seed: str | None
    pool: list[dict[str, Any]] | None
    recused_credit_codes: list[str] | None
    excluded: list[str] | None
    drawn: list[str] | None
    drawn_at: datetime | None


class DrawVerification(BaseModel):
    """A revealed draw recomputed from its seed, pool snapshot and recusal set."""

    project_code: str
    valid: bool
    checks: dict[str, bool]
    recomputed_excluded: list[str]
    recomputed_drawn: list[str]


class ScoreCreate(BaseModel):
    """An expert's technical score (0–100) of a bid."""

    model_config = ConfigDict(extra="forbid")

    expert_code: Code
    bid_id: str = Field(min_length=32, max_length=32)
    score: Score = Field(ge=0, le=100, max_digits=5, decimal_places=2)


class DefaultCreate(BaseModel):
    """A bidder's default: refusing to sign, withdrawing after the deadline, false materials."""

    model_config = ConfigDict(extra="forbid")

    section_code: Code
    credit_code: CreditCode
    reason: Literal["refused_to_sign", "withdrew_after_deadline", "false_materials", "other"]
    detail: Text


class ComplaintCreate(BaseModel):
    """A complaint (投诉) within 10 days of knowing of the matter (§60)."""

    model_config = ConfigDict(extra="forbid")

    credit_code: CreditCode
    text: Text
    known_at: AwareDatetime = Field(description="When the complainant knew or should have known of the matter.")
    matter: Literal["opening", "evaluation_result", "other"] = Field(
        default="other", description="Complaints on the opening or the evaluation result need an objection first (§60).")


class ComplaintDecision(BaseModel):
    """The supervising department's decision on a complaint."""

    model_config = ConfigDict(extra="forbid")

    outcome: Literal["upheld", "dismissed"]
    text: Text


class ComplaintRead(BaseModel):
    """A complaint and its handling."""

    id: str
    project_code: str
    complainant_credit_code: str
    matter: str
    text: str
    known_at: datetime
    filed_at: datetime
    due_at: datetime
    status: str
    decision: str | None
    decided_at: datetime | None
    decided_by: str | None


class AuctionSetup(BaseModel):
    """An online ascending auction for land use rights or state property."""

    model_config = ConfigDict(extra="forbid")

    reserve_price: PositiveYuan
    increment: PositiveYuan
    price_cap: PositiveYuan | None = None
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    extension_minutes: int = Field(default=5, ge=1, le=60)
    final_offer_minutes: int = Field(default=30, ge=5, le=1440)


class AuctionBidCreate(BaseModel):
    """An ascending bid, or a sealed final offer once the cap is reached."""

    model_config = ConfigDict(extra="forbid")

    credit_code: CreditCode
    amount: PositiveYuan


class AuctionRead(BaseModel):
    """An auction's public state."""

    project_code: str
    reserve_price: Yuan
    increment: Yuan
    price_cap: Yuan | None
    starts_at: datetime
    ends_at: datetime
    status: str
    current_price: Yuan | None
    leader_credit_code: str | None
    final_round_ends_at: datetime | None
    capped_by: str | None
    winner_credit_code: str | None
    winning_price: Yuan | None
    bids: int


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

