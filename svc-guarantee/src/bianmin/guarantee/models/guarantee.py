"""Guarantees, every step of their life, their numbered amendments and the claims on them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.guarantee.models.base import Base, DecimalText


class Guarantee(Base):
    """One guarantee, from application to release, payment or expiry (URDG 758)."""

    __tablename__ = "guarantee"
    __table_args__ = (
        Index("ix_guarantee_applicant", "applicant_credit_code"),
        Index("ix_guarantee_project", "project_code", "section_code"),
        Index("ix_guarantee_issuer_status", "issuer_code", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    issuer_code: Mapped[str] = mapped_column(ForeignKey("issuer.code"))
    applicant_credit_code: Mapped[str] = mapped_column(String(18))
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_color: Mapped[str | None] = mapped_column(String(8))
    beneficiary_name: Mapped[str] = mapped_column(String(200))
    beneficiary_credit_code: Mapped[str] = mapped_column(String(18))
    project_code: Mapped[str] = mapped_column(String(64))
    project_name: Mapped[str] = mapped_column(String(300))
    section_code: Mapped[str] = mapped_column(String(64))
    site_code: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    applied_on: Mapped[date]
    valid_from: Mapped[date]
    expires_on: Mapped[date]
    tariff_id: Mapped[int] = mapped_column(ForeignKey("tariff.id"))
    rate = mapped_column(DecimalText(), nullable=False)
    discount = mapped_column(DecimalText(), nullable=False)
    fee_fen: Mapped[int]
    underwriting: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    issued_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    document: Mapped[str | None] = mapped_column(Text)
    document_hash: Mapped[str | None] = mapped_column(String(64))
    signature: Mapped[str | None] = mapped_column(String(128))
    key_name: Mapped[str | None] = mapped_column(String(80))
    leaf_index: Mapped[int | None]
    amendment_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class GuaranteeStep(Base):
    """One recorded step of a guarantee's life: what happened, from which state, by whom and when."""

    __tablename__ = "guarantee_step"
    __table_args__ = (Index("ix_guarantee_step_guarantee", "guarantee_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    guarantee_id: Mapped[int] = mapped_column(ForeignKey("guarantee.id"))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime]
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Amendment(Base):
    """A numbered amendment of an issued guarantee: an increase or an extension, re-signed."""

    __tablename__ = "amendment"
    __table_args__ = (UniqueConstraint("guarantee_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    guarantee_id: Mapped[int] = mapped_column(ForeignKey("guarantee.id"))
    number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    previous_amount: Mapped[Decimal]
    new_amount: Mapped[Decimal]
    previous_expires_on: Mapped[date]
    new_expires_on: Mapped[date]
    extra_fee_fen: Mapped[int]
    reason: Mapped[str] = mapped_column(String(500))
    document_hash: Mapped[str] = mapped_column(String(64))
    leaf_index: Mapped[int]
    by: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime]


class Claim(Base):
    """A demand for payment (or, extend-or-pay, for an extension instead), examined within five working days."""

    __tablename__ = "claim"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(48), unique=True)
    guarantee_id: Mapped[int] = mapped_column(ForeignKey("guarantee.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16), default="pay", server_default="pay")
    requested_expires_on: Mapped[date | None]
    suspended_until: Mapped[datetime | None]
    amount: Mapped[Decimal]
    statement: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(40))
    filed_by: Mapped[str] = mapped_column(String(120))
    filed_at: Mapped[datetime]
    examine_by: Mapped[datetime]
    # Why the examination deadline may still move (a year it spans had no holiday notice when counted), or None.
    examine_by_basis: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime | None]
    discrepancies: Mapped[list[str]] = mapped_column(JSON, default=list)
    payment_reference: Mapped[str | None] = mapped_column(String(100))

    @property
    def examine_by_provisional(self) -> bool:
        """Whether the examination deadline was counted into a year whose holiday notice was not loaded."""
        return self.examine_by_basis is not None
