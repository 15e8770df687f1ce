"""The ledger (leaves, stored subtree hashes, head, checkpoints, witnesses), signing keys and deliveries."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.guarantee.models.base import Base

BigId = BigInteger().with_variant(Integer, "sqlite")


class LedgerHead(Base):
    """The single row every append locks: the tree's size, root and right frontier of perfect subtrees."""

    __tablename__ = "ledger_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    size: Mapped[int] = mapped_column(BigId)
    root: Mapped[str] = mapped_column(String(64))
    frontier: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime]


class LedgerLeaf(Base):
    """One entry of the ledger, in order: canonical JSON of hashes and ids, never personal data."""

    __tablename__ = "ledger_leaf"
    __table_args__ = (Index("ix_ledger_leaf_number", "guarantee_number", "seq"),)

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(24))
    guarantee_number: Mapped[str] = mapped_column(String(40))
    entry: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[str] = mapped_column(String(64))
    appended_at: Mapped[datetime]


class LedgerNode(Base):
    """The hash of a perfect subtree: level ``level`` (leaves are 0), covering leaves idx·2^level onwards."""

    __tablename__ = "ledger_node"

    level: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))


class Checkpoint(Base):
    """A signed checkpoint of the ledger at one size (a C2SP signed note)."""

    __tablename__ = "checkpoint"

    size: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    root: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[datetime]


class WitnessSignature(Base):
    """A witness's countersignature of a checkpoint (the provincial platform), verified and kept."""

    __tablename__ = "witness_signature"
    __table_args__ = (UniqueConstraint("checkpoint_size", "witness_name"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    checkpoint_size: Mapped[int] = mapped_column(ForeignKey("checkpoint.size"))
    witness_name: Mapped[str] = mapped_column(String(80))
    line: Mapped[str] = mapped_column(String(300))
    received_at: Mapped[datetime]


class SigningKey(Base):
    """An Ed25519 key of an issuer or of the log; the private half is stored encrypted, never served."""

    __tablename__ = "signing_key"
    __table_args__ = (Index("ix_signing_key_owner", "owner", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(80), unique=True)
    public_key: Mapped[str] = mapped_column(String(64))
    verifier_key: Mapped[str] = mapped_column(String(200))
    private_key: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    created_at: Mapped[datetime]


class Delivery(Base):
    """One push of an issued or released guarantee to the provincial platform, retried until a 2xx."""

    __tablename__ = "delivery"
    __table_args__ = (Index("ix_delivery_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    guarantee_number: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    signature: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]


class DeliveryAttempt(Base):
    """One attempt of a delivery: when, what the platform answered, or why it failed."""

    __tablename__ = "delivery_attempt"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("delivery.id"), index=True)
    at: Mapped[datetime]
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(String(500))
    duration_ms: Mapped[int]
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
