"""The remote opening: its numbered live record, and the bidders' confirmations and objections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.bidding.models.base import Base


class OpeningRecord(Base):
    """One numbered entry of a project's live opening record, replayed to SSE clients by number."""

    __tablename__ = "opening_record"
    __table_args__ = (UniqueConstraint("project_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"))
    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(String(30))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[datetime]


class OpeningResponse(Base):
    """A bidder's confirmation of, or objection to, the opening record or the winning candidates."""

    __tablename__ = "opening_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    credit_code: Mapped[str] = mapped_column(String(18))
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[str | None] = mapped_column(String(100))
