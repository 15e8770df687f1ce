"""The queue service's tables. The kit's outbox, inbox and idempotency tables sit beside them.

A hall is one site (district hall ``330199000``, township halls ``330199001``–``010``); its tenant
is its own code. Business lines (业务线) carry a prefix letter and the items they serve; counters
(窗口) serve lines with weights. Tickets are numbered per line and day through ``line_day_counter``
(an atomic increment), calls are logged per hall with a monotonically increasing ``seq`` (the SSE
event id) taken from ``hall.call_seq``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bianmin.kit.db import make_base

Base: type[DeclarativeBase] = make_base()


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


class Slot(Base):
    """An appointment slot of a line on a day, with its capacity and how much of it is booked."""

    __tablename__ = "slot"
    __table_args__ = (UniqueConstraint("line_id", "start_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hall_code: Mapped[str] = mapped_column(ForeignKey("hall.code"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("line.id"))
    day: Mapped[date] = mapped_column(Date, index=True)
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, server_default="0")


class Appointment(Base):
    """A booking (预约) of one slot by one person, identified by a booking code."""

    __tablename__ = "appointment"
    __table_args__ = (Index("ix_appointment_person_day", "id_number", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id"), index=True)
    hall_code: Mapped[str] = mapped_column(ForeignKey("hall.code"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("line.id"))
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(50))
    id_number: Mapped[str] = mapped_column(String(18))
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    item_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    state: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None] = mapped_column(nullable=True)
    checked_in_at: Mapped[datetime | None] = mapped_column(nullable=True)
    ticket_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class BookingQuota(Base):
    """Live bookings per person and day, keyed by a hash of the ID number; bounded by an atomic upsert."""

    __tablename__ = "booking_quota"

    person_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    booked: Mapped[int] = mapped_column(Integer)


class Ticket(Base):
    """A queue ticket (号) and its life: waiting, called, serving, held, done, no-show, or expired at day end."""

    __tablename__ = "ticket"
    __table_args__ = (
        UniqueConstraint("line_id", "service_date", "seq"),
        Index("ix_ticket_hall_state", "hall_code", "state"),
        Index("ix_ticket_hall_issued", "hall_code", "issued_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hall_code: Mapped[str] = mapped_column(ForeignKey("hall.code"))
    line_id: Mapped[int] = mapped_column(ForeignKey("line.id"))
    original_line_id: Mapped[int] = mapped_column(ForeignKey("line.id"))
    service_date: Mapped[date] = mapped_column(Date)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(12))
    appointment_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(nullable=True)
    late_arrival: Mapped[bool] = mapped_column(Boolean, server_default=false())
    name: Mapped[str | None] = mapped_column(String(50), nullable=True)
    id_number: Mapped[str | None] = mapped_column(String(18), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    item_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    elderly: Mapped[bool] = mapped_column(Boolean, server_default=false())
    disabled: Mapped[bool] = mapped_column(Boolean, server_default=false())
    green_channel: Mapped[bool] = mapped_column(Boolean, server_default=false())
    state: Mapped[str] = mapped_column(String(10))
    issued_at: Mapped[datetime]
    queued_at: Mapped[datetime]
    first_called_at: Mapped[datetime | None] = mapped_column(nullable=True)
    called_at: Mapped[datetime | None] = mapped_column(nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    service_seconds: Mapped[int] = mapped_column(Integer, server_default="0")
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id"), nullable=True)
    target_counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id"), nullable=True)
    return_line_id: Mapped[int | None] = mapped_column(ForeignKey("line.id"), nullable=True)
    return_counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id"), nullable=True)
    recall_count: Mapped[int] = mapped_column(Integer, server_default="0")
    transfer_count: Mapped[int] = mapped_column(Integer, server_default="0")
    call_reason: Mapped[str | None] = mapped_column(String(30), nullable=True)


class CallLog(Base):
    """One announcement of a hall, numbered per hall: what boards and voices announce, in order."""

    __tablename__ = "call_log"
    __table_args__ = (UniqueConstraint("hall_code", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hall_code: Mapped[str] = mapped_column(ForeignKey("hall.code"))
    seq: Mapped[int] = mapped_column(Integer)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"))
    number: Mapped[str] = mapped_column(String(8))
    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id"))
    counter_number: Mapped[int] = mapped_column(Integer)
    masked_name: Mapped[str | None] = mapped_column(String(50), nullable=True)
    kind: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(String(200))
    called_at: Mapped[datetime]


class Evaluation(Base):
    """The one evaluation (一次一评) of a served ticket, on the five levels of 好差评."""

    __tablename__ = "evaluation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), unique=True)
    hall_code: Mapped[str] = mapped_column(ForeignKey("hall.code"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("line.id"))
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id"), nullable=True)
    level: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, server_default="")
    created_at: Mapped[datetime]


class Rectification(Base):
    """The rectification case (整改) a bad review opens: contact, fix, re-rating, or appeal."""

    __tablename__ = "rectification"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id"), unique=True)
    hall_code: Mapped[str] = mapped_column(ForeignKey("hall.code"), index=True)
    state: Mapped[str] = mapped_column(String(12))
    contact_due: Mapped[date] = mapped_column(Date)
    fix_due: Mapped[date] = mapped_column(Date)
    contacted_at: Mapped[datetime | None] = mapped_column(nullable=True)
    contact_note: Mapped[str] = mapped_column(Text, server_default="")
    fixed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    fix_note: Mapped[str] = mapped_column(Text, server_default="")
    re_rated_level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    appeal_reason: Mapped[str] = mapped_column(Text, server_default="")
    appeal_from_state: Mapped[str | None] = mapped_column(String(12), nullable=True)
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)


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
