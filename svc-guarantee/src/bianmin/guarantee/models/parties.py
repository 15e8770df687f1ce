"""Issuers with their dated tariffs and color rules, and the read models fed by bidding and credit."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.guarantee.models.base import Base, DecimalText


class Issuer(Base):
    """An insurer or bank that issues guarantees, with its underwriting limits as data."""

    __tablename__ = "issuer"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    credit_code: Mapped[str] = mapped_column(String(18))
    max_single_amount: Mapped[Decimal]
    max_outstanding_amount: Mapped[Decimal]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class Tariff(Base):
    """A rate and minimum fee of one issuer for one guarantee type, in force from a date on."""

    __tablename__ = "tariff"
    __table_args__ = (UniqueConstraint("issuer_code", "type", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    issuer_code: Mapped[str] = mapped_column(ForeignKey("issuer.code"))
    type: Mapped[str] = mapped_column(String(16))
    effective_from: Mapped[date]
    rate = mapped_column(DecimalText(), nullable=False)
    minimum_fee_fen: Mapped[int]
    created_at: Mapped[datetime]


class ColorRule(Base):
    """What an issuer does for an applicant of one credit color: a fee discount, or a refusal."""

    __tablename__ = "color_rule"

    issuer_code: Mapped[str] = mapped_column(ForeignKey("issuer.code"), primary_key=True)
    color: Mapped[str] = mapped_column(String(8), primary_key=True)
    discount = mapped_column(DecimalText(), nullable=False)
    refuse: Mapped[bool] = mapped_column(default=False)


class Project(Base):
    """The read model of a published tender (from ``bidding.project.published``)."""

    __tablename__ = "project"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    site_code: Mapped[str] = mapped_column(String(16))
    tenderer_name: Mapped[str] = mapped_column(String(200))
    tenderer_credit_code: Mapped[str] = mapped_column(String(18))
    budget: Mapped[Decimal]
    bid_deadline: Mapped[datetime]
    opening_at: Mapped[datetime]
    bid_validity_days: Mapped[int | None]
    published_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    awarded_at: Mapped[datetime | None]


class ProjectSection(Base):
    """One section (标段) of a published tender, with its bid bond and, once awarded, its winner (or its failure)."""

    __tablename__ = "project_section"

    project_code: Mapped[str] = mapped_column(ForeignKey("project.code"), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    bid_bond_amount: Mapped[Decimal]
    winner_credit_code: Mapped[str | None] = mapped_column(String(18))
    award_amount: Mapped[Decimal | None]
    failed_at: Mapped[datetime | None]
    contract_signed_at: Mapped[datetime | None] = mapped_column(default=None)


class EnterpriseColor(Base):
    """The read model of each enterprise's five-color code (from ``credit.enterprise.color_changed``)."""

    __tablename__ = "enterprise_color"
    __table_args__ = (Index("ix_enterprise_color_color", "color"),)

    credit_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    color: Mapped[str] = mapped_column(String(8))
    changed_at: Mapped[datetime]
