"""Prometheus metrics, one registry per application so that tests can build many apps."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response


@dataclass
class Metrics:
    """The metrics every process exports, registered in the process's own registry."""

    service: str
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

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

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one served request and its duration."""
        self.requests.labels(self.service, method, route, str(status)).inc()
        self.latency.labels(self.service, method, route).observe(seconds)

    async def endpoint(self, request: Request) -> Response:
        """Serve the registry in the Prometheus text format."""
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)
