"""Schemas of evaluation: the experts' technical scores, and a bidder's default."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from bianmin.bidding.schemas.common import Code, Score, Text
from bianmin.kit.schemas import CreditCode, RequestBody

__all__ = ["DecisionRead", "DefaultCreate", "LowPriceDecisionCreate", "RejectionCreate", "ScoreCreate",
           "ScoreRevisionRead"]


class ScoreCreate(RequestBody):
    """The signed-in expert's own technical score (0–100) of a bid; the expert is the account, not a field.

    Changing a score already entered needs a ``reason``, kept in the score's history.
    """

    bid_id: str = Field(min_length=32, max_length=32)
    score: Score = Field(ge=0, le=100, max_digits=5, decimal_places=2)
    reason: Text | None = None


class ScoreRevisionRead(BaseModel):
    """One entry or change of an expert's score."""

    bid_id: str
    expert_code: str
    old_score: Score | None
    new_score: Score
    reason: str | None
    changed_by: str
    via_app: str
    changed_at: datetime


class DefaultCreate(RequestBody):
    """A bidder's default: a winner declining the award, not signing or giving no performance bond
    (实施条例 §55/§74), withdrawing after the deadline, false materials."""

    section_code: Code
    credit_code: CreditCode
    reason: Literal["declined_award", "refused_to_sign", "no_performance_bond", "withdrew_after_deadline",
                    "false_materials", "other"]
    detail: Text


class RejectionCreate(RequestBody):
    """The committee rejects every bid of a section (招标投标法 §42), for the reasons it gives."""

    reason: Text


class LowPriceDecisionCreate(RequestBody):
    """The committee's decision on a price flagged as abnormally low, after the bidder's written explanation.

    评标委员会和评标方法暂行规定 §21: a bidder that cannot reasonably explain its price or prove it is
    taken to bid below cost, and its bid is rejected (实施条例 §51(5)).
    """

    decision: Literal["accepted", "rejected"]
    explanation: Text = Field(description="The bidder's written explanation and evidence, as the committee received them.")
    reason: Text = Field(description="The committee's finding on the explanation.")


class DecisionRead(BaseModel):
    """One recorded decision of the committee or the tenderer on a section."""

    section_code: str
    kind: str
    credit_code: str | None
    reason: str
    detail: str | None
    actor: str
    at: datetime
