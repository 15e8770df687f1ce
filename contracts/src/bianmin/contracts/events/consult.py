"""Events of the consult service."""

from __future__ import annotations

from bianmin.contracts.spec import EventSpec

PUBLISHES: tuple[EventSpec, ...] = ()
CONSUMES: tuple[str, ...] = (
    "catalog.calendar.changed","catalog.item.published", "catalog.item.updated", "catalog.item.withdrawn")
