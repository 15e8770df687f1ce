"""Applications (办件) and the steps of their handling."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.catalog.models import Base


class Application(Base):
    """An application (办件): who applied for which item where, and where it stands."""

    __tablename__ = "application"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    item_code: Mapped[str] = mapped_column(String(60))
    item_revision: Mapped[int] = mapped_column(Integer)
    department_code: Mapped[str] = mapped_column(String(40), index=True)
    site_code: Mapped[str] = mapped_column(ForeignKey("site.code"), index=True)
    # The terminal it came through (政银合作: a self-service terminal, bank counter or PAD under the site), if any.
    terminal_code: Mapped[str | None] = mapped_column(ForeignKey("site.code"), index=True)
    tenant: Mapped[str] = mapped_column(String(20), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    applicant_type: Mapped[str] = mapped_column(String(10))
    applicant_id_number: Mapped[str] = mapped_column(String(18))
    applicant_name: Mapped[str] = mapped_column(String(100))
    applicant_phone: Mapped[str] = mapped_column(String(20))
    materials: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), index=True)
    auto_approved: Mapped[bool] = mapped_column(Boolean, server_default="0")
    submitted_at: Mapped[datetime] = mapped_column(index=True)
    submitted_on: Mapped[date] = mapped_column(index=True)
    promised_date: Mapped[date]
    # Counted across a year whose holiday notice was not loaded (weekends alone), and why: the date may still move.
    promised_provisional: Mapped[bool] = mapped_column(Boolean, server_default="0")
    promised_basis: Mapped[str | None] = mapped_column(String(300))
    finished_at: Mapped[datetime | None]
    finished_on: Mapped[date | None]
    certificate_no: Mapped[str | None] = mapped_column(String(60))
    reason: Mapped[str | None] = mapped_column(Text)
    # Who applied (the citizen's stable subject id; None when an app acting alone submitted) and who
    # submitted (``kind:id`` or the key id): the holder rates, the submitter never approves (issue 19).
    applicant_subject: Mapped[str | None] = mapped_column(String(100), index=True)
    submitted_by: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (Index("ix_application_status_promised", "status", "promised_date"),)


class ApplicationStep(Base):
    """One step of an application's handling: who moved it where, and when."""

    __tablename__ = "application_step"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text, server_default="")
    at: Mapped[datetime]
