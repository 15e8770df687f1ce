"""The description of one event version, shared by the per-service event modules."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from bianmin.contracts.envelope import type_name


class Payload(BaseModel):
    """Base of every event payload: closed to unknown fields so a drift fails loudly in tests.

    Its exported JSON Schema describes the JSON on the wire, where every field is present (a field
    with a default is still always sent), so the schema lists every field as required.
    """

    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)


@dataclass(frozen=True)
class EventSpec:
    """One event version: its subject, payload model and a one-line summary."""

    subject: str
    payload: type[BaseModel]
    summary: str
    version: int = 1

    @property
    def type(self) -> str:
        """The CloudEvents ``type`` attribute of this event version."""
        return type_name(self.subject, self.version)

    @property
    def publisher(self) -> str:
        """The service that owns the stream this event is published on."""
        return self.subject.split(".", 1)[0]

    @property
    def stream(self) -> str:
        """The JetStream stream that stores this event."""
        return self.publisher.upper()
