"""The deliverer: a worker that claims due deliveries and POSTs them, signed, to their endpoints.

Every connection goes to an address checked at connect time (:class:`GuardedBackend`): names are
resolved here, each answer is judged by ``domain/addresses.py``, and the connection is made to the
checked address, so registration-time checks and DNS rebinding are no way around it. What the
registrant sees of an attempt is its status code and a reason from a fixed vocabulary
(``claims.REASONS``); the answer's body is not read and socket errors go to the operator's log only.

Each attempt sends the stored CloudEvent JSON with ``webhook-id`` (the delivery's, the same on
every retry and replay), ``webhook-timestamp`` (this attempt's unix seconds) and
``webhook-signature``. Redirects are not followed (a 3xx is a failure: the receiver must register
its final URL); connect and read timeouts are bounded, and so is the whole request. Requests run
as tasks, at most ``max_in_flight`` per process and ``endpoint_concurrency`` per endpoint, so a
slow receiver occupies its own slots and nobody else's. All state is in the database: a process
that dies leaves leased rows that are claimed again once their lease expires.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import logging
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import timedelta
from typing import Any

import httpcore
import httpx
from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter, Histogram

from bianmin.kit.clock import Clock
from bianmin.kit.db import Database
from bianmin.webhooks.domain.addresses import IPNetwork, all_allowed
from bianmin.webhooks.domain.claims import Claim, Outcome, RetryPolicy, claim, finish, release
from bianmin.webhooks.domain.deliveries import purge_finished
from bianmin.webhooks.domain.signing import SecretBox, sign
from bianmin.webhooks.settings import WebhooksSettings

log = logging.getLogger("bianmin.webhooks.deliverer")
USER_AGENT = "Bianmin-Webhooks/1"
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


class AddressNotAllowed(Exception):
    """The host resolved to an address the deliverer may not reach (``domain/addresses.py``)."""


class NameNotResolved(Exception):
    """The host's name did not resolve."""


Resolver = Callable[[str, int], Awaitable[list[str]]]


async def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives for ``host`` (literals come back as they are), in its order."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend with the address check where the connection is made.

    Every new connection resolves its host here, refuses the whole name when any answer is an address
    the deliverer may not reach, and connects to the checked addresses themselves: the name is never
    resolved again between the check and the connect, so a DNS answer that changes (rebinding) cannot
    slip in. TLS still verifies the certificate for the URL's host name and sends it as SNI, and the
    ``Host`` header carries it, because httpcore takes both from the URL, not from this connection.
    A pooled connection is reused only for its own origin, and it was checked when it was opened.
    """

    def __init__(self, allowed: Sequence[IPNetwork], resolver: Resolver = system_resolver) -> None:
        self.allowed = tuple(allowed)
        self.resolver = resolver
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        """Resolve, check every address, then connect to the first checked address that answers."""
        try:
            async with asyncio.timeout(timeout):
                answers = await self.resolver(host, port)
            addresses = [ipaddress.ip_address(answer.split("%", 1)[0]) for answer in answers]
        except (OSError, UnicodeError, ValueError) as exc:
            raise NameNotResolved(host) from exc
        if not all_allowed(addresses, self.allowed):
            raise AddressNotAllowed(f"{host} resolves to {', '.join(map(str, addresses)) or 'nothing'}")
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(str(address), port, timeout=timeout, local_address=local_address,
                                                    socket_options=socket_options)
            except httpcore.ConnectError as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        """Never: a receiver is a TCP address."""
        raise AddressNotAllowed("unix sockets are not receivers")

    async def sleep(self, seconds: float) -> None:
        """As the inner backend sleeps."""
        await self.inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a pool whose every connection goes through :class:`GuardedBackend`."""

    def __init__(self, backend: GuardedBackend, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        # httpx takes no network backend of its own: its pool is replaced by one that has it, built as httpx builds it.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False), max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections, keepalive_expiry=limits.keepalive_expiry,
            http1=True, http2=False, network_backend=backend)


def http_client(settings: WebhooksSettings, resolver: Resolver = system_resolver) -> httpx.AsyncClient:
    """One pooled client for every receiver: checked addresses only, bounded timeouts, no redirects, no proxies."""
    timeout = httpx.Timeout(connect=settings.connect_timeout_seconds, read=settings.read_timeout_seconds,
                            write=settings.read_timeout_seconds, pool=settings.connect_timeout_seconds)
    limits = httpx.Limits(max_connections=settings.max_in_flight, max_keepalive_connections=settings.max_in_flight)
    transport = GuardedTransport(GuardedBackend(settings.allowed_networks, resolver), limits)
    return httpx.AsyncClient(transport=transport, timeout=timeout, follow_redirects=False, trust_env=False,
                             headers={"user-agent": USER_AGENT})


def reason_of(exc: BaseException) -> str:
    """The registrant's word for a failure: one of :data:`REASONS`, never the exception's text.

    The text of a socket or TLS error tells who can see it what lies behind an address (a port open
    or closed, a service's banner), so it stays in the operator's log.
    """
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    kinds = tuple(type(e) for e in chain)

    def seen(*types: type[BaseException]) -> bool:
        return any(issubclass(kind, types) for kind in kinds)

    if seen(AddressNotAllowed):
        return "address_not_allowed"
    if seen(NameNotResolved, socket.gaierror):
        return "dns_error"
    if seen(TimeoutError, httpx.TimeoutException):
        return "timeout"
    if seen(ConnectionRefusedError) or any(getattr(e, "errno", None) == errno.ECONNREFUSED for e in chain):
        return "connection_refused"
    if seen(ssl.SSLError):
        return "tls_error"
    if seen(httpx.InvalidURL, httpx.UnsupportedProtocol):
        return "invalid_url"
    if seen(httpx.ConnectError):
        return "connection_failed"
    return "connection_lost"


async def send(client: httpx.AsyncClient, claim: Claim, secrets: list[str], *, timestamp: int,
               total_seconds: float) -> Outcome:
    """POST one delivery, signed with each secret, and say how it went; never raises for anything the receiver does.

    What the registrant sees of it is the status code and a reason from :data:`REASONS`: the answer's
    body is never read, so nothing a server behind the URL says can be relayed through the log.
    """
    body = claim.body.encode()
    signature = " ".join(sign(secret, claim.webhook_id, timestamp, body) for secret in secrets)
    headers = {"content-type": "application/json", "webhook-id": claim.webhook_id,
               "webhook-timestamp": str(timestamp), "webhook-signature": signature}
    started = time.perf_counter()
    try:
        async with asyncio.timeout(total_seconds):
            async with client.stream("POST", claim.url, content=body, headers=headers) as response:
                status = response.status_code
    except (TimeoutError, httpx.HTTPError, httpx.InvalidURL, AddressNotAllowed, NameNotResolved, OSError,
            ValueError) as exc:
        reason = reason_of(exc)
        log.warning("webhook attempt failed", extra={"delivery": claim.delivery_id, "endpoint": claim.endpoint_id,
                                                     "reason": reason, "detail": f"{type(exc).__name__}: {exc}"[:500]})
        return Outcome(status_code=None, latency_ms=_ms(started), error=reason)
    return Outcome(status_code=status, latency_ms=_ms(started), error=None if 200 <= status < 300 else f"http_{status}")


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


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
