"""Background work of the webhooks service (``ServiceSpec.workers``): the deliverer.

It claims due deliveries and POSTs them, signed, through the guarded client of :mod:`egress`.
Requests run as tasks, at most ``max_in_flight`` per process and ``endpoint_concurrency`` per
endpoint, so a slow receiver occupies its own slots and nobody else's. All state is in the
database: a process that dies leaves leased rows that are claimed again once their lease expires.
Once an hour it also purges finished deliveries older than the log's retention.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import timedelta

import httpx
from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter, Histogram

from bianmin.kit.clock import Clock
from bianmin.kit.db import Database
from bianmin.webhooks.domain.claims import Claim, Outcome, RetryPolicy, claim, finish, release
from bianmin.webhooks.domain.deliveries import purge_finished
from bianmin.webhooks.domain.signing import SecretBox
from bianmin.webhooks.egress import http_client, send
from bianmin.webhooks.settings import WebhooksSettings

log = logging.getLogger("bianmin.webhooks.deliverer")
PURGE_EVERY_SECONDS = 3600.0


class DeliveryMetrics:
    """Attempts by outcome and their latency, in the application's own registry (served at ``/metrics``)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.attempts = Counter("bianmin_webhook_attempts_total", "Webhook attempts, by outcome.",
                                ["outcome"], registry=registry)
        self.latency = Histogram("bianmin_webhook_attempt_seconds", "Time a receiver took to answer (or time out).",
                                 registry=registry, buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))

    def observe(self, outcome: Outcome) -> None:
        """Count one attempt: ``2xx``, ``4xx``/``5xx``/``3xx`` by class, or ``error`` without an answer."""
        label = "error" if outcome.status_code is None else f"{outcome.status_code // 100}xx"
        self.attempts.labels(label).inc()
        self.latency.observe(outcome.latency_ms / 1000)


def policy_of(settings: WebhooksSettings) -> RetryPolicy:
    """The retry policy the settings describe."""
    return RetryPolicy(base_seconds=settings.backoff_base_seconds, max_seconds=settings.backoff_max_seconds,
                       period_seconds=settings.retry_period_seconds,
                       disable_after_seconds=settings.disable_after_seconds)


class Deliverer:
    """Claims due deliveries and runs one task per request, within the concurrency limits."""

    def __init__(self, settings: WebhooksSettings, db: Database, clock: Clock, box: SecretBox | None,
                 metrics: DeliveryMetrics | None = None) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock
        self.box = box
        self.metrics = metrics
        self.policy = policy_of(settings)
        self.running: dict[asyncio.Task[None], Claim] = {}
        self._purged_at = float("-inf")

    async def run(self) -> None:
        """Claim and send until cancelled; on cancel, give back the leases of unfinished requests."""
        async with http_client(self.settings) as client:
            try:
                while True:
                    await self._purge()
                    claimed = await self._claim()
                    for item in claimed:
                        task = asyncio.create_task(self._deliver(client, item), name=f"webhook-{item.delivery_id}")
                        self.running[task] = item
                        task.add_done_callback(self._forget)
                    if not claimed or len(self.running) >= self.settings.max_in_flight:
                        await self._pause()
            finally:
                await self._stop()

    def _forget(self, task: asyncio.Task[None]) -> None:
        self.running.pop(task, None)

    async def _pause(self) -> None:
        """Wait for the poll interval, or less when a request finishes and frees a slot."""
        if self.running:
            await asyncio.wait(list(self.running), timeout=self.settings.poll_seconds,
                               return_when=asyncio.FIRST_COMPLETED)
        else:
            await asyncio.sleep(self.settings.poll_seconds)

    async def _purge(self) -> None:
        """Now and then, drop finished deliveries older than the log's retention."""
        if time.monotonic() - self._purged_at < PURGE_EVERY_SECONDS:
            return
        self._purged_at = time.monotonic()
        before = self.clock.now() - timedelta(days=self.settings.log_retention_days)
        try:
            async with self.db.sessionmaker() as session:
                purged = await purge_finished(session, before=before)
                await session.commit()
        except Exception as exc:  # the database is away; the next hour tries again
            log.warning("purging the delivery log failed", extra={"error": repr(exc)})
            return
        if purged:
            log.info("delivery log purged", extra={"deliveries": purged, "before": before.isoformat()})

    async def _claim(self) -> list[Claim]:
        free = self.settings.max_in_flight - len(self.running)
        if free <= 0:
            return []
        try:
            async with self.db.sessionmaker() as session:
                claimed = await claim(session, now=self.clock.now(), limit=min(free, self.settings.batch_size),
                                      per_endpoint=self.settings.endpoint_concurrency,
                                      lease_seconds=self.settings.lease_seconds)
                await session.commit()
            return claimed
        except Exception as exc:  # the database is away; try again at the next look
            log.warning("claiming deliveries failed", extra={"error": repr(exc)})
            return []

    async def _deliver(self, client: httpx.AsyncClient, item: Claim) -> None:
        now = self.clock.now()
        try:
            if self.box is None:
                raise ValueError("no key material configured")
            secrets = [self.box.open(ciphertext) for ciphertext in item.secret_ciphertexts]
        except ValueError as exc:
            log.error("an endpoint secret is unreadable", extra={"endpoint": item.endpoint_id, "detail": str(exc)})
            outcome = Outcome(status_code=None, latency_ms=0, error="secret_unreadable")
        else:
            outcome = await send(client, item, secrets, timestamp=int(now.timestamp()),
                                 total_seconds=self.settings.connect_timeout_seconds + self.settings.read_timeout_seconds)
        if self.metrics is not None:
            self.metrics.observe(outcome)
        try:
            async with self.db.sessionmaker() as session:
                status = await finish(session, item, outcome, now=self.clock.now(), policy=self.policy)
                await session.commit()
        except Exception as exc:  # the lease will expire and the delivery go out again: at least once
            log.warning("recording an attempt failed", extra={"delivery": item.delivery_id, "error": repr(exc)})
            return
        log.info("webhook attempt", extra={"delivery": item.delivery_id, "endpoint": item.endpoint_id,
                                           "status_code": outcome.status_code, "latency_ms": outcome.latency_ms,
                                           "error": outcome.error, "delivery_status": status})

    async def _stop(self) -> None:
        unfinished = list(self.running.values())
        for task in list(self.running):
            task.cancel()
        for task in list(self.running):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if not unfinished:
            return
        with contextlib.suppress(Exception):
            async with asyncio.timeout(2), self.db.sessionmaker() as session:
                await release(session, unfinished, now=self.clock.now())
                await session.commit()


async def deliver_worker(app: FastAPI) -> None:
    """The service's worker: the deliverer, unless this process is configured not to deliver."""
    settings: WebhooksSettings = app.state.settings
    if not settings.deliver_enabled:
        return
    await Deliverer(settings, app.state.db, app.state.clock, app.state.secret_box, app.state.delivery_metrics).run()
