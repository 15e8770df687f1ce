"""Schemas of evaluation: the experts' technical scores, and a bidder's default."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from bianmin.bidding.schemas.common import Code, Score, Text
from bianmin.kit.schemas import CreditCode, RequestBody

__all__ = ["DefaultCreate", "ScoreCreate"]


class ScoreCreate(RequestBody):
    """An expert's technical score (0–100) of a bid."""

    expert_code: Code
    bid_id: str = Field(min_length=32, max_length=32)
    score: Score = Field(ge=0, le=100, max_digits=5, decimal_places=2)


class DefaultCreate(RequestBody):
    """A bidder's default: refusing to sign, withdrawing after the deadline, false materials."""

    section_code: Code
    credit_code: CreditCode
    reason: Literal["refused_to_sign", "withdrew_after_deadline", "false_materials", "other"]
    detail: Text
