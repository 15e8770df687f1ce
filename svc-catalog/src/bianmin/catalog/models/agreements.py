"""Cross-province agreements (跨省通办): which partner region handles which items, and how."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.catalog.models import Base


class Agreement(Base):
    """A cross-province agreement (跨省通办): partner region, signing date, mode and the items it covers."""

    __tablename__ = "agreement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_region: Mapped[str] = mapped_column(String(100))
    signed_on: Mapped[date]
    mode: Mapped[str] = mapped_column(String(30))
    item_codes: Mapped[list[str]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, server_default="")
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("partner_region", "signed_on", "mode"),)
