"""Egress: the one HTTP client the deliverer sends through, and what an attempt came to.

Every connection goes to an address checked at connect time (:class:`GuardedBackend`): names are
resolved here, each answer is judged by ``domain/addresses.py``, and the connection is made to the
checked address, so registration-time checks and DNS rebinding are no way around it. What the
registrant sees of an attempt is its status code and a reason from a fixed vocabulary
(``claims.REASONS``); the answer's body is not read and socket errors go to the operator's log only.

Each attempt sends the stored CloudEvent JSON with ``webhook-id`` (the delivery's, the same on
every retry and replay), ``webhook-timestamp`` (this attempt's unix seconds) and
``webhook-signature``. Redirects are not followed (a 3xx is a failure: the receiver must register
its final URL); connect and read timeouts are bounded, and so is the whole request.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import logging
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import httpcore
import httpx

from bianmin.webhooks.domain.addresses import IPNetwork, all_allowed
from bianmin.webhooks.domain.claims import Claim, Outcome
from bianmin.webhooks.domain.signing import sign
from bianmin.webhooks.settings import WebhooksSettings

# One logger for the deliverer's loop (workers.py) and its requests, under the name operators filter on.
log = logging.getLogger("bianmin.webhooks.deliverer")
USER_AGENT = "Bianmin-Webhooks/1"


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
