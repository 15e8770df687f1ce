"""The CloudEvents 1.0 envelope every Bianmin event travels in.

The envelope is the same for every event; the payload (``data``) is the event's own model from
:mod:`bianmin.contracts.events`. The NATS subject equals ``subject_of(type)``: the ``type``
attribute carries the payload version (``bianmin.queue.ticket.called.v1``) so that a changed
payload is a new type on the same subject, never a silent edit.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

TYPE_PREFIX = "bianmin."


def type_name(subject: str, version: int = 1) -> str:
    """The CloudEvents ``type`` of an event published on ``subject`` with payload ``version``."""
    return f"{TYPE_PREFIX}{subject}.v{version}"


def subject_of(event_type: str) -> str:
    """The NATS subject of a CloudEvents ``type`` (the type without prefix and version)."""
    if not event_type.startswith(TYPE_PREFIX):
        raise ValueError(f"not a Bianmin event type: {event_type!r}")
    body = event_type.removeprefix(TYPE_PREFIX)
    subject, _, version = body.rpartition(".")
    if not subject or not version.startswith("v") or not version[1:].isdigit():
        raise ValueError(f"event type lacks a version suffix: {event_type!r}")
    return subject


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 structured-mode event with Bianmin's two extension attributes.

    ``tenant`` names the site the event belongs to (``*`` for district-wide events) so that
    deliveries to integrators can be filtered per tenant; ``traceparent`` carries the W3C trace
    context of the request that caused the event (the CloudEvents distributed-tracing extension).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_serialization_defaults_required=True)

    specversion: str = "1.0"
    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    source: str
    type: str
    subject: str | None = None
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    datacontenttype: str = "application/json"
    dataschema: str | None = None
    tenant: str = "*"
    traceparent: str | None = None
    data: dict[str, Any]

    @field_validator("specversion")
    @classmethod
    def _only_1_0(cls, value: str) -> str:
        if value != "1.0":
            raise ValueError("only CloudEvents 1.0 is supported")
        return value

    @field_validator("time")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("event time must carry a timezone")
        return value

    @property
    def nats_subject(self) -> str:
        """The JetStream subject this event is published on."""
        return subject_of(self.type)
