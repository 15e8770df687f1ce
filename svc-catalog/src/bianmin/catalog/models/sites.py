"""Where items are handled: departments (窗口单位), service points, and what each point offers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.catalog.models import Base


class Department(Base):
    """A window unit (窗口单位) that is competent for items."""

    __tablename__ = "department"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]


class Site(Base):
    """A service point: a district hall, a township centre, a village centre, a bank outlet or a terminal.

    ``kind`` is a terminal's (self_service, bank_counter, pad) and None for every other level; a
    closed site (``active`` false) is kept, so applications and roles that name it still resolve.
    """

    __tablename__ = "site"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(20), index=True)
    kind: Mapped[str | None] = mapped_column(String(20))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("site.code"), index=True)
    tenant: Mapped[str] = mapped_column(String(20), index=True)
    address: Mapped[str] = mapped_column(String(200), server_default="")
    lat: Mapped[float] = mapped_column(Float)
    lng: Mapped[float] = mapped_column(Float)
    opening_hours: Mapped[str] = mapped_column(String(200), server_default="")
    phone: Mapped[str] = mapped_column(String(30), server_default="")
    active: Mapped[bool] = mapped_column(Boolean, server_default="1")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (Index("ix_site_lat_lng", "lat", "lng"),)


class Offering(Base):
    """Delegation as data: a site offers an item through a channel (item × site × channel)."""

    __tablename__ = "offering"

    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), primary_key=True)
    site_code: Mapped[str] = mapped_column(ForeignKey("site.code", ondelete="CASCADE"), primary_key=True, index=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
