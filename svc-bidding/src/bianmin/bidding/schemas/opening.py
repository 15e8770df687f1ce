"""Schemas of the remote opening: sign-in, reveals, the opening record, confirmations and objections."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bianmin.bidding.schemas.common import B64, Text, Yuan
from bianmin.kit.schemas import CreditCode, RequestBody

__all__ = ["OpeningEntry", "OpeningRow", "ResponseAnswer", "ResponseCreate", "ResponseRead", "RevealRequest",
           "SignInRequest"]


class SignInRequest(RequestBody):
    """A bidder signs in to the remote opening (or, naming itself the same way, withdraws its bid)."""

    credit_code: CreditCode


class RevealRequest(RequestBody):
    """The bidder's data key and commitment salt, revealed within the decryption window."""

    data_key: str = Field(min_length=44, max_length=44, pattern=B64)
    salt: str = Field(pattern=r"^[0-9a-f]{64}$")


class OpeningRow(BaseModel):
    """One line of the opening record (开标记录)."""

    section_code: str
    credit_code: str
    name: str
    price: Yuan | None
    duration_days: int | None
    deposit_secured: bool | None
    validity: str | None
    reason: str | None


class OpeningEntry(BaseModel):
    """One numbered entry of the live opening record."""

    seq: int
    kind: str
    data: dict[str, Any]
    at: datetime


class ResponseCreate(RequestBody):
    """A bidder confirms the opening record or raises an objection (异议)."""

    credit_code: CreditCode
    kind: Literal["confirm", "objection"]
    text: str = Field(default="", max_length=2000)


class ResponseAnswer(RequestBody):
    """The answer to an objection, recorded with it."""

    answer: Text


class ResponseRead(BaseModel):
    """A confirmation or objection with its answer."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    stage: str
    credit_code: str
    kind: str
    text: str
    at: datetime
    answer: str | None
    answered_at: datetime | None
