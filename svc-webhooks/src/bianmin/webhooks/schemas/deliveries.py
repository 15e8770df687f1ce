"""The delivery log as clients read it, and the replays they ask for."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bianmin.kit.schemas import RequestBody

DeliveryStatus = Literal["pending", "succeeded", "failed"]


class AttemptRead(BaseModel):
    """One HTTP request of a delivery."""

    model_config = ConfigDict(from_attributes=True)

    attempted_at: datetime
    status_code: int | None
    latency_ms: int
    error: str | None = Field(description="Why it failed: `timeout`, `connection_refused`, `connection_failed`, "
                              "`connection_lost`, `tls_error`, `dns_error`, `address_not_allowed`, `invalid_url`, "
                              "`secret_unreadable`, `not_readable`, or `http_<status>` for an answer other than 2xx.")


class DeliveryRead(BaseModel):
    """One event for one endpoint and where it stands."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    endpoint_id: int
    webhook_id: str
    event_id: str
    event_type: str
    event_time: datetime
    tenant: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime

    @model_validator(mode="after")
    def _due_only_while_pending(self) -> DeliveryRead:
        if self.status != "pending":
            self.next_attempt_at = None
        return self


class DeliveryDetail(DeliveryRead):
    """A delivery with its attempts, oldest first, and the body it sends."""

    body: str
    attempt_log: list[AttemptRead]


class ReplayRange(RequestBody):
    """Deliveries of one endpoint created in ``[from, to)`` go out again, with their own webhook-ids."""

    # ``from`` is a keyword in Python: the fields are named start and end, and may be given by those names too.
    model_config = ConfigDict(populate_by_name=True)

    start: datetime = Field(alias="from")
    end: datetime = Field(alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> ReplayRange:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("from and to must carry a timezone")
        if self.end <= self.start:
            raise ValueError("to must be after from")
        return self


class ReplayResult(BaseModel):
    """How many deliveries were queued again."""

    endpoint_id: int
    queued: int
