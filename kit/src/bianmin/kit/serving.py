"""How every process serves HTTP: uvicorn, with limits one anonymous client cannot wear through.

uvicorn on httptools (the kit's ``uvicorn[standard]``) leaves four doors open that issue 17 found
from outside: a connection that never finishes its request head is kept for ever (its keep-alive
timer is armed only after a first response, and any byte disarms it); a connection that sends
nothing is kept for ever; a request head has no size limit (httptools gathers a header value whole
before handing it over, 64 MB included); and nothing caps the connections of one address or of
the process, so idle sockets exhaust the file descriptors until ``/healthz`` goes unanswered.
uvicorn's ``limit_concurrency`` does not help: it answers 503 only once a head is complete, and
keeps the connection.

:class:`GuardedProtocol` closes them at the connection, before any application code runs:

- **head timeout**: a request head must be complete within ``http_header_timeout_seconds`` of the
  moment the connection is ready for one (opened, or the previous response sent); past it the
  connection gets 408 (when part of a head came) and is closed. Data trickled byte by byte does
  not extend it, nor do blank lines between requests.
- **idle timeout**: uvicorn's keep-alive timer, armed from the moment a connection opens too.
- **body timeout**: a request body may fall silent for at most ``http_body_timeout_seconds``
  between chunks while the server is reading it (a pause the server asked for does not count).
- **head size**: past ``http_max_header_bytes`` (request line and headers) or ``http_max_headers``
  header lines, 431 problem+json and the connection closes; the head is never handed on. Bytes
  are counted as they arrive, so a head that never ends is refused after one read past the limit.
- **connection caps**: at most ``http_max_connections_per_client`` open connections per peer
  address (429, then closed) and ``http_max_connections`` in all (503, then closed), refused as
  they open. Addresses in ``exempt`` (the gateway's trusted proxies: an edge proxy carries many
  clients on its connections) have the global cap only. The global cap is kept below the file
  descriptor limit, whose soft value is first raised to the hard one: a quarter of it (at least
  256) stays free for the process's own database, upstream and event connections.

WebSocket upgrades are off (``ws="none"``): the platform streams with server-sent events, and an
upgraded connection would leave these counts. Settings are per process (``BIANMIN_<APP>_HTTP_*``);
the defaults are documented in ``bianmin.kit.settings``. A real edge proxy in front (``deploy/``)
adds the same limits once more, per client address as it sees it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import resource
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from bianmin.kit.settings import ServiceSettings

log = logging.getLogger("bianmin.serving")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# Request line framing beyond the URL and method ("  HTTP/1.1\r\n") and the blank line ending a head.
_HEAD_FRAMING = 16
_HEADER_FRAMING = 4  # ": " and "\r\n" around each header


@dataclass(frozen=True)
class ServeLimits:
    """What one process tolerates from its clients; see the module docstring for each."""

    header_timeout: float
    idle_timeout: float
    body_timeout: float
    max_header_bytes: int
    max_headers: int
    max_connections: int
    max_connections_per_client: int
    exempt: tuple[Network, ...] = ()

    @classmethod
    def from_settings(cls, settings: ServiceSettings, *, exempt: Iterable[str] = (),
                      max_connections: int | None = None) -> ServeLimits:
        """The limits a process's settings name; ``max_connections`` overrides the configured cap."""
        return cls(header_timeout=settings.http_header_timeout_seconds, idle_timeout=settings.http_idle_timeout_seconds,
                   body_timeout=settings.http_body_timeout_seconds, max_header_bytes=settings.http_max_header_bytes,
                   max_headers=settings.http_max_headers,
                   max_connections=max_connections if max_connections is not None else settings.http_max_connections,
                   max_connections_per_client=settings.http_max_connections_per_client,
                   exempt=tuple(ipaddress.ip_network(entry, strict=False) for entry in exempt))

    def is_exempt(self, address: str) -> bool:
        """Whether an address escapes the per-client cap (a trusted proxy, or no address at all)."""
        if not address:
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return True
        return any(ip in network for network in self.exempt)


