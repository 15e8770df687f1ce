"""The delivery log: one delivery per (endpoint, event), and every attempt of it.

A delivery row is the unit of work and of state: the deliverer claims due rows by a lease
(``lease_until``/``lease_token``), so a process that dies mid-request leaves a row that another
process (or the same one after a restart) picks again once the lease has expired. ``webhook_id``
is minted once per delivery and sent on every attempt and replay, so receivers can de-duplicate.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.webhooks.models.base import Base


class Delivery(Base):
    """One event for one endpoint: pending until a 2xx answer, failed after the retry period."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id"),
        Index("ix_delivery_due", "status", "next_attempt_at"),
        Index("ix_delivery_endpoint_created", "endpoint_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("endpoint.id", ondelete="CASCADE"))
    webhook_id: Mapped[str] = mapped_column(String(64), unique=True)
    event_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(200))
    event_time: Mapped[datetime]
    tenant: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    window_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime]
    window_started_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    lease_token: Mapped[str | None] = mapped_column(String(64))
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Attempt(Base):
    """One HTTP request of a delivery: what the receiver answered and how long it took."""

    __tablename__ = "attempt"
    __table_args__ = (Index("ix_attempt_delivery", "delivery_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("delivery.id", ondelete="CASCADE"))
    attempted_at: Mapped[datetime]
    status_code: Mapped[int | None]
    latency_ms: Mapped[int]
    # A reason from ``claims.REASONS`` or ``http_<status>``: never a receiver's answer or a socket error's text.
    error: Mapped[str | None] = mapped_column(String(500))
