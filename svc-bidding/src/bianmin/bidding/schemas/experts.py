"""Schemas of the expert pool and of a project's verifiable expert draw."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bianmin.bidding.schemas.common import Code
from bianmin.kit.schemas import CreditCode, RequestBody

__all__ = ["DeclineCreate", "DeclineRead", "DrawCommit", "DrawRead", "DrawVerification", "ExpertCreate", "ExpertRead"]


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
    """Commit to a draw of ``count`` experts of a specialty before the opening.

    With the tenderer's representatives the committee has five or more members, an odd number, the
    drawn experts at least two thirds of it (招标投标法 §37), and at most one representative.
    """

    specialty: str = Field(min_length=1, max_length=60)
    count: int = Field(ge=1, le=25, description="Technical and economic experts drawn from the pool.")
    tenderer_representatives: int = Field(default=0, ge=0, le=25,
                                          description="Members the tenderer names beside the drawn experts (at most 1).")


class DeclineCreate(RequestBody):
    """A drawn expert declines the seat; the next expert of the same seed order takes it (补抽)."""

    expert_code: str = Field(min_length=1, max_length=40)
    reason: str = Field(min_length=1, max_length=2000, description="Why the expert declines, as they said it.")


class DeclineRead(BaseModel):
    """One logged decline and its substitute."""

    model_config = ConfigDict(from_attributes=True)

    expert_code: str
    reason: str
    declined_at: datetime
    recorded_by: str
    replaced_by: str


class DrawRead(BaseModel):
    """A draw: the seed's commitment always, the seed and the result once drawn."""

    project_code: str
    specialty: str
    count: int
    tenderer_representatives: int = 0
    seed_commitment: str
    committed_at: datetime
    pool_digest: str | None
    seed: str | None
    pool: list[dict[str, Any]] | None
    recused_credit_codes: list[str] | None
    excluded: list[str] | None
    drawn: list[str] | None
    drawn_at: datetime | None
    declines: list[DeclineRead] | None = None


class DrawVerification(BaseModel):
    """A revealed draw recomputed from its seed, pool snapshot and recusal set."""

    project_code: str
    valid: bool
    checks: dict[str, bool]
    recomputed_excluded: list[str]
    recomputed_drawn: list[str]
