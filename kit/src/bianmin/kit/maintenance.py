"""Keeping the kit's own tables from growing forever: stored answers, inbox rows and sent outbox rows.

Each is kept exactly as long as it can still matter, then deleted by :func:`maintenance_worker`,
which every service runs (``create_service_app`` adds it):
- a stored ``Idempotency-Key`` answer for ``idempotency.RETENTION`` (a client retries within hours);
- an inbox row for ``inbox_retention_days``, longer than JetStream keeps an event (``streams.
  RETENTION_DAYS``): a consumer recreated from the stream's first message redelivers what the
  stream still holds, and the inbox must still know each one;
- a sent outbox row for ``outbox_retention_days``, longer than the relay's replay window (it sends
  again what a recreated stream lost, found by ``published_at``).

Deleting is idempotent, so several replicas may run it at once; each pass deletes in batches so a
large backlog never holds SQLite's write lock for long.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Table, delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.kit.idempotency import RETENTION
from bianmin.kit.settings import ServiceSettings
from bianmin.kit.tables import idempotency_record, inbox_event, outbox_event

log = logging.getLogger("bianmin.maintenance")
BATCH = 5_000


@dataclass(frozen=True)
class Pruned:
    """How many rows one pass deleted from each table."""

    idempotency: int
    inbox: int
    outbox: int


async def _delete_before(session: AsyncSession, table: Table, column: Any, cutoff: datetime, *keys: Any) -> int:
    """Delete the rows of ``table`` whose ``column`` is before ``cutoff``, a batch at a time."""
    total = 0
    while True:
        batch = select(*keys).where(column < cutoff).limit(BATCH)
        condition = keys[0].in_(batch) if len(keys) == 1 else tuple_(*keys).in_(batch)
        deleted = int((await session.execute(delete(table).where(condition))).rowcount or 0)  # type: ignore[attr-defined]
        await session.commit()
        total += deleted
        if deleted < BATCH:
            return total


async def prune(session: AsyncSession, *, now: datetime, settings: ServiceSettings) -> Pruned:
    """Delete what no longer matters (see the module docstring); commits each batch."""
    return Pruned(
        idempotency=await _delete_before(session, idempotency_record, idempotency_record.c.created_at, now - RETENTION,
                                         idempotency_record.c.owner, idempotency_record.c.key),
        inbox=await _delete_before(session, inbox_event, inbox_event.c.received_at,
                                   now - timedelta(days=settings.inbox_retention_days),
                                   inbox_event.c.consumer, inbox_event.c.event_id),
        outbox=await _delete_before(session, outbox_event, outbox_event.c.published_at,
                                    now - timedelta(days=settings.outbox_retention_days), outbox_event.c.seq),
    )


async def maintenance_worker(app: FastAPI) -> None:
    """Prune the kit's tables every ``maintenance_seconds``, by the application's clock, until cancelled."""
    settings: ServiceSettings = app.state.settings
    while True:
        try:
            async with app.state.db.sessionmaker() as session:
                pruned = await prune(session, now=app.state.clock.now(), settings=settings)
            if pruned.idempotency or pruned.inbox or pruned.outbox:
                log.info("pruned the kit's tables", extra={"idempotency": pruned.idempotency, "inbox": pruned.inbox,
                                                           "outbox": pruned.outbox})
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("pruning failed; trying again later", extra={"error": repr(exc)})
        await asyncio.sleep(settings.maintenance_seconds)
