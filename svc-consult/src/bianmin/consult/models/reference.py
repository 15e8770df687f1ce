"""What routing reads: departments, the catalog's items (a read model) and operators' keyword rules."""

from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.consult.models.base import Base


class Department(Base):
    """A department that answers consultations (e.g. ``SCJ`` 市场监管局) and who supervises it."""

    __tablename__ = "department"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    supervisor_code: Mapped[str | None] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, server_default="1")
    updated_at: Mapped[datetime]


class ItemRoute(Base):
    """The catalog's service items as far as routing needs them, kept from ``catalog.item.*``."""

    __tablename__ = "item_route"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    department_code: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12))
    revision: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]


class RoutingRule(Base):
    """A keyword an operator maps to a department; the highest priority match wins."""

    __tablename__ = "routing_rule"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    keyword: Mapped[str] = mapped_column(String(50))
    department_code: Mapped[str] = mapped_column(String(20))
    priority: Mapped[int] = mapped_column(Integer, server_default="0")
    active: Mapped[bool] = mapped_column(Boolean, server_default="1")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
