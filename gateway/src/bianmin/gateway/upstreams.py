"""Each upstream service as the gateway sees it: a transport, a circuit breaker and a retry policy.

Only idempotent methods are retried, and only when the request never got an answer (connection
refused or broken before the response began): a POST that may have reached the service is never
sent twice. Retries back off exponentially and stop at a deadline, so a stopped service answers
503 well within two seconds. Timeouts are not retried: a slow service gets no extra load.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from bianmin.gateway.domain.breaker import CircuitBreaker
from bianmin.gateway.metrics import GatewayMetrics
from bianmin.gateway.settings import GatewaySettings
from bianmin.gateway.transport import (
    AiohttpTransport,
    HttpxTransport,
    Transport,
    UpstreamRequest,
    UpstreamResponse,
    UpstreamTimedOut,
    UpstreamUnreachable,
)

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how soon an idempotent request is sent again after a connection error."""

    attempts: int = 2
    backoff_seconds: float = 0.05
    deadline_seconds: float = 1.5

    def pauses(self) -> Iterator[float]:
        """The pause before each extra attempt."""
        for attempt in range(self.attempts):
            yield self.backoff_seconds * (2**attempt)


class Upstream:
    """One routed service: sends through its breaker, retrying idempotent requests on connection errors."""

    def __init__(self, name: str, base_url: str, transport: Transport, breaker: CircuitBreaker,
                 retry: RetryPolicy, metrics: GatewayMetrics | None = None) -> None:
        self.name = name
        self.base_url = base_url
        self.transport = transport
        self.breaker = breaker
        self.retry = retry
        self.metrics = metrics

    async def send(self, request: UpstreamRequest) -> UpstreamResponse:
        """Send through the breaker; raise ``CircuitOpen``, ``UpstreamUnreachable`` or ``UpstreamTimedOut``."""
        self.breaker.before_call()
        started = time.perf_counter()
        pauses = self.retry.pauses() if request.method.upper() in IDEMPOTENT else iter(())
        verdict = False
        try:
            while True:
                try:
                    response = await self.transport.send(request)
                except UpstreamUnreachable:
                    pause = next(pauses, None)
                    if pause is None or time.perf_counter() - started + pause > self.retry.deadline_seconds:
                        self.breaker.record_failure()
                        verdict = True
                        self._observe(request.method, "unreachable", started)
                        raise
                    if self.metrics is not None:
                        self.metrics.upstream_retries.labels(self.name).inc()
                    await asyncio.sleep(pause)
                    continue
                except UpstreamTimedOut:
                    self.breaker.record_failure()
                    verdict = True
                    self._observe(request.method, "timeout", started)
                    raise
                self.breaker.record_success()
                verdict = True
                self._observe(request.method, f"{response.status_code // 100}xx", started)
                return response
        finally:
            if not verdict:
                # Cancelled mid-flight (the client went away): free a half-open trial slot.
                self.breaker.release_trial()

    def _observe(self, method: str, outcome: str, started: float) -> None:
        if self.metrics is not None:
            self.metrics.observe_upstream(self.name, method, outcome, time.perf_counter() - started)

    async def aclose(self) -> None:
        """Close the transport's pool."""
        await self.transport.aclose()


TransportFactory = Callable[[str, GatewaySettings], Transport]


def aiohttp_transport(base_url: str, settings: GatewaySettings) -> Transport:
    """The default transport: a pooled aiohttp session with the settings' timeouts and pool size."""
    return AiohttpTransport(
        base_url, connect_timeout=settings.connect_timeout_seconds, read_timeout=settings.read_timeout_seconds,
        pool_timeout=settings.pool_timeout_seconds, max_connections=settings.max_connections,
    )


def httpx_transport(base_url: str, settings: GatewaySettings) -> Transport:
    """The httpx transport: a pooled httpx client with the settings' timeouts and pool size."""
    return HttpxTransport(
        base_url, connect_timeout=settings.connect_timeout_seconds, read_timeout=settings.read_timeout_seconds,
        write_timeout=settings.write_timeout_seconds, pool_timeout=settings.pool_timeout_seconds,
        max_connections=settings.max_connections, max_keepalive_connections=settings.max_keepalive_connections,
    )


def build_upstreams(settings: GatewaySettings, metrics: GatewayMetrics,
                    transport_factory: TransportFactory = aiohttp_transport) -> dict[str, Upstream]:
    """One upstream per routed service; called in the lifespan so pools live as long as the app."""
    retry = RetryPolicy(attempts=settings.retry_attempts, backoff_seconds=settings.retry_backoff_seconds)
    upstreams = {}
    for name, url in settings.upstream_urls().items():
        breaker = CircuitBreaker(name, threshold=settings.breaker_failure_threshold,
                                 reset_seconds=settings.breaker_reset_seconds, on_change=metrics.circuit_changed)
        metrics.circuit_changed(name, breaker.state)
        upstreams[name] = Upstream(name, url, transport_factory(url, settings), breaker, retry, metrics)
    return upstreams
