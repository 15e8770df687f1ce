"""Sending a client's request on to an upstream and streaming the answer back without buffering.

The request body is read whole before sending (it is capped by the body limit, and an idempotent
request must be resendable on retry); the response body is streamed chunk by chunk as it arrives,
so server-sent events reach the client as the service emits them. Failures become problem+json:
503 when the service cannot be reached or its circuit is open, 504 when it is too slow.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import AsyncIterator, Callable

from fastapi import Request
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from bianmin.gateway.domain.breaker import CircuitOpen
from bianmin.gateway.domain.forwarding import forwarded_for, is_trusted, parse_networks, request_headers, response_headers
from bianmin.gateway.errors import GatewayTimeout, UpstreamUnavailable
from bianmin.gateway.transport import (
    RequestNotForwardable,
    UpstreamRequest,
    UpstreamResponse,
    UpstreamTimedOut,
    UpstreamUnreachable,
)
from bianmin.gateway.upstreams import Upstream
from bianmin.kit.errors import DomainError
from bianmin.kit.identity import IDENTITY_HEADER, Principal, audience_of, mint_token
from bianmin.kit.logging import traceparent_var

log = logging.getLogger("bianmin.gateway.forward")


class IdentityTokens:
    """The signed identity of each principal for each service, minted once and reused for a quarter of its lifetime.

    Signing an HS256 token per forwarded request cost about 6 % of the gateway's CPU under load
    (py-spy, bench scenario 2). A token names only the principal, its audience (the one service it
    is for) and its expiry, and no service reads its ``jti``, so requests of one principal to one
    service within :attr:`reuse_seconds` share one token. Nothing lives longer for it: each token
    still expires ``ttl_seconds`` after it was signed, and a token is handed out only while at least
    three quarters of that lifetime remain. A revoked key gets no token at all, since the gateway
    refuses its requests before forwarding them.
    """

    REUSE_FRACTION = 0.25

    def __init__(self, secret: str, ttl_seconds: int, *, max_entries: int = 10_000,
                 clock: Callable[[], float] = time.time) -> None:
        self.secret = secret
        self.ttl_seconds = ttl_seconds
        self.reuse_seconds = ttl_seconds * self.REUSE_FRACTION
        self.max_entries = max_entries
        self.clock = clock
        self._tokens: dict[tuple[Principal, str], tuple[float, str]] = {}

    def token(self, principal: Principal, service: str) -> str:
        """A token for ``principal`` at ``service`` with at least three quarters of its lifetime left."""
        now = self.clock()
        entry = self._tokens.get((principal, service))
        if entry is not None and now < entry[0]:
            return entry[1]
        issued = int(now)
        token = mint_token(principal, self.secret, audience=audience_of(service), ttl_seconds=self.ttl_seconds, now=issued)
        if len(self._tokens) >= self.max_entries:
            self._tokens.clear()
        self._tokens[(principal, service)] = (issued + self.reuse_seconds, token)
        return token


def upstream_headers(request: Request, principal: Principal, *, service: str,
                     client_headers: bool = True) -> list[tuple[str, str]]:
    """The headers ``service`` receives: the client's (cleaned) plus identity, ids, trace and forwarding."""
    settings = request.app.state.settings
    networks = parse_networks(tuple(settings.trusted_proxies))
    peer = request.client.host if request.client else None
    trusted = is_trusted(peer, networks)
    added = {
        IDENTITY_HEADER: request.app.state.identity_tokens.token(principal, service),
        "X-Request-ID": str(request.scope.get("state", {}).get("request_id", "")),
        "X-Forwarded-For": forwarded_for(peer, request.headers.get("x-forwarded-for"), networks),
        "X-Forwarded-Proto": (trusted and request.headers.get("x-forwarded-proto")) or request.url.scheme,
        "X-Forwarded-Host": (trusted and request.headers.get("x-forwarded-host")) or request.headers.get("host", ""),
    }
    traceparent = traceparent_var.get()
    if traceparent:
        added["traceparent"] = traceparent
    incoming = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw] if client_headers else []
    return request_headers(incoming, added)


def add_upstream_time(request: Request, seconds: float) -> None:
    """Add time spent waiting on upstreams to this request's tally (for ``Server-Timing``)."""
    state = request.scope.setdefault("state", {})
    state["upstream_seconds"] = state.get("upstream_seconds", 0.0) + seconds


async def exchange(request: Request, upstream: Upstream, outgoing: UpstreamRequest) -> UpstreamResponse:
    """Send one request upstream and return the response head; map failures onto 503 and 504."""
    started = time.perf_counter()
    try:
        return await upstream.send(outgoing)
    except CircuitOpen as exc:
        raise UpstreamUnavailable(f"The {upstream.name} service is failing; the gateway stopped calling it for now.",
                                  code="upstream_circuit_open",
                                  headers={"Retry-After": str(max(1, math.ceil(exc.retry_after)))}) from exc
    except UpstreamUnreachable as exc:
        raise UpstreamUnavailable(f"The {upstream.name} service cannot be reached.",
                                  headers={"Retry-After": "1"}) from exc
    except UpstreamTimedOut as exc:
        raise GatewayTimeout(f"The {upstream.name} service did not answer in time.") from exc
    except RequestNotForwardable as exc:
        raise DomainError(f"This request cannot be forwarded: {exc}", code="request_not_forwardable") from exc
    finally:
        add_upstream_time(request, time.perf_counter() - started)


class ProxyResponse(StreamingResponse):
    """An upstream's answer relayed as it arrives, headers kept as sent (duplicates included)."""

    def __init__(self, upstream: UpstreamResponse, service: str) -> None:
        super().__init__(self._relay(upstream, service), status_code=upstream.status_code)
        self.raw_headers = response_headers(upstream.raw_headers)
        self.upstream = upstream

    @staticmethod
    async def _relay(upstream: UpstreamResponse, service: str) -> AsyncIterator[bytes]:
        try:
            async for chunk in upstream.stream():
                yield chunk
        except (UpstreamTimedOut, UpstreamUnreachable) as exc:
            # The head is already sent: the only honest signal left is to cut the response short.
            log.warning("upstream broke off its answer", extra={"upstream": service, "error": str(exc)})
            raise

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Relay the body, and give the upstream connection back whatever happens (client gone included)."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.upstream.aclose()
