"""Credit-repair (信用修复) applications, one record each."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.credit.models.base import Base


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
