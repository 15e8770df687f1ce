"""Tender projects (招标项目), their sections (标段), invitations and status history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bianmin.bidding.models.base import Base


class Project(Base):
    """A tender: what is bought or sold, by whom, by which method and on which timetable."""

    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(30))
    level: Mapped[str] = mapped_column(String(20))
    site_code: Mapped[str] = mapped_column(String(20))
    tenant: Mapped[str] = mapped_column(String(20), index=True)
    method: Mapped[str] = mapped_column(String(20))
    subject_code: Mapped[str] = mapped_column(String(40))
    tenderer_name: Mapped[str] = mapped_column(String(200))
    tenderer_credit_code: Mapped[str] = mapped_column(String(18), index=True)
    budget: Mapped[Decimal]
    bid_deadline: Mapped[datetime]
    opening_at: Mapped[datetime]
    decryption_minutes: Mapped[int]
    confirmation_minutes: Mapped[int]
    evaluation_method: Mapped[str] = mapped_column(String(20))
    price_weight: Mapped[int]
    technical_weight: Mapped[int]
    publicity_days: Mapped[int]
    # The tender documents' own floor of valid bids below which a section fails by itself (e.g. a
    # government purchase, 政府采购法 §36); None: the committee judges a thin field (招标投标法 §42).
    min_valid_bids: Mapped[int | None]
    # 依法必须招标: the statutory periods apply (招标投标法 §24; ``domain/periods.py``).
    mandatory_tender: Mapped[bool] = mapped_column(default=False, server_default="0")
    escrow_public_key: Mapped[str | None] = mapped_column(String(64))
    escrow_threshold: Mapped[int | None]
    escrow_custodians: Mapped[list[str] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), index=True)
    opening_started_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]
    publicity_started_at: Mapped[datetime | None]
    publicity_ends_at: Mapped[datetime | None]
    awarded_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100))
    # A direct-contract filing: who filed it (the acting account, or the key acting alone) and the
    # trading officer who approved it, never the same (separation of duties, ``domain/projects.py``).
    filed_by: Mapped[str | None] = mapped_column(String(120))
    approved_by: Mapped[str | None] = mapped_column(String(120))
    approved_at: Mapped[datetime | None]
    # The day a direct contract was signed: the splitting window counts from it.
    signed_on: Mapped[date | None]
    # A direct contract's contractor as its filing names it: the award's supplier in open data.
    contractor_name: Mapped[str | None] = mapped_column(String(200))

    sections: Mapped[list[Section]] = relationship(back_populates="project", order_by="Section.code",
                                                   lazy="selectin", cascade="all, delete-orphan")


class Section(Base):
    """One section (标段) of a tender, bid and awarded on its own."""

    __tablename__ = "section"
    __table_args__ = (UniqueConstraint("project_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    budget: Mapped[Decimal]
    bid_bond_amount: Mapped[Decimal]
    outcome: Mapped[str] = mapped_column(String(20), default="pending")
    failure_reason: Mapped[str | None] = mapped_column(Text)
    winner_credit_code: Mapped[str | None] = mapped_column(String(18))
    award_amount: Mapped[Decimal | None]
    contract_signed_at: Mapped[datetime | None]

    project: Mapped[Project] = relationship(back_populates="sections", lazy="raise")


class Invitation(Base):
    """An enterprise invited to an invited tender (邀请招标); only the invited may register."""

    __tablename__ = "invitation"
    __table_args__ = (UniqueConstraint("project_id", "credit_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    credit_code: Mapped[str] = mapped_column(String(18))
    invited_at: Mapped[datetime]


class ProjectTransition(Base):
    """One recorded change of a project's status, with who did it and why."""

    __tablename__ = "project_transition"
    __table_args__ = (Index("ix_project_transition_project_at", "project_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
