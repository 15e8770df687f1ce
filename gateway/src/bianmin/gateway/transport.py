"""The HTTP hop from the gateway to one upstream, behind a small interface so it can be swapped.

The gateway needs four things of a transport: send a request and return once the response's
head has arrived, stream the body as raw bytes (no decompression: ``Content-Encoding`` passes
through), close, and tell "could not reach it" from "it took too long" (and both from "this
request cannot be sent at all", which is the client's fault).

:class:`AiohttpTransport` is the default: one pooled ``aiohttp.ClientSession`` per upstream.
:class:`HttpxTransport` does the same with httpx and stays for callers that need httpx's
transports (the in-process test platform mounts services' ASGI apps through it). The swap was
measured (bench/README.md, "Results"): under 32 connections httpcore's pool spent over half of
the gateway's CPU choosing a connection (a readability ``select`` on every pooled socket per
request) and re-trying a failed ``import sniffio`` per request, which aiohttp does not.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

import aiohttp
import httpx
from yarl import URL


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
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_keepalive_connections,
                                keepalive_expiry=KEEPALIVE_SECONDS),
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


# aiohttp adds these unless told not to; like httpx's defaults above, the upstream must see only
# what the client sent (a Content-Type of application/octet-stream on a bodiless POST included).
_AIOHTTP_AUTO = ("Accept", "Accept-Encoding", "User-Agent", "Content-Type")
# Well below the services' idle timeout (``http_idle_timeout_seconds``, 15 s), so the gateway drops an
# idle connection before the service does and never sends a request into one the service is closing.
KEEPALIVE_SECONDS = 4.0


def _aiohttp_failure(exc: BaseException) -> Exception:
    """The transport's own exception for one aiohttp raised (connect and pool timeouts count as unreachable)."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return UpstreamUnreachable(str(exc) or type(exc).__name__)
    if isinstance(exc, aiohttp.ServerTimeoutError | TimeoutError):
        return UpstreamTimedOut(str(exc) or type(exc).__name__)
    return UpstreamUnreachable(str(exc) or type(exc).__name__)


class _AiohttpResponse:
    """An aiohttp response seen through :class:`UpstreamResponse`."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response
        self.status_code = response.status
        self.raw_headers = list(response.raw_headers)

    async def stream(self) -> AsyncIterator[bytes]:
        """The body as each piece arrives (transfer coding removed, content coding kept)."""
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise _aiohttp_failure(exc) from exc

    async def read(self) -> bytes:
        """The whole body."""
        try:
            return await self._response.read()
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise _aiohttp_failure(exc) from exc

    async def aclose(self) -> None:
        """Give the connection back to the pool; aiohttp closes it instead when the body was not read to its end."""
        self._response.release()


class AiohttpTransport:
    """One pooled ``aiohttp.ClientSession`` for one upstream, with explicit timeouts, no redirects and no cookies.

    Timeouts map onto aiohttp's as follows: ``connect`` bounds opening a socket, ``pool`` plus
    ``connect`` bounds getting a connection at all (aiohttp counts the wait for a free one in its
    connect timeout), and ``read`` bounds every wait for the upstream's bytes, the head included.
    aiohttp has no separate write timeout; a request body is capped by the gateway's body limit,
    and the read timeout runs while it is being written. ``max_keepalive_connections`` has no
    aiohttp counterpart: idle connections are closed after :data:`KEEPALIVE_SECONDS` instead.
    """

    def __init__(self, base_url: str, *, connect_timeout: float, read_timeout: float, pool_timeout: float,
                 max_connections: int) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = aiohttp.ClientTimeout(total=None, connect=pool_timeout + connect_timeout,
                                             sock_connect=connect_timeout, sock_read=read_timeout)
        self._max_connections = max_connections
        self._ssl = shared_ssl_context() if self.base_url.startswith("https:") else False
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        # Made on first use, inside the running loop that will own it (aiohttp binds a session to its loop).
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self._max_connections, limit_per_host=0,
                                             keepalive_timeout=KEEPALIVE_SECONDS, ssl=self._ssl)
            # A cookie jar would keep one client's Set-Cookie and send it with every other client's requests.
            self._session = aiohttp.ClientSession(connector=connector, timeout=self.timeout, auto_decompress=False,
                                                  cookie_jar=aiohttp.DummyCookieJar(), trust_env=False)
            # aiohttp re-sends an idempotent request once when a reused connection breaks; the
            # upstream's RetryPolicy is the one place that decides retries (and counts them), so
            # that silent second attempt is turned off. There is no public switch for it;
            # gateway/tests/test_resilience.py counts the attempts and fails if this stops working.
            self._session._retry_connection = False
        return self._session

    async def send(self, request: UpstreamRequest) -> UpstreamResponse:
        """Send a request and return at its response head; map aiohttp's failures onto the transport's own."""
        try:
            url = URL(self.base_url + request.target, encoded=True)
        except (ValueError, TypeError) as exc:
            raise RequestNotForwardable(str(exc) or type(exc).__name__) from exc
        sent = {name.lower() for name, _ in request.headers}
        skip = [name for name in _AIOHTTP_AUTO if name.lower() not in sent]
        timeout = self.timeout
        if request.read_timeout is not None:
            timeout = aiohttp.ClientTimeout(total=None, connect=self.timeout.connect, sock_connect=self.timeout.sock_connect,
                                            sock_read=request.read_timeout)
        try:
            response = await self._client().request(
                request.method, url, headers=request.headers, data=request.body or None, allow_redirects=False,
                skip_auto_headers=skip, timeout=timeout, compress=None)
        except aiohttp.InvalidURL as exc:
            raise RequestNotForwardable(str(exc) or type(exc).__name__) from exc
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise _aiohttp_failure(exc) from exc
        except ValueError as exc:
            # aiohttp refuses header names and values that would break the request line (CR, LF, NUL).
            raise RequestNotForwardable(str(exc) or type(exc).__name__) from exc
        return _AiohttpResponse(response)

    async def aclose(self) -> None:
        """Close the pool."""
        if self._session is not None:
            await self._session.close()
            self._session = None
