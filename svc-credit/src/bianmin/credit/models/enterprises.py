"""Enterprises by credit code with their current five-color code, and each change of that color."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.credit.models.base import Base


class Enterprise(Base):
    """An enterprise known by its Unified Social Credit Code, with its current five-color code."""

    __tablename__ = "enterprise"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    legacy_code: Mapped[bool] = mapped_column(default=False, server_default="0")
    color: Mapped[str | None] = mapped_column(String(10), index=True)
    score: Mapped[Decimal | None]
    rule_version: Mapped[int | None]
    coded_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ColorChange(Base):
    """A change of an enterprise's color, with the reason and the rules that produced it."""

    __tablename__ = "color_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    old_color: Mapped[str | None] = mapped_column(String(10))
    new_color: Mapped[str] = mapped_column(String(10))
    score: Mapped[Decimal]
    rule_version: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    trigger: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[datetime] = mapped_column(index=True)
