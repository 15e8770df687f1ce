"""The HTTP hop from the gateway to one upstream, behind a small interface so it can be swapped.

The gateway needs four things of a transport: send a request and return once the response's
head has arrived, stream the body as raw bytes (no decompression: ``Content-Encoding`` passes
through), close, and tell "could not reach it" from "it took too long" (and both from "this
request cannot be sent at all", which is the client's fault). :class:`HttpxTransport`
does this with one pooled ``httpx.AsyncClient`` per upstream; httpx is known to lag under high
concurrency, so another client (aiohttp, a raw h11 pool) can take its place by implementing
:class:`Transport` without touching the routing, retries or breaker.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

import httpx


class UpstreamUnreachable(Exception):
    """The request got no answer because no connection could be made or it broke before the answer began."""


class RequestNotForwardable(Exception):
    """The client's request cannot be expressed to the upstream (a header or URL the client library refuses)."""


class UpstreamTimedOut(Exception):
    """The upstream did not answer (or went silent mid-answer) within the read timeout."""


@dataclass
class UpstreamRequest:
    """One request to an upstream: a path with its query relative to the upstream's base URL."""

    method: str
    target: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    read_timeout: float | None = None


class UpstreamResponse(Protocol):
    """The head of an upstream's answer, with its body still to be read."""

    status_code: int
    raw_headers: list[tuple[bytes, bytes]]

    def stream(self) -> AsyncIterator[bytes]:
        """The body as it arrives, raw; raises :class:`UpstreamTimedOut` / :class:`UpstreamUnreachable`."""
        ...

    async def read(self) -> bytes:
        """The whole body."""
        ...

    async def aclose(self) -> None:
        """Give the connection back to the pool (or drop it when the body was not read)."""
        ...


class Transport(Protocol):
    """Sends requests to one upstream over pooled connections."""

    async def send(self, request: UpstreamRequest) -> UpstreamResponse:
        """Send a request; return when the response's status and headers have arrived."""
        ...

    async def aclose(self) -> None:
        """Close every pooled connection."""
        ...


_UNREACHABLE = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.RemoteProtocolError,
                httpx.ReadError, httpx.WriteError)
_TIMED_OUT = (httpx.ReadTimeout, httpx.WriteTimeout)
# httpx adds these to every request; the upstream must see only what the client sent (an
# Accept-Encoding the client never offered would get it a compressed body it did not ask for).
_CLIENT_DEFAULTS = frozenset({"accept", "accept-encoding", "user-agent"})


class _HttpxResponse:
    """An httpx streamed response seen through :class:`UpstreamResponse`."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self.status_code = response.status_code
        self.raw_headers = list(response.headers.raw)

    async def stream(self) -> AsyncIterator[bytes]:
        """The body as it arrives, raw, with httpx's failures mapped onto the transport's two."""
        try:
            async for chunk in self._response.aiter_raw():
                yield chunk
        except _TIMED_OUT as exc:
            raise UpstreamTimedOut(str(exc) or type(exc).__name__) from exc
        except (*_UNREACHABLE, httpx.StreamError) as exc:
            raise UpstreamUnreachable(str(exc) or type(exc).__name__) from exc

    async def read(self) -> bytes:
        """The whole body."""
        try:
            return await self._response.aread()
        except _TIMED_OUT as exc:
            raise UpstreamTimedOut(str(exc) or type(exc).__name__) from exc
        except (*_UNREACHABLE, httpx.DecodingError) as exc:
            raise UpstreamUnreachable(str(exc) or type(exc).__name__) from exc

    async def aclose(self) -> None:
        """Give the connection back to the pool."""
        await self._response.aclose()


@cache
def shared_ssl_context() -> ssl.SSLContext:
    """One verifying TLS context for every upstream: loading the CA bundle costs about 0.1 s each time."""
    return httpx.create_ssl_context()


class HttpxTransport:
    """One pooled ``httpx.AsyncClient`` for one upstream, with explicit timeouts and no redirects."""

    def __init__(self, base_url: str, *, connect_timeout: float, read_timeout: float, write_timeout: float,
                 pool_timeout: float, max_connections: int, max_keepalive_connections: int) -> None:
        # trust_env=False: upstreams are internal addresses; an HTTP_PROXY meant for the outside
        # world must not reroute the hop between the gateway and the services.
        self.client = httpx.AsyncClient(
            base_url=base_url, follow_redirects=False, trust_env=False, verify=shared_ssl_context(),
            timeout=httpx.Timeout(connect=connect_timeout, read=read_timeout, write=write_timeout, pool=pool_timeout),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_keepalive_connections),
        )

    async def send(self, request: UpstreamRequest) -> UpstreamResponse:
        """Send a request with httpx in streaming mode; map httpx's failures onto the transport's own."""
        try:
            built = self._build(request)
        except (httpx.InvalidURL, ValueError) as exc:
            raise RequestNotForwardable(str(exc) or type(exc).__name__) from exc
        try:
            response = await self.client.send(built, stream=True)
        except (httpx.LocalProtocolError, httpx.UnsupportedProtocol) as exc:
            raise RequestNotForwardable(str(exc) or type(exc).__name__) from exc
        except _TIMED_OUT as exc:
            raise UpstreamTimedOut(str(exc) or type(exc).__name__) from exc
        except (*_UNREACHABLE, httpx.TransportError) as exc:
            raise UpstreamUnreachable(str(exc) or type(exc).__name__) from exc
        return _HttpxResponse(response)

    def _build(self, request: UpstreamRequest) -> httpx.Request:
        timeout: httpx.Timeout | object = httpx.USE_CLIENT_DEFAULT
        if request.read_timeout is not None:
            base = self.client.timeout
            timeout = httpx.Timeout(connect=base.connect, read=request.read_timeout, write=base.write, pool=base.pool)
        built = self.client.build_request(request.method, request.target, headers=request.headers,
                                          content=request.body or None, timeout=timeout)
        sent = {name.lower() for name, _ in request.headers}
        for name in _CLIENT_DEFAULTS - sent:
            del built.headers[name]
        return built

    async def aclose(self) -> None:
        """Close the pool."""
        await self.client.aclose()
