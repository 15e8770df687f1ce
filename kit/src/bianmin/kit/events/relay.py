"""The outbox relay: publishes committed outbox rows to JetStream and marks them sent on PubAck.

Each event goes out with ``Nats-Msg-Id`` = its event id, so a re-send after a crash between the
publish and the mark is dropped by JetStream's duplicate window (and by the consumers' inbox
beyond it). A row is marked sent only after its PubAck; a failed publish leaves it pending and the
relay backs off and tries again, in order, until NATS takes it.

On SQLite the relay reads pending rows in one short transaction and marks them in another, so the
database's single write lock is never held across network I/O. On PostgreSQL it claims rows with
``FOR UPDATE SKIP LOCKED`` for the duration of the publish, so several replicas of a service never
publish the same row twice.

A stream can vanish under a running relay (an operator's ``nats stream rm``, a lost JetStream
volume). A publish that no stream answers ("no responders") makes the relay create the owning
stream again and retry; and since the deleted stream took with it every event it held that a
consumer had not read yet, the relay also sends again what it had sent to the stream that was
lost. It knows which rows those are without keeping any state: ``published_at`` is the moment the
relay began the batch that published the row, so a row whose ``published_at`` is earlier than the
current stream's ``created`` was stored in an earlier incarnation of the stream. Rows published in
the last ``replay_seconds`` before the stream's creation are marked pending again and go out in
order; JetStream's duplicate window and the consumers' inbox drop whatever had already arrived.
The same check runs when another party recreated the stream first (a consumer of another service,
which makes the relay's next publish succeed: only the stream sequence starting again from 1 in
the PubAck tells), and once when the relay starts, for a stream lost while the service was down.
Events older than the window are not sent again: a consumer that had not read them by then was
already that far behind, and the window (a day by default) is the bound the operator sets.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from nats.js import JetStreamContext
from nats.js.errors import NoStreamResponseError
from sqlalchemy import Row, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from bianmin.kit.db import Database
from bianmin.kit.events.outbox import PENDING_FLAG
from bianmin.kit.events.streams import ensure_streams, stream_of, subject_prefixes
from bianmin.kit.metrics import Metrics
from bianmin.kit.tables import outbox_event
from bianmin.kit.waits import until_set

log = logging.getLogger("bianmin.events.relay")
PUBLISH_TIMEOUT_SECONDS = 2.0
MAX_BACKOFF_SECONDS = 10.0
REPLAY_SECONDS = 86400.0
# A row published this long after the stream's creation (by the service's clock, compared with the
# NATS server's) is still sent again: a clock ahead of the server's must not hide a lost event.
CLOCK_MARGIN = timedelta(seconds=2)


class StreamMissing(Exception):
    """No stream answered a publish; the rows published before it in the batch are marked sent."""

    def __init__(self, stream: str, published: int) -> None:
        super().__init__(f"no stream answers for {stream}")
        self.stream = stream
        self.published = published


class OutboxRelay:
    """Moves outbox rows to JetStream; woken by every commit that wrote one, and polled anyway."""

    def __init__(self, db: Database, js: JetStreamContext, metrics: Metrics, *,
                 batch_size: int = 100, poll_seconds: float = 1.0, streams: Sequence[str] = (),
                 replicas: int = 1, replay_seconds: float = REPLAY_SECONDS) -> None:
        self.db = db
        self.js = js
        self.metrics = metrics
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.streams = list(streams)
        self.replicas = replicas
        self.replay = timedelta(seconds=replay_seconds)
        self.last_progress: datetime | None = None
        self._last_seq: dict[str, int] = {}
        self._restarted: set[str] = set()
        self._wake = asyncio.Event()
        self._reconnected = asyncio.Event()
        db.after_commit.append(self._on_commit)

    def _on_commit(self, session: Session) -> None:
        if session.info.pop(PENDING_FLAG, False):
            self._wake.set()

    def nats_reconnected(self) -> None:
        """Cut a back-off short: NATS is back, so the backlog should go out now, not in ten seconds."""
        self._reconnected.set()
        self._wake.set()

    async def run(self) -> None:
        """Publish until cancelled, backing off while NATS refuses.

        ``last_progress`` is the last time the relay published a row or found none to publish, which
        readiness compares with the backlog's age to tell stuck events from a backlog going out (per
        row, not per batch: a batch of a hundred on a loaded machine can take seconds).
        """
        failures = 0
        checked = False
        while True:
            self._reconnected.clear()
            try:
                if not checked:
                    for stream in self.streams:
                        await self.recover_lost(stream)
                    checked = True
                sent = await self.drain()
                failures = 0
                self.last_progress = datetime.now(UTC)
                if sent:
                    continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures += 1
                delay = min(MAX_BACKOFF_SECONDS, 0.2 * 2 ** failures)
                log.warning("outbox publish failed; retrying", extra={"error": repr(exc), "retry_in": delay})
                await until_set(self._reconnected, delay)
                continue
            await until_set(self._wake, self.poll_seconds)
            self._wake.clear()

    async def drain(self) -> int:
        """Publish one batch of pending rows in order; the number published.

        A stream that no longer answers is created again, what it held is marked pending again, and
        the batch is tried once more; a stream found restarted by someone else is refilled likewise.
        """
        try:
            sent = await self._drain_batch()
        except StreamMissing as missing:
            log.warning("stream missing; creating it again", extra={"stream": missing.stream})
            await ensure_streams(self.js, [missing.stream], replicas=self.replicas)
            self._last_seq.pop(missing.stream, None)
            await self.recover_lost(missing.stream)
            sent = missing.published + await self._drain_batch()
        while self._restarted:
            await self.recover_lost(self._restarted.pop())
        return sent

    async def recover_lost(self, stream: str) -> int:
        """Mark pending again the rows sent to an earlier incarnation of ``stream``; how many."""
        created = (await self.js.stream_info(stream)).created
        if created is None:
            return 0
        prefixes = subject_prefixes(stream)
        async with self.db.sessionmaker() as session:
            result = await session.execute(
                update(outbox_event)
                .where(outbox_event.c.published_at >= created - self.replay,
                       outbox_event.c.published_at < created + CLOCK_MARGIN,
                       or_(*(outbox_event.c.subject.startswith(p, autoescape=True) for p in prefixes)))
                .values(published_at=None))
            await session.commit()
        count = int(result.rowcount or 0)  # type: ignore[attr-defined]
        if count:
            log.warning("stream lost its events; sending them again",
                        extra={"stream": stream, "events": count, "stream_created": created.isoformat()})
        return count

    async def _drain_batch(self) -> int:
        if self.db.dialect == "postgresql":
            return await self._drain_locked()
        async with self.db.sessionmaker() as session:
            rows = (await session.execute(self._pending())).all()
            await session.commit()
        if not rows:
            return 0
        started = datetime.now(UTC)
        published: list[int] = []
        failed: list[tuple[int, Exception]] = []
        try:
            await self._publish_in_order(rows, published, failed)
        finally:
            if published or failed:
                async with self.db.sessionmaker() as session:
                    await self._mark(session, published, started, failed)
                    await session.commit()
        return len(published)

    async def _drain_locked(self) -> int:
        async with self.db.sessionmaker() as session:
            rows = (await session.execute(self._pending().with_for_update(skip_locked=True))).all()
            started = datetime.now(UTC)
            published: list[int] = []
            failed: list[tuple[int, Exception]] = []
            try:
                await self._publish_in_order(rows, published, failed)
            finally:
                await self._mark(session, published, started, failed)
                await session.commit()
        return len(published)

    async def _publish_in_order(self, rows: Sequence[Row[Any]], published: list[int],
                                failed: list[tuple[int, Exception]]) -> None:
        """Publish rows until one fails, appending each published seq and the failed one with its error.

        StreamMissing when no stream answers (that is no failure of the row: the stream is created again).
        """
        for row in rows:
            try:
                await self._publish(row)
            except NoStreamResponseError:
                stream = stream_of(row.subject)
                if stream is None:
                    failed.append((row.seq, NoStreamResponseError()))
                    raise
                raise StreamMissing(stream, len(published)) from None
            except Exception as exc:
                failed.append((row.seq, exc))
                raise
            published.append(row.seq)

    def _pending(self) -> Any:
        return (select(outbox_event.c.seq, outbox_event.c.event_id, outbox_event.c.subject,
                       outbox_event.c.body, outbox_event.c.headers)
                .where(outbox_event.c.published_at.is_(None))
                .order_by(outbox_event.c.seq).limit(self.batch_size))

    async def _publish(self, row: Row[Any]) -> None:
        headers = {"Nats-Msg-Id": row.event_id, "Content-Type": "application/cloudevents+json",
                   **(row.headers or {})}
        ack = await self.js.publish(row.subject, row.body.encode(), headers=headers,
                                    timeout=PUBLISH_TIMEOUT_SECONDS)
        if not ack.duplicate and ack.stream == stream_of(row.subject):
            # A stream's sequence only grows in its lifetime; a new message stored at or below the
            # last one this relay saw means the stream was created again, empty, by someone else.
            last = self._last_seq.get(ack.stream)
            if last is not None and ack.seq <= last:
                self._restarted.add(ack.stream)
            self._last_seq[ack.stream] = ack.seq
        self.metrics.events_published.labels(self.metrics.service, row.subject).inc()
        self.last_progress = datetime.now(UTC)

    @staticmethod
    async def _mark(session: AsyncSession, seqs: Sequence[int], at: datetime,
                    failed: Sequence[tuple[int, Exception]] = ()) -> None:
        """Mark the published rows sent; count the failed row's attempt and keep its error for the operator."""
        if seqs:
            await session.execute(update(outbox_event).where(outbox_event.c.seq.in_(seqs))
                                  .values(published_at=at))
        for seq, exc in failed:
            await session.execute(update(outbox_event).where(outbox_event.c.seq == seq)
                                  .values(attempts=outbox_event.c.attempts + 1, last_error=repr(exc)[:1000]))
