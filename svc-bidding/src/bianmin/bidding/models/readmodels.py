"""What the bidding service keeps of other services' facts, and its own signing key."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.bidding.models.base import Base


class EnterpriseColor(Base):
    """An enterprise's five-color code as credit last announced it (``credit.enterprise.color_changed``)."""

    __tablename__ = "enterprise_color"

    credit_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    color: Mapped[str] = mapped_column(String(10))
    changed_at: Mapped[datetime]


class Deposit(Base):
    """A bid deposit of one bidder for one section: a guarantee (from events) or a recorded cash deposit."""

    __tablename__ = "deposit"
    __table_args__ = (UniqueConstraint("project_code", "section_code", "credit_code", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_code: Mapped[str] = mapped_column(String(40), index=True)
    section_code: Mapped[str] = mapped_column(String(40))
    credit_code: Mapped[str] = mapped_column(String(18))
    kind: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(64))
    amount: Mapped[Decimal]
    account: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime]


class SigningKey(Base):
    """The platform's Ed25519 key of one purpose (receipts, archive) when none is configured: generated once, shared."""

    __tablename__ = "signing_key"

    purpose: Mapped[str] = mapped_column(String(20), primary_key=True)
    private_key: Mapped[str] = mapped_column(String(64))
    public_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
