"""The event bus of one service process: NATS connection, streams, outbox relay and consumers.

The process serves HTTP even while NATS is unreachable: writes keep landing in the outbox, the
connection is retried in the background, and ``/readyz`` says that events are not flowing and how
many wait (:meth:`EventBus.outbox_report`). It connects as its own NATS user
(:mod:`bianmin.kit.events.access`), whose permissions allow just what its contracts declare.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import State

from bianmin.contracts.registry import DLQ_STREAM, STREAMS
from bianmin.kit.clock import Clock
from bianmin.kit.db import Database
from bianmin.kit.events.access import check_seed, inbox_prefix
from bianmin.kit.events.backlog import Backlog, OutboxMonitor, is_stuck
from bianmin.kit.events.consumer import EventContext, Handler, StreamConsumer, group_by_stream
from bianmin.kit.events.relay import OutboxRelay
from bianmin.kit.events.streams import ensure_streams
from bianmin.kit.metrics import Metrics
from bianmin.kit.settings import ServiceSettings

log = logging.getLogger("bianmin.events.bus")
CONNECT_RETRY_SECONDS = 1.0


class EventBus:
    """Starts and stops everything a service needs to publish and consume events."""

    def __init__(self, settings: ServiceSettings, db: Database, metrics: Metrics, handlers: list[Handler], *,
                 clock: Clock, state: State) -> None:
        self.settings = settings
        self.clock = clock
        self.state = state
        self.service = settings.service_name
        self.db = db
        self.metrics = metrics
        self.handlers = handlers
        self.stream_replicas = settings.stream_replicas
        self.connected_since: datetime | None = None
        self.nc: Client | None = None
        self.js: JetStreamContext | None = None
        self.relay: OutboxRelay | None = None
        self.consumers: list[StreamConsumer] = []
        self._tasks: list[asyncio.Task[None]] = []
        self.backlog = OutboxMonitor(db, metrics, check_seconds=settings.outbox_check_seconds)

    @property
    def connected(self) -> bool:
        """Whether the NATS connection is up right now."""
        return self.nc is not None and self.nc.is_connected

    async def outbox_report(self) -> tuple[Backlog, str]:
        """The backlog and its state: ``ok``, ``waiting`` (for NATS) or ``stuck`` (see :func:`is_stuck`)."""
        backlog = await self.backlog.current()
        connected = self.connected_since if self.connected else None
        progress = self.relay.last_progress if self.relay is not None else None
        if is_stuck(backlog, now=datetime.now(UTC), connected_since=connected, last_progress=progress,
                    threshold_seconds=self.settings.outbox_stuck_seconds):
            return backlog, "stuck"
        return backlog, "waiting" if backlog.pending and connected is None else "ok"

    def credentials(self) -> dict[str, Any]:
        """nats-py's connect options that authenticate this service: its own inbox prefix and its NKEY or creds file.

        RuntimeError for credentials that cannot work (a placeholder seed, a missing file), so that the
        service refuses to start instead of retrying a connection that will never be admitted.
        """
        options: dict[str, Any] = {"inbox_prefix": inbox_prefix(self.service)}
        creds = self.settings.nats_credentials_file
        seed = self.settings.nats_nkey_seed.get_secret_value()
        if creds:
            if not Path(creds).is_file():
                raise RuntimeError(f"NATS credentials file {creds} does not exist (nats_credentials_file)")
            options["user_credentials"] = creds
        elif seed:
            check_seed(seed, f"BIANMIN_{self.service.upper()}_NATS_NKEY_SEED")
            options["nkeys_seed_str"] = seed
        else:
            log.warning("no NATS credentials (BIANMIN_<SERVICE>_NATS_NKEY_SEED): only a NATS without authorization "
                        "admits this service")
        return options

    async def start(self) -> None:
        """Check the credentials, then begin connecting in the background; never blocks the service's start-up."""
        credentials = self.credentials()
        self.metrics.refreshers.append(self.backlog.current)
        self._tasks.append(asyncio.create_task(self._connect_and_run(credentials), name=f"{self.service}-bus"))

    async def _connect_and_run(self, credentials: dict[str, Any]) -> None:
        while self.nc is None:
            try:
                self.nc = await nats.connect(
                    servers=self.settings.nats_servers(), name=f"bianmin-{self.service}", connect_timeout=2,
                    allow_reconnect=True, max_reconnect_attempts=-1, reconnect_time_wait=0.5,
                    error_cb=self._on_error, disconnected_cb=self._on_disconnected,
                    reconnected_cb=self._on_reconnected, **credentials,
                )
            except Exception as exc:
                log.warning("NATS unreachable; retrying", extra={"url": self.settings.nats_url, "error": repr(exc)})
                await asyncio.sleep(CONNECT_RETRY_SECONDS)
        self.connected_since = datetime.now(UTC)
        self.js = self.nc.jetstream()
        while True:
            try:
                # Only the streams this service owns: a stream it consumes is its owner's to create (its
                # NATS user may not), and its consumer waits for it (``_supervise`` retries the binding).
                await ensure_streams(self.js, [self.service.upper(), DLQ_STREAM], replicas=self.stream_replicas)
                break
            except Exception as exc:
                log.warning("streams not ready; retrying", extra={"error": repr(exc)})
                await asyncio.sleep(CONNECT_RETRY_SECONDS)
        own = [self.service.upper()] if self.service.upper() in STREAMS else []
        self.relay = OutboxRelay(self.db, self.js, self.metrics, batch_size=self.settings.relay_batch_size,
                                 poll_seconds=self.settings.relay_poll_seconds, streams=own,
                                 replicas=self.stream_replicas, replay_seconds=self.settings.relay_replay_seconds)
        self._tasks.append(asyncio.create_task(self.relay.run(), name=f"{self.service}-relay"))
        for stream, handlers in group_by_stream(self.handlers).items():
            consumer = StreamConsumer(
                service=self.service, stream=stream, handlers=handlers, db=self.db, js=self.js,
                metrics=self.metrics, context=self.context, max_deliver=self.settings.consumer_max_deliver,
                backoff_seconds=self.settings.consumer_backoff_seconds,
            )
            self.consumers.append(consumer)
            self._tasks.append(asyncio.create_task(self._supervise(consumer), name=consumer.name))

    def context(self, session: AsyncSession) -> EventContext:
        """What a handler gets beside the event: its transaction, and this application's clock, settings and state."""
        return EventContext(session=session, clock=self.clock, settings=self.settings, state=self.state)

    async def _supervise(self, consumer: StreamConsumer) -> None:
        """Keep a consumer running across NATS outages and restarts."""
        while True:
            try:
                await consumer.run()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("consumer stopped; restarting", extra={"consumer": consumer.name, "error": repr(exc)})
                await asyncio.sleep(CONNECT_RETRY_SECONDS)

    async def _on_disconnected(self) -> None:
        self.connected_since = None

    async def _on_reconnected(self) -> None:
        self.connected_since = datetime.now(UTC)
        if self.relay is not None:
            self.relay.nats_reconnected()

    async def _on_error(self, exc: Exception) -> None:
        # A permissions violation means this service tried what its contracts do not declare: say so loudly.
        if "permissions violation" in str(exc).lower():
            log.error("NATS refused an operation", extra={"error": str(exc)})
            return
        log.debug("NATS client error", extra={"error": repr(exc)})

    async def stop(self) -> None:
        """Cancel the relay and consumers and close the connection."""
        if self.backlog.current in self.metrics.refreshers:
            self.metrics.refreshers.remove(self.backlog.current)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        if self.nc is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.nc.close(), timeout=2)
            self.nc = None
