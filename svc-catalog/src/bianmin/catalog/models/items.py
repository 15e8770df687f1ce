"""Service items (政务服务事项): the current revision, its history, its channels and its search index."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.catalog.models import Base


class Item(Base):
    """A service item (政务服务事项): the current revision; older revisions live in ``item_revision``."""

    __tablename__ = "item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    basic_code: Mapped[str] = mapped_column(String(60), index=True)
    name: Mapped[str] = mapped_column(String(200))
    aliases: Mapped[list[str]] = mapped_column(JSON)
    keywords: Mapped[list[str]] = mapped_column(JSON)
    type: Mapped[str] = mapped_column(String(30))
    department_code: Mapped[str] = mapped_column(ForeignKey("department.code"), index=True)
    target_group: Mapped[str] = mapped_column(String(10))
    exercise_level: Mapped[str] = mapped_column(String(20))
    legal_limit_days: Mapped[int] = mapped_column(Integer)
    promised_limit_days: Mapped[int] = mapped_column(Integer)
    fee: Mapped[Decimal]
    fee_basis: Mapped[str] = mapped_column(String(300), server_default="")
    materials: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    channels: Mapped[list[str]] = mapped_column(JSON)
    appointment: Mapped[bool] = mapped_column(Boolean, server_default="0")
    cross_province_mode: Mapped[str | None] = mapped_column(String(30))
    cross_province_regions: Mapped[list[str]] = mapped_column(JSON)
    auto_approve: Mapped[bool] = mapped_column(Boolean, server_default="0")
    status: Mapped[str] = mapped_column(String(20), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ItemRevision(Base):
    """One revision of an item, as it was saved: the readable history."""

    __tablename__ = "item_revision"

    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, primary_key=True)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    change: Mapped[str] = mapped_column(String(30))
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime]


class ItemChannel(Base):
    """The channels of an item, one row each, so that lists filter by channel in SQL."""

    __tablename__ = "item_channel"

    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)


class SearchGram(Base):
    """The n-gram index of an item: each gram of its searchable text with its best field weight."""

    __tablename__ = "search_gram"

    gram: Mapped[str] = mapped_column(String(40), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), primary_key=True, index=True)
    weight: Mapped[int] = mapped_column(Integer)
