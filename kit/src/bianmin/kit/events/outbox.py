"""The transactional outbox: an event row written in the same transaction as its change.

Nothing is published here. The row is committed with the change or rolled back with it, and the
relay (:mod:`bianmin.kit.events.relay`) publishes committed rows afterwards, so an event is never
published for a change that did not happen and never lost for one that did.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.contracts.envelope import CloudEvent
from bianmin.contracts.registry import spec_for_subject
from bianmin.kit.logging import traceparent_var
from bianmin.kit.tables import outbox_event

PENDING_FLAG = "bianmin_outbox_pending"


async def emit_event(session: AsyncSession, event: CloudEvent) -> CloudEvent:
    """Add an already built envelope to the outbox in the session's transaction."""
    headers: dict[str, Any] = {}
    if event.traceparent:
        headers["traceparent"] = event.traceparent
    await session.execute(insert(outbox_event).values(
        event_id=event.id, subject=event.nats_subject, body=event.model_dump_json(),
        headers=headers, created_at=datetime.now(UTC), attempts=0,
    ))
    session.info[PENDING_FLAG] = True
    return event


async def emit(session: AsyncSession, subject: str, payload: BaseModel, *, tenant: str = "*",
               about: str | None = None, version: int = 1) -> CloudEvent:
    """Record a registered event in the outbox; its payload must be the model the registry names.

    ``about`` becomes the CloudEvents ``subject`` attribute (the id of the entity the event is
    about); ``tenant`` is the site the event belongs to, ``*`` for district-wide events.
    """
    spec = spec_for_subject(subject, version)
    if not isinstance(payload, spec.payload):
        raise TypeError(f"{subject} v{version} carries {spec.payload.__name__}, not {type(payload).__name__}")
    event = CloudEvent(
        source=f"/bianmin/{spec.publisher}", type=spec.type, subject=about, tenant=tenant,
        dataschema=f"urn:bianmin:event:{subject}:v{version}", traceparent=traceparent_var.get(),
        data=payload.model_dump(mode="json"),
    )
    return await emit_event(session, event)
