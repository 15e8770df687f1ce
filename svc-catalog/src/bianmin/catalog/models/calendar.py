"""The calendar's history and the catalog's re-announcements: every version of a year loaded, and when each announcer last ran.

The current version of each year sits in the kit's ``calendar_year`` table (what every service
keeps); the catalog, which owns the calendar, also keeps every version ever loaded, with the notice
it followed and who loaded it, so an operator can see what changed and when.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.catalog.models import Base


class CalendarVersion(Base):
    """One version of a year's calendar as loaded: the notice, its days (``[[iso date, workday, name], ...]``), who and when."""

    __tablename__ = "calendar_version"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    notice: Mapped[str] = mapped_column(String(200))
    days: Mapped[list[list[Any]]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    loaded_by: Mapped[str] = mapped_column(String(100))
    loaded_at: Mapped[datetime]


class Announcement(Base):
    """When an announcer last re-announced everything it owns, and how many events it sent."""

    __tablename__ = "announcement"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    announced_at: Mapped[datetime]
    events: Mapped[int] = mapped_column(Integer, server_default="0")
