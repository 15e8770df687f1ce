"""The credit service's tables. The kit's outbox, inbox and idempotency tables sit beside them.

A bad record's life is kept twice on purpose: as dates on the row (``confirmed_on``, ``ended_on``),
which is all the color computation needs to reproduce any past date and lets the daily batch load
100,000 enterprises' records in a few queries; and as ``record_history`` rows, the audit trail that
says who did what and why (confirmation, revocation, repair). Scores are exact decimals (the kit's
NUMERIC(18, 2) type, as strings on SQLite), never floats.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bianmin.kit.db import make_base

Base: type[DeclarativeBase] = make_base()


class Enterprise(Base):
    """An enterprise known by its Unified Social Credit Code, with its current five-color code."""

    __tablename__ = "enterprise"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    legacy_code: Mapped[bool] = mapped_column(default=False, server_default="0")
    color: Mapped[str | None] = mapped_column(String(10), index=True)
    score: Mapped[Decimal | None]
    rule_version: Mapped[int | None]
    coded_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RuleSet(Base):
    """One version of the scoring rules; an edit adds a version, none is ever changed."""

    __tablename__ = "rule_set"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(500), default="", server_default="")
    valid_from: Mapped[datetime]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100))


class BadRecord(Base):
    """A bad behaviour (失信行为) of an enterprise: pending until a reviewer confirms or revokes it."""

    __tablename__ = "bad_record"
    __table_args__ = (Index("ix_bad_record_enterprise_status", "enterprise_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    kind: Mapped[str] = mapped_column(String(50))
    severity: Mapped[str] = mapped_column(String(10))
    points: Mapped[Decimal]
    publication_months: Mapped[int]
    occurred_on: Mapped[date] = mapped_column(Date)
    evidence: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(10))
    source_ref: Mapped[str | None] = mapped_column(String(200), unique=True)
    site_code: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10))
    rule_version: Mapped[int]
    confirmed_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100))


class RecordHistory(Base):
    """One step in a bad record's life: who moved it to which status, when, and why."""

    __tablename__ = "record_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("bad_record.id"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime]
    by: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")


class BonusItem(Base):
    """A bonus item (加分项) submitted for an enterprise; counts once approved, until its end date."""

    __tablename__ = "bonus_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    kind: Mapped[str] = mapped_column(String(50))
    points: Mapped[Decimal]
    evidence: Mapped[str] = mapped_column(Text)
    valid_until: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))
    approved_on: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decision_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100))


class RepairApplication(Base):
    """An application for credit repair (信用修复) of one confirmed record."""

    __tablename__ = "repair_application"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("bad_record.id"), index=True)
    evidence: Mapped[str] = mapped_column(Text)
    commitment: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    submitted_at: Mapped[datetime]
    submitted_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decision_note: Mapped[str] = mapped_column(Text, default="", server_default="")


class ColorChange(Base):
    """A change of an enterprise's color, with the reason and the rules that produced it."""

    __tablename__ = "color_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    old_color: Mapped[str | None] = mapped_column(String(10))
    new_color: Mapped[str] = mapped_column(String(10))
    score: Mapped[Decimal]
    rule_version: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    trigger: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[datetime] = mapped_column(index=True)


class RecomputeRun(Base):
    """A batch recompute: the daily run of one date (``daily:<date>``) or the run after a rule edit
    (``rules:v<version>``). The unique key lets exactly one replica win each run."""

    __tablename__ = "recompute_run"
    __table_args__ = (UniqueConstraint("run_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_key: Mapped[str] = mapped_column(String(40))
    trigger: Mapped[str] = mapped_column(String(20), default="daily", server_default="daily")
    rule_version: Mapped[int | None]
    run_date: Mapped[date] = mapped_column(Date)
    owner: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    enterprises: Mapped[int] = mapped_column(default=0, server_default="0")
    changes: Mapped[int] = mapped_column(default=0, server_default="0")
