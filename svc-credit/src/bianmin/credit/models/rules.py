"""The scoring rules' versions, and the batch recomputes that apply them to every enterprise."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.credit.models.base import Base


class RuleSet(Base):
    """One version of the scoring rules; an edit adds a version, none is ever changed."""

    __tablename__ = "rule_set"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(500), default="", server_default="")
    valid_from: Mapped[datetime]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100))


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
