"""The read model of the catalog's service items, kept from ``catalog.item.*`` events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.queue.models.base import Base


class CatalogItem(Base):
    """Read model of the catalog's service items (事项), kept from ``catalog.item.*`` events."""

    __tablename__ = "catalog_item"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    basic_code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    department_code: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    revision: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]
