"""Prometheus metrics, one registry per application so that tests can build many apps.

Gauges that describe state rather than count happenings (the outbox backlog, a full disk) are
brought up to date by the ``refreshers`` just before each scrape; each refresher keeps its own
cost in check (the backlog is counted at most once per check period, whatever the scrape rate).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response

log = logging.getLogger("bianmin.metrics")


@dataclass
class Metrics:
    """The metrics every process exports, registered in the process's own registry."""

    service: str
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    refreshers: list[Callable[[], Awaitable[Any]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.requests = Counter(
            "bianmin_http_requests_total", "HTTP requests served.",
            ["service", "method", "route", "status"], registry=self.registry,
        )
        self.latency = Histogram(
            "bianmin_http_request_seconds", "Time to serve an HTTP request.",
            ["service", "method", "route"], registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.events_published = Counter(
            "bianmin_events_published_total", "Outbox events published to JetStream.",
            ["service", "subject"], registry=self.registry,
        )
        self.events_consumed = Counter(
            "bianmin_events_consumed_total", "Events consumed, by outcome.",
            ["service", "consumer", "outcome"], registry=self.registry,
        )
        self.outbox_pending = Gauge(
            "bianmin_outbox_pending_events", "Outbox events not yet published to JetStream.",
            ["service"], registry=self.registry,
        )
        self.outbox_oldest_seconds = Gauge(
            "bianmin_outbox_oldest_pending_seconds", "Age of the oldest outbox event not yet published (0: none).",
            ["service"], registry=self.registry,
        )
        self.storage_full = Gauge(
            "bianmin_storage_full", "1 while the database refuses writes for lack of space.",
            ["service"], registry=self.registry,
        )

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one served request and its duration."""
        self.requests.labels(self.service, method, route, str(status)).inc()
        self.latency.labels(self.service, method, route).observe(seconds)

    async def endpoint(self, request: Request) -> Response:
        """Serve the registry in the Prometheus text format, state gauges refreshed first."""
        for refresh in list(self.refreshers):
            try:
                await refresh()
            except Exception as exc:
                # A gauge left at its last value beats a scrape that fails as a whole.
                log.warning("metrics refresh failed", extra={"error": repr(exc)[:300]})
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)
