"""Collusion flags: a screen's finding on a section, and the supervisor's decision on it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.bidding.models.base import Base


class CollusionFlag(Base):
    """One screen's finding on one section, with evidence; a supervisor confirms or dismisses it."""

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
