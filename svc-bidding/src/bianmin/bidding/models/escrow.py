"""Custodians' keys, each tender's escrow shares sealed to them, recoveries and the share log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.bidding.models.base import Base


class CustodianKey(Base):
    """A custodian account's X25519 public key; the private half stays with the custodian (``custody.py``)."""

    __tablename__ = "custodian_key"

    custodian: Mapped[str] = mapped_column(String(100), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))
    registered_at: Mapped[datetime]


class EscrowCustody(Base):
    """One custodian's share of a tender's escrow key, sealed to that custodian's key at the split."""

    __tablename__ = "escrow_custody"
    __table_args__ = (UniqueConstraint("project_id", "custodian"), UniqueConstraint("project_id", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    custodian: Mapped[str] = mapped_column(String(100))
    position: Mapped[int]
    sealed_share: Mapped[str] = mapped_column(Text)
    key_fingerprint: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[datetime]


class EscrowRecovery(Base):
    """A recorded technical-failure request to open one bid with the custodians' escrow shares."""

    __tablename__ = "escrow_recovery"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    bid_id: Mapped[str] = mapped_column(ForeignKey("bid.id"))
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))
    completed_at: Mapped[datetime | None]


class EscrowShare(Base):
    """One custodian's share submission; the share itself is erased once the recovery ends."""

    __tablename__ = "escrow_share"
    __table_args__ = (UniqueConstraint("recovery_id", "custodian"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recovery_id: Mapped[str] = mapped_column(ForeignKey("escrow_recovery.id"), index=True)
    custodian: Mapped[str] = mapped_column(String(100))
    share_digest: Mapped[str] = mapped_column(String(64))
    share: Mapped[str | None] = mapped_column(Text)
    submitted_by: Mapped[str] = mapped_column(String(100))
    submitted_at: Mapped[datetime]
