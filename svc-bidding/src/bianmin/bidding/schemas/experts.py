"""Schemas of the expert pool and of a project's verifiable expert draw."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bianmin.bidding.schemas.common import Code
from bianmin.kit.schemas import CreditCode, RequestBody

__all__ = ["DrawCommit", "DrawRead", "DrawVerification", "ExpertCreate", "ExpertRead"]


class ExpertCreate(RequestBody):
    """An expert joins the pool."""

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


class DrawCommit(RequestBody):
    """Commit to a draw of ``count`` experts of a specialty before the opening."""

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
