"""The expert pool, each project's expert draw, the drawn experts' technical scores and their revisions."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.bidding.models.base import Base


class Expert(Base):
    """An evaluation expert of the pool, with specialties and the enterprises they are tied to."""

    __tablename__ = "expert"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    specialties: Mapped[list[str]] = mapped_column(JSON)
    affiliations: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)


class ExpertDraw(Base):
    """A project's random expert draw: the seed is committed before and revealed after."""

    __tablename__ = "expert_draw"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), unique=True)
    specialty: Mapped[str] = mapped_column(String(60))
    count: Mapped[int]
    # Members the tenderer names beside the drawn experts (招标投标法 §37); at most one.
    tenderer_representatives: Mapped[int] = mapped_column(default=0, server_default="0")
    seed_commitment: Mapped[str] = mapped_column(String(64))
    seed: Mapped[str | None] = mapped_column(String(64))
    committed_at: Mapped[datetime]
    # A supervisor's seed, given after the commitment; the draw runs on SHA-256(seed ‖ contributed_seed).
    contributed_seed: Mapped[str | None] = mapped_column(String(64))
    contributed_by: Mapped[str | None] = mapped_column(String(120))
    contributed_at: Mapped[datetime | None]
    pool: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    pool_digest: Mapped[str | None] = mapped_column(String(64))
    recused_credit_codes: Mapped[list[str] | None] = mapped_column(JSON)
    drawn: Mapped[list[str] | None] = mapped_column(JSON)
    excluded: Mapped[list[str] | None] = mapped_column(JSON)
    drawn_at: Mapped[datetime | None]


class ExpertDecline(Base):
    """A drawn expert who declined, and who took the seat in the substitute draw (补抽) from the same seed and pool.

    Kept in order (``id``), so anyone holding the revealed seed and snapshot replays every
    substitution (``domain/experts.py``) and sees that the platform picked no replacement by hand.
    """

    __tablename__ = "expert_decline"

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("expert_draw.id"), index=True)
    expert_code: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    declined_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(120))
    replaced_by: Mapped[str] = mapped_column(String(40))


class ExpertScore(Base):
    """One expert's technical score of one bid (comprehensive scoring)."""

    __tablename__ = "expert_score"
    __table_args__ = (UniqueConstraint("bid_id", "expert_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    bid_id: Mapped[str] = mapped_column(ForeignKey("bid.id"))
    expert_code: Mapped[str] = mapped_column(String(40))
    score: Mapped[Decimal]
    scored_at: Mapped[datetime]


class ScoreRevision(Base):
    """One entry or change of an expert's score: who (account and app), when, the old and new score, why.

    Kept because 招标投标法 §44 makes each expert answer personally for their own evaluation and
    实施条例 §49 requires scoring by the published criteria only: a score changed without a trace would
    hide who changed it and why.
    """

    __tablename__ = "score_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    bid_id: Mapped[str] = mapped_column(ForeignKey("bid.id"))
    expert_code: Mapped[str] = mapped_column(String(40))
    old_score: Mapped[Decimal | None]
    new_score: Mapped[Decimal]
    reason: Mapped[str | None] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(100))
    via_app: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime]
