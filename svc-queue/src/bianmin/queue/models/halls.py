"""Halls (政务服务大厅), their business lines (业务线), counters (窗口) and threshold alerts.

A hall is one site of the district's registry (its centre, a township or street, a village or
community, or a bank outlet); its tenant is its own code. Business lines carry a prefix letter and
the items they serve; counters serve lines with weights. Ticket numbers are drawn per line and day
from ``line_day_counter`` (an atomic increment).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.queue.models.base import Base


class Hall(Base):
    """A service hall (政务服务大厅) at one site, with its live alert thresholds."""

    __tablename__ = "hall"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    tenant: Mapped[str] = mapped_column(String(12), index=True)
    address: Mapped[str] = mapped_column(String(200), server_default="")
    call_seq: Mapped[int] = mapped_column(Integer, server_default="0")
    alert_wait_minutes: Mapped[int] = mapped_column(Integer, server_default="30")
    alert_waiting_count: Mapped[int] = mapped_column(Integer, server_default="10")
    alert_open_since: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime]
    # False while the hall's site is closed in the district's registry (catalog.site.changed).
    active: Mapped[bool] = mapped_column(Boolean, server_default=true())


class Line(Base):
    """A business line of a hall: prefix letter, name, daily cap and the items it serves."""

    __tablename__ = "line"
    __table_args__ = (UniqueConstraint("hall_code", "prefix"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hall_code: Mapped[str] = mapped_column(ForeignKey("hall.code"), index=True)
    prefix: Mapped[str] = mapped_column(String(1))
    name: Mapped[str] = mapped_column(String(100))
    daily_cap: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, server_default=true())


class LineItem(Base):
    """An item (by implementation code) that a business line serves."""

    __tablename__ = "line_item"

    line_id: Mapped[int] = mapped_column(ForeignKey("line.id", ondelete="CASCADE"), primary_key=True)
    item_code: Mapped[str] = mapped_column(String(64), primary_key=True)


class LineDayCounter(Base):
    """The last ticket number issued per line and day; incremented atomically."""

    __tablename__ = "line_day_counter"

    line_id: Mapped[int] = mapped_column(ForeignKey("line.id", ondelete="CASCADE"), primary_key=True)
    service_date: Mapped[date] = mapped_column(Date, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)


class Counter(Base):
    """A counter (窗口) of a hall: its number, state and the staff on duty."""

    __tablename__ = "counter"
    __table_args__ = (UniqueConstraint("hall_code", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hall_code: Mapped[str] = mapped_column(ForeignKey("hall.code"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100), server_default="")
    state: Mapped[str] = mapped_column(String(10))
    staff_name: Mapped[str | None] = mapped_column(String(50), nullable=True)


class CounterLine(Base):
    """A line a counter serves, with its weight (skill) in the call order."""

    __tablename__ = "counter_line"

    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id", ondelete="CASCADE"), primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("line.id", ondelete="CASCADE"), primary_key=True)
    weight: Mapped[int] = mapped_column(Integer)


class HallAlert(Base):
    """One breach of a hall's waiting threshold, from when it was raised until it cleared."""

    __tablename__ = "hall_alert"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hall_code: Mapped[str] = mapped_column(ForeignKey("hall.code"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    waiting_over: Mapped[int] = mapped_column(Integer)
    threshold_minutes: Mapped[int] = mapped_column(Integer)
    threshold_count: Mapped[int] = mapped_column(Integer)
    raised_at: Mapped[datetime]
    cleared_at: Mapped[datetime | None] = mapped_column(nullable=True)
