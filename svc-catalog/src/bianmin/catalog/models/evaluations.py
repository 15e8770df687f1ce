"""Evaluations (好差评): the rating of an application and, for a bad one, its rectification case."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.catalog.models import Base


class Evaluation(Base):
    """A rating of one application (一事一评) and, for a bad one, its rectification case."""

    __tablename__ = "evaluation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), unique=True)
    tenant: Mapped[str] = mapped_column(String(20), index=True)
    site_code: Mapped[str] = mapped_column(String(20), index=True)
    department_code: Mapped[str] = mapped_column(String(40), index=True)
    level: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, server_default="")
    submitted_at: Mapped[datetime] = mapped_column(index=True)
    case_status: Mapped[str | None] = mapped_column(String(20), index=True)
    contact_due: Mapped[date | None]
    fix_due: Mapped[date | None]
    contacted_at: Mapped[datetime | None]
    contact_note: Mapped[str] = mapped_column(Text, server_default="")
    rectified_at: Mapped[datetime | None]
    rectification_note: Mapped[str] = mapped_column(Text, server_default="")
    second_level: Mapped[int | None] = mapped_column(Integer)
    second_rated_at: Mapped[datetime | None]
    appeal_reason: Mapped[str] = mapped_column(Text, server_default="")
    appealed_at: Mapped[datetime | None]
    appeal_decision: Mapped[str | None] = mapped_column(String(20))
    appeal_decided_at: Mapped[datetime | None]
