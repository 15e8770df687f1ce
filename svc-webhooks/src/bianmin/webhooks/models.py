"""The webhooks service's tables: endpoints, one delivery per (endpoint, event), and every attempt.

A delivery row is the unit of work and of state: the deliverer claims due rows by a lease
(``lease_until``/``lease_token``), so a process that dies mid-request leaves a row that another
process (or the same one after a restart) picks again once the lease has expired. ``webhook_id``
is minted once per delivery and sent on every attempt and replay, so receivers can de-duplicate.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bianmin.kit.db import make_base

Base: type[DeclarativeBase] = make_base()


class Endpoint(Base):
    """A receiver's URL, the events it wants, and its encrypted signing secret."""

    __tablename__ = "endpoint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(20), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(500), default="", server_default="")
    event_types: Mapped[list[str]] = mapped_column(JSON)
    site_codes: Mapped[list[str]] = mapped_column(JSON)
    project_codes: Mapped[list[str]] = mapped_column(JSON)
    district_events: Mapped[bool] = mapped_column(default=False, server_default="0")
    secret_ciphertext: Mapped[str] = mapped_column(Text)
    # After a rotation the old secret keeps signing beside the new one until this time (Standard
    # Webhooks sends several space-separated signatures), so receivers can switch without a gap.
    previous_secret_ciphertext: Mapped[str | None] = mapped_column(Text)
    previous_secret_until: Mapped[datetime | None]
    failing_since: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime]
    # The principal whose authority the endpoint receives events with: the key that last saved it
    # (registered or changed it) and that key's scopes then; its tenant is ``tenant``. Rows saved
    # before owners were recorded have none and receive nothing until saved again.
    owner_key_id: Mapped[str | None] = mapped_column(String(100))
    owner_scopes: Mapped[list[str] | None] = mapped_column(JSON)

    @property
    def status(self) -> str:
        """``disabled`` (no deliveries), ``failing`` (a delivery failed since the last success) or ``active``."""
        if self.disabled_at is not None:
            return "disabled"
        return "failing" if self.failing_since is not None else "active"


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
