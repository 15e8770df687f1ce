"""Where items are handled: departments (窗口单位), service points, and what each point offers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.catalog.models import Base


class Department(Base):
    """A window unit (窗口单位) that is competent for items."""

    __tablename__ = "department"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]


class Site(Base):
    """A service point: the district hall, a township centre, a village centre or a bank outlet."""

    __tablename__ = "site"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(20), index=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("site.code"), index=True)
    tenant: Mapped[str] = mapped_column(String(20), index=True)
    address: Mapped[str] = mapped_column(String(200), server_default="")
    lat: Mapped[float] = mapped_column(Float)
    lng: Mapped[float] = mapped_column(Float)
    opening_hours: Mapped[str] = mapped_column(String(200), server_default="")
    phone: Mapped[str] = mapped_column(String(30), server_default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (Index("ix_site_lat_lng", "lat", "lng"),)


class Offering(Base):
    """Delegation as data: a site offers an item through a channel (item × site × channel)."""

    __tablename__ = "offering"

    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), primary_key=True)
    site_code: Mapped[str] = mapped_column(ForeignKey("site.code", ondelete="CASCADE"), primary_key=True, index=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
