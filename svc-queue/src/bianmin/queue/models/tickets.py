"""Queue tickets and the call log.

Calls are logged per hall with a monotonically increasing ``seq`` (the SSE event id) taken from
``hall.call_seq``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.queue.models.base import Base


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
    # Who took the ticket: ``citizen:<subject id>`` or ``app:<key id>``; only they rate it (国办发〔2019〕51号).
    holder: Mapped[str | None] = mapped_column(String(120), nullable=True)
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
