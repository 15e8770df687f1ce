"""Bad records and their history.

A bad record's life is kept twice on purpose: as dates on the row (``confirmed_on``, ``ended_on``),
which is all the color computation needs to reproduce any past date and lets the daily batch load
100,000 enterprises' records in a few queries; and as ``record_history`` rows, the audit trail that
says who did what and why (confirmation, revocation, repair).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.credit.models.base import Base


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
