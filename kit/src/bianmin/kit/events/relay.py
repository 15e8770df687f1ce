"""The outbox relay: publishes committed outbox rows to JetStream and marks them sent on PubAck.

Each event goes out with ``Nats-Msg-Id`` = its event id, so a re-send after a crash between the
publish and the mark is dropped by JetStream's duplicate window (and by the consumers' inbox
beyond it). A row is marked sent only after its PubAck; a failed publish leaves it pending and the
relay backs off and tries again, in order, until NATS takes it.

On SQLite the relay reads pending rows in one short transaction and marks them in another, so the
database's single write lock is never held across network I/O. On PostgreSQL it claims rows with
``FOR UPDATE SKIP LOCKED`` for the duration of the publish, so several replicas of a service never
publish the same row twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from nats.js import JetStreamContext
from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from bianmin.kit.db import Database
from bianmin.kit.events.outbox import PENDING_FLAG
from bianmin.kit.metrics import Metrics
from bianmin.kit.tables import outbox_event

log = logging.getLogger("bianmin.events.relay")
PUBLISH_TIMEOUT_SECONDS = 2.0
MAX_BACKOFF_SECONDS = 10.0


class OutboxRelay:
    """Moves outbox rows to JetStream; woken by every commit that wrote one, and polled anyway."""

    def __init__(self, db: Database, js: JetStreamContext, metrics: Metrics, *,
                 batch_size: int = 100, poll_seconds: float = 1.0) -> None:
        self.db = db
        self.js = js
        self.metrics = metrics
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        db.after_commit.append(self._on_commit)

    def _on_commit(self, session: Session) -> None:
        if session.info.pop(PENDING_FLAG, False):
            self._wake.set()

    def wake(self) -> None:
        """Ask the relay to look for pending rows now."""
        self._wake.set()

    async def run(self) -> None:
        """Publish until cancelled, backing off while NATS refuses."""
        failures = 0
        while True:
            try:
                sent = await self.drain()
                failures = 0
                if sent:
                    continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures += 1
                delay = min(MAX_BACKOFF_SECONDS, 0.2 * 2 ** failures)
                log.warning("outbox publish failed; retrying", extra={"error": repr(exc), "retry_in": delay})
                await asyncio.sleep(delay)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            self._wake.clear()

    async def drain(self) -> int:
        """Publish one batch of pending rows in order; the number published."""
        if self.db.dialect == "postgresql":
            return await self._drain_locked()
        async with self.db.sessionmaker() as session:
            rows = (await session.execute(self._pending())).all()
            await session.commit()
        if not rows:
            return 0
        published: list[int] = []
        try:
            for row in rows:
                await self._publish(row)
                published.append(row.seq)
        finally:
            if published:
                async with self.db.sessionmaker() as session:
                    await self._mark(session, published)
                    await session.commit()
        return len(published)

    async def _drain_locked(self) -> int:
        async with self.db.sessionmaker() as session:
            rows = (await session.execute(self._pending().with_for_update(skip_locked=True))).all()
            published: list[int] = []
            try:
                for row in rows:
                    await self._publish(row)
                    published.append(row.seq)
            finally:
                if published:
                    await self._mark(session, published)
                await session.commit()
        return len(published)

    def _pending(self) -> Any:
        return (select(outbox_event.c.seq, outbox_event.c.event_id, outbox_event.c.subject,
                       outbox_event.c.body, outbox_event.c.headers)
                .where(outbox_event.c.published_at.is_(None))
                .order_by(outbox_event.c.seq).limit(self.batch_size))

    async def _publish(self, row: Row[Any]) -> None:
        headers = {"Nats-Msg-Id": row.event_id, "Content-Type": "application/cloudevents+json",
                   **(row.headers or {})}
        await self.js.publish(row.subject, row.body.encode(), headers=headers,
                              timeout=PUBLISH_TIMEOUT_SECONDS)
        self.metrics.events_published.labels(self.metrics.service, row.subject).inc()

    @staticmethod
    async def _mark(session: AsyncSession, seqs: Sequence[int]) -> None:
        await session.execute(update(outbox_event).where(outbox_event.c.seq.in_(seqs))
                              .values(published_at=datetime.now(UTC)))
