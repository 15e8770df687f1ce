"""Schemas of evaluation: the experts' technical scores, and a bidder's default."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from bianmin.bidding.schemas.common import Code, Score, Text
from bianmin.kit.schemas import CreditCode, RequestBody

__all__ = ["DefaultCreate", "ScoreCreate", "ScoreRevisionRead"]


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
    """A bidder's default: refusing to sign, withdrawing after the deadline, false materials."""

    section_code: Code
    credit_code: CreditCode
    reason: Literal["refused_to_sign", "withdrew_after_deadline", "false_materials", "other"]
    detail: Text
