"""Appointment slots, bookings (预约) and the per-person daily quota."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.queue.models.base import Base


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
    # Who booked: ``citizen:<subject id>`` or ``app:<key id>``; only they cancel, and rate the ticket it becomes.
    holder: Mapped[str | None] = mapped_column(String(120), nullable=True)
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
