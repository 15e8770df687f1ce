"""Collusion flags, the hearing each named bidder is given, and the record of every screen run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.bidding.models.base import Base


class CollusionFlag(Base):
    """One screen's finding on one section, with evidence; a supervisor decides it bidder by bidder."""

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
    run_id: Mapped[str | None] = mapped_column(String(32))


class CollusionHearing(Base):
    """The hearing (陈述申辩) of one bidder a flag names, and the supervisor's decision on that bidder."""

    __tablename__ = "collusion_hearing"
    __table_args__ = (UniqueConstraint("flag_id", "credit_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[str] = mapped_column(ForeignKey("collusion_flag.id"), index=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    notice: Mapped[str] = mapped_column(Text)
    opened_by: Mapped[str] = mapped_column(String(120))
    opened_at: Mapped[datetime]
    due_at: Mapped[datetime]
    due_basis: Mapped[str | None] = mapped_column(Text)
    statement: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(120))
    answered_at: Mapped[datetime | None]
    decision: Mapped[str | None] = mapped_column(String(20))
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)


class ScreenRun(Base):
    """One run of the screens: at an opening, a supervisor's re-run with thresholds, or a rotation screen."""

    __tablename__ = "screen_run"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(20), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    project_code: Mapped[str | None] = mapped_column(String(40), index=True)
    scope: Mapped[list[str]] = mapped_column(JSON)
    thresholds: Mapped[dict[str, Any]] = mapped_column(JSON)
    run_by: Mapped[str] = mapped_column(String(120))
    run_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(Text)
    raised: Mapped[list[str]] = mapped_column(JSON)
    matched: Mapped[list[str]] = mapped_column(JSON)
