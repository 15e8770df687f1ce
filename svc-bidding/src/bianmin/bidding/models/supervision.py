"""Supervision and evaluation: collusion flags, experts and their draw, scores, complaints, auctions."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.bidding.models.base import Base


class CollusionFlag(Base):
    """One screen's finding on one section, with evidence; a supervisor confirms or dismisses it."""

    __tablename__ = "collusion_flag"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"))
    tenant: Mapped[str] = mapped_column(String(20), index=True)
    screen: Mapped[str] = mapped_column(String(40))
    score_bp: Mapped[int]
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    credit_codes: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)


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
    seed_commitment: Mapped[str] = mapped_column(String(64))
    seed: Mapped[str | None] = mapped_column(String(64))
    committed_at: Mapped[datetime]
    pool: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    pool_digest: Mapped[str | None] = mapped_column(String(64))
    recused_credit_codes: Mapped[list[str] | None] = mapped_column(JSON)
    drawn: Mapped[list[str] | None] = mapped_column(JSON)
    excluded: Mapped[list[str] | None] = mapped_column(JSON)
    drawn_at: Mapped[datetime | None]


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


class Complaint(Base):
    """A complaint (投诉) to the supervising department, with its statutory handling deadline."""

    __tablename__ = "complaint"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    tenant: Mapped[str] = mapped_column(String(20), index=True)
    complainant_credit_code: Mapped[str] = mapped_column(String(18))
    text: Mapped[str] = mapped_column(Text)
    known_at: Mapped[datetime]
    filed_at: Mapped[datetime]
    due_at: Mapped[datetime]
    matter: Mapped[str] = mapped_column(String(30), default="other", server_default="other")
    status: Mapped[str] = mapped_column(String(20))
    decision: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(100))


class Auction(Base):
    """An online ascending auction (网上竞价) of land use rights or state property."""

    __tablename__ = "auction"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), unique=True)
    reserve_price: Mapped[Decimal]
    increment: Mapped[Decimal]
    price_cap: Mapped[Decimal | None]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    extension_minutes: Mapped[int]
    final_offer_minutes: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))
    current_price: Mapped[Decimal | None]
    leader_credit_code: Mapped[str | None] = mapped_column(String(18))
    final_round_ends_at: Mapped[datetime | None]
    winner_credit_code: Mapped[str | None] = mapped_column(String(18))
    winning_price: Mapped[Decimal | None]
    capped_by: Mapped[str | None] = mapped_column(String(18))
    version: Mapped[int] = mapped_column(default=0, server_default="0")


class AuctionBid(Base):
    """One offer in an auction: an ascending bid or a sealed final offer after the cap was reached."""

    __tablename__ = "auction_bid"

    id: Mapped[int] = mapped_column(primary_key=True)
    auction_id: Mapped[int] = mapped_column(ForeignKey("auction.id"), index=True)
    credit_code: Mapped[str] = mapped_column(String(18))
    kind: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal]
    at: Mapped[datetime]
