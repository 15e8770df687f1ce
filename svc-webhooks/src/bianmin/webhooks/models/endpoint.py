"""The endpoint table: a receiver's URL, the events it wants, its sealed secret and its owner."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.webhooks.models.base import Base


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
