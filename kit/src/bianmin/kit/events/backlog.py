"""How far behind the outbox is: the unsent events, the age of the oldest, and whether they are stuck.

Two statements over the index ``ix_outbox_event_pending (published_at, seq)``: a count of the
pending range and the first pending row by ``seq`` (the oldest written; on PostgreSQL a row with a
lower seq can commit a moment after a higher one, which moves the age by that moment only). They
run on the read-only connections, so they never queue behind writers, and at most once per
``outbox_check_seconds``: ``/readyz`` and ``/metrics`` read the figures through
:class:`OutboxMonitor`, which counts again only when its figures are older than that, however often
orchestrators probe and Prometheus scrapes. Requests never count anything.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from bianmin.kit.db import Database
from bianmin.kit.metrics import Metrics
from bianmin.kit.tables import outbox_event


@dataclass(frozen=True)
class Backlog:
    """The outbox's unsent events when they were last counted."""

    pending: int
    oldest_created_at: datetime | None

    def oldest_seconds(self, now: datetime) -> float | None:
        """How long the oldest unsent event has waited, None when nothing waits."""
        if self.oldest_created_at is None:
            return None
        return max(0.0, (now - self.oldest_created_at).total_seconds())


def backlog_statements() -> tuple[Any, Any]:
    """The count of pending rows and the creation time of the first one, both served by the pending index."""
    pending = outbox_event.c.published_at.is_(None)
    count = select(func.count()).select_from(outbox_event).where(pending)
    oldest = select(outbox_event.c.created_at).where(pending).order_by(outbox_event.c.seq).limit(1)
    return count, oldest


async def read_backlog(db: Database) -> Backlog:
    """Count the outbox's unsent events now."""
    count, oldest = backlog_statements()
    async with db.read_sessionmaker() as session:
        pending = int(await session.scalar(count) or 0)
        created_at = await session.scalar(oldest) if pending else None
    return Backlog(pending=pending, oldest_created_at=created_at)


def is_stuck(backlog: Backlog, *, now: datetime, connected_since: datetime | None,
             last_progress: datetime | None, threshold_seconds: float) -> bool:
    """Whether unsent events have waited longer than the threshold with NATS up and the relay moving nothing.

    The wait counts from the latest of: the oldest event's creation, the moment NATS was (re)connected,
    and the relay's last progress (an event published, or a look that found none to publish). So a
    NATS outage never counts (``connected_since`` is None, and a reconnect starts the count afresh),
    and neither does a long backlog going out after one: each event the relay publishes starts it
    afresh too. The relay publishes in order, so a backlog that does not move has its oldest event
    at the head, and that is the one that waits.
    """
    if backlog.pending == 0 or backlog.oldest_created_at is None or connected_since is None:
        return False
    since = max(t for t in (backlog.oldest_created_at, connected_since, last_progress) if t is not None)
    return (now - since).total_seconds() > threshold_seconds


class OutboxMonitor:
    """The backlog, counted at most once per ``check_seconds`` and exported as gauges."""

    def __init__(self, db: Database, metrics: Metrics, *, check_seconds: float) -> None:
        self.db = db
        self.metrics = metrics
        self.check_seconds = check_seconds
        self._backlog: Backlog | None = None
        self._counted_at = 0.0
        self._lock = asyncio.Lock()

    async def current(self) -> Backlog:
        """The backlog, counted again if the last count is older than ``check_seconds``."""
        async with self._lock:
            if self._backlog is None or time.monotonic() - self._counted_at >= self.check_seconds:
                self._backlog = await read_backlog(self.db)
                self._counted_at = time.monotonic()
            backlog = self._backlog
        service = self.metrics.service
        self.metrics.outbox_pending.labels(service).set(backlog.pending)
        self.metrics.outbox_oldest_seconds.labels(service).set(backlog.oldest_seconds(datetime.now(UTC)) or 0.0)
        return backlog