class ConnectionLedger:
    """Open connections of one server, per peer address and in all."""

    def __init__(self, limits: ServeLimits) -> None:
        self.limits = limits
        self.total = 0
        self.per_address: Counter[str] = Counter()

    def admit(self, address: str) -> int | None:
        """Count a new connection and return None, or return the status that refuses it (429 or 503)."""
        if self.total >= self.limits.max_connections:
            return 503
        if not self.limits.is_exempt(address) and self.per_address[address] >= self.limits.max_connections_per_client:
            return 429
        self.total += 1
        self.per_address[address] += 1
        return None

    def release(self, address: str) -> None:
        """Forget a connection that :meth:`admit` counted."""
        self.total -= 1
        self.per_address[address] -= 1
        if self.per_address[address] <= 0:
            del self.per_address[address]


class Refused(Exception):
    """Raised inside a parser callback to stop parsing a head that must be refused."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


_REASONS = {408: "Request Timeout", 429: "Too Many Requests", 431: "Request Header Fields Too Large",
            503: "Service Unavailable"}
_CODES = {408: "request_timeout", 429: "too_many_connections", 431: "headers_too_large", 503: "too_many_connections"}


def refusal(status: int, detail: str) -> bytes:
    """A whole HTTP/1.1 response refusing a connection or a head, as problem+json, closing the connection."""
    body = json.dumps({"type": "about:blank", "title": _REASONS[status], "status": status, "code": _CODES[status],
                       "detail": detail}).encode()
    retry = b"retry-after: 1\r\n" if status in (429, 503) else b""
    return (f"HTTP/1.1 {status} {_REASONS[status]}\r\n".encode() + b"content-type: application/problem+json\r\n"
            + f"content-length: {len(body)}\r\n".encode() + retry + b"connection: close\r\n\r\n" + body)


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with head and body timeouts, head limits and connection caps."""

    limits: ClassVar[ServeLimits]
    ledger: ClassVar[ConnectionLedger]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._address: str | None = None
        self._head_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None
        self._body_seen_at = 0.0
        self._in_head = False
        self._head_bytes = 0
        self._header_count = 0
        self._completed_in_read = False
        self._refusal: Refused | None = None

    # --- the connection ---------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Refuse the connection past a cap; otherwise start its idle and head clocks."""
        super().connection_made(transport)
        address = self.client[0] if self.client else ""
        status = self.ledger.admit(address)
        if status is not None:
            detail = ("Too many open connections from this address." if status == 429
                      else "The server holds as many connections as it may; try again shortly.")
            self.transport.write(refusal(status, detail))
            self.transport.close()
            return
        self._address = address
        # uvicorn arms its keep-alive timer only after a response: a silent new connection would stay.
        self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive, self.timeout_keep_alive_handler)
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop the clocks and give the connection's place back."""
        super().connection_lost(exc)
        self._cancel_head_timer()
        self._cancel_body_timer()
        if self._address is not None:
            self.ledger.release(self._address)
            self._address = None

    def data_received(self, data: bytes) -> None:
        """Feed the parser, then refuse a head that is still open past the byte limit."""
        self._completed_in_read = False
        super().data_received(data)
        if not self._in_head or self.transport.is_closing():
            return
        # The whole read belongs to the open head unless a previous request ended inside it
        # (pipelining); then the read is not counted, an undercount of at most one read.
        if not self._completed_in_read:
            self._head_bytes += len(data)
        if self._head_bytes > self.limits.max_header_bytes:
            self._send_refusal(Refused(431, f"The request head passes {self.limits.max_header_bytes} bytes."))

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a parser error, unless a limit stopped the parser: then that refusal."""
        refused = self._refusal
        if refused is None:
            super().send_400_response(msg)
            return
        self._send_refusal(refused)

    def _send_refusal(self, refused: Refused) -> None:
        self._cancel_head_timer()
        if not self.transport.is_closing():
            self.transport.write(refusal(refused.status, refused.detail))
            self.transport.close()

    # --- parser callbacks ---------------------------------------------------------------------------

    def on_message_begin(self) -> None:
        """A new head starts: its bytes and lines are counted from zero."""
        super().on_message_begin()
        self._in_head = True
        self._head_bytes = 0
        self._header_count = 0

    def on_header(self, name: bytes, value: bytes) -> None:
        """Count header lines; stop the parser past the limit."""
        self._header_count += 1
        if self._header_count > self.limits.max_headers:
            self._refuse(431, f"The request has more than {self.limits.max_headers} header lines.")
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        """The head is whole: check its size exactly, stop the head clock, start the body's."""
        self._in_head = False
        size = len(self.url) + _HEAD_FRAMING + sum(len(n) + len(v) + _HEADER_FRAMING for n, v in self.headers)
        if size > self.limits.max_header_bytes:
            self._refuse(431, f"The request head passes {self.limits.max_header_bytes} bytes.")
        self._cancel_head_timer()
        super().on_headers_complete()
        self._body_seen_at = self.loop.time()
        self._arm_body_timer(self.limits.body_timeout)

    def on_body(self, body: bytes) -> None:
        """A chunk of body came: the body clock starts again."""
        self._body_seen_at = self.loop.time()
        super().on_body(body)

    def on_message_complete(self) -> None:
        """The request is whole: no body clock any more."""
        self._completed_in_read = True
        self._cancel_body_timer()
        super().on_message_complete()

    def on_response_complete(self) -> None:
        """A response went out: unless a pipelined request is waiting, the next head has its deadline."""
        super().on_response_complete()
        if not self.transport.is_closing() and (self.cycle is None or self.cycle.response_complete):
            self._arm_head_timer()

    def _refuse(self, status: int, detail: str) -> None:
        self._refusal = Refused(status, detail)
        raise self._refusal

    # --- clocks -----------------------------------------------------------------------------------

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(self.limits.header_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        if self._in_head:
            self.transport.write(refusal(408, "The request head did not arrive in time."))
        self.transport.close()

    def _arm_body_timer(self, delay: float) -> None:
        self._cancel_body_timer()
        self._body_timer = self.loop.call_later(delay, self._body_timed_out)

    def _cancel_body_timer(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None

    def _body_timed_out(self) -> None:
        self._body_timer = None
        if self.transport.is_closing():
            return
        now = self.loop.time()
        if self.flow.read_paused:
            self._body_seen_at = now  # the server paused reading: the client is not the one silent
        silent = now - self._body_seen_at
        if silent < self.limits.body_timeout:
            self._arm_body_timer(self.limits.body_timeout - silent)
            return
        self.transport.close()


def guarded_protocol(limits: ServeLimits) -> type[GuardedProtocol]:
    """A protocol class for one server: its own limits and its own connection ledger."""
    return type("GuardedProtocol", (GuardedProtocol,), {"limits": limits, "ledger": ConnectionLedger(limits)})


def raise_file_limit() -> tuple[int, int]:
    """Raise the soft limit of open files to the hard one; returns (soft, hard) as they now are."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1_048_576)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            log.warning("could not raise the open-file limit", extra={"soft": soft, "hard": hard})
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft, hard


def connection_cap(configured: int, file_limit: int) -> int:
    """The global connection cap: as configured, but a quarter of the file limit (at least 256) stays free."""
    if file_limit == resource.RLIM_INFINITY or file_limit <= 0:
        return configured
    reserve = max(256, file_limit // 4)
    return max(1, min(configured, file_limit - reserve))


def server_config(app: FastAPI, settings: ServiceSettings, *, exempt: Iterable[str] = (),
                  max_connections: int | None = None, **overrides: Any) -> uvicorn.Config:
    """The uvicorn configuration every process serves with (``overrides`` for tests: log level and such)."""
    limits = ServeLimits.from_settings(settings, exempt=exempt, max_connections=max_connections)
    options: dict[str, Any] = {"log_config": None, "access_log": False, "proxy_headers": False,
                               "timeout_graceful_shutdown": 5, "ws": "none"}
    options.update(overrides)
    return uvicorn.Config(app, host=settings.host, port=settings.port, http=guarded_protocol(limits),
                          timeout_keep_alive=settings.http_idle_timeout_seconds,  # type: ignore[arg-type]
                          **options)


def serve(app: FastAPI, settings: ServiceSettings, *, exempt: Iterable[str] = ()) -> None:
    """Serve ``app`` until stopped, with the limits its settings name and the file limit raised."""
    soft, _ = raise_file_limit()
    cap = connection_cap(settings.http_max_connections, soft)
    config = server_config(app, settings, exempt=exempt, max_connections=cap)
    log.info("serving", extra={"host": settings.host, "port": settings.port, "max_connections": cap,
                               "max_connections_per_client": settings.http_max_connections_per_client,
                               "open_file_limit": soft, "header_timeout_seconds": settings.http_header_timeout_seconds,
                               "idle_timeout_seconds": settings.http_idle_timeout_seconds,
                               "max_header_bytes": settings.http_max_header_bytes})
    uvicorn.Server(config).run()
