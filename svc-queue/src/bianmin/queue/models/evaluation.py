"""Evaluations after service (好差评) and the rectification cases of bad reviews."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.queue.models.base import Base


class Evaluation(Base):
    """The one evaluation (一次一评) of a served ticket, on the five levels of 好差评."""

    __tablename__ = "evaluation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), unique=True)
    hall_code: Mapped[str] = mapped_column(ForeignKey("hall.code"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("line.id"))
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id"), nullable=True)
    level: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, server_default="")
    created_at: Mapped[datetime]


class Rectification(Base):
    """The rectification case (整改) a bad review opens: contact, fix, re-rating, or appeal."""

    __tablename__ = "rectification"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id"), unique=True)
    hall_code: Mapped[str] = mapped_column(ForeignKey("hall.code"), index=True)
    state: Mapped[str] = mapped_column(String(12))
    contact_due: Mapped[date] = mapped_column(Date)
    fix_due: Mapped[date] = mapped_column(Date)
    contacted_at: Mapped[datetime | None] = mapped_column(nullable=True)
    contact_note: Mapped[str] = mapped_column(Text, server_default="")
    fixed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    fix_note: Mapped[str] = mapped_column(Text, server_default="")
    re_rated_level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    appeal_reason: Mapped[str] = mapped_column(Text, server_default="")
    appeal_from_state: Mapped[str | None] = mapped_column(String(12), nullable=True)
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)
