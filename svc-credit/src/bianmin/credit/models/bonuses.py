"""Bonus items (加分项): submitted for an enterprise, counted once approved."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.credit.models.base import Base


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
