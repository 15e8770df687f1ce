"""The request middleware every process runs: request id, trace context, body limit, metrics.

Written as plain ASGI middleware, not ``BaseHTTPMiddleware``, so that it neither buffers streamed
responses (server-sent events pass straight through) nor copies the request body.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from typing import Any

from bianmin.kit.logging import request_id_var, traceparent_var
from bianmin.kit.metrics import Metrics

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")
log = logging.getLogger("bianmin.request")


def _arrival(scope: Scope) -> datetime:
    """The moment the request arrived, on the application's clock when it has one."""
    clock = getattr(getattr(scope.get("app"), "state", None), "clock", None)
    return clock.now() if clock is not None else datetime.now(UTC)


def new_traceparent() -> str:
    """A fresh W3C traceparent for a request that arrived without one."""
    return f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-01"


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of a request header, decoded as latin-1, or None."""
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


class RequestContextMiddleware:
    """Accept or create ``X-Request-ID`` and ``traceparent``, cap the body, time and count requests."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics, max_body_bytes: int) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = header(scope, b"x-request-id")
        request_id = incoming if incoming and _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        incoming_trace = header(scope, b"traceparent")
        traceparent = incoming_trace if incoming_trace and _TRACEPARENT.match(incoming_trace) else new_traceparent()
        request_tokens = request_id_var.set(request_id), traceparent_var.set(traceparent)
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        state["received_at"] = _arrival(scope)
        started = time.perf_counter()
        status = 500

        declared = header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            status = 413
            await _send_too_large(send, request_id, self.max_body_bytes)
            self._finish(scope, status, started, request_tokens)
            return

        received = 0
        too_large = False
        replaced = False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    too_large = True
                    raise BodyTooLarge
            return message

        async def send_with_ids(message: Message) -> None:
            nonlocal status, replaced
            if too_large:
                # The app turned the aborted read into an error of its own; answer 413 instead.
                if not replaced:
                    replaced = True
                    status = 413
                    await _send_too_large(send, request_id, self.max_body_bytes)
                return
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_ids)
        except BodyTooLarge:
            if not replaced:
                status = 413
                await _send_too_large(send, request_id, self.max_body_bytes)
        finally:
            self._finish(scope, status, started, request_tokens)

    def _finish(self, scope: Scope, status: int, started: float, tokens: tuple[Any, Any]) -> None:
        elapsed = time.perf_counter() - started
        route = scope.get("route")
        template = getattr(route, "path", None) or "unmatched"
        self.metrics.observe_request(scope["method"], template, status, elapsed)
        log.info(
            "request served",
            extra={"method": scope["method"], "path": scope["path"], "status": status,
                   "duration_ms": round(elapsed * 1000, 2)},
        )
        request_id_var.reset(tokens[0])
        traceparent_var.reset(tokens[1])


class BodyTooLarge(Exception):
    """Raised inside the app's receive when the body passes the configured limit."""


async def _send_too_large(send: Send, request_id: str, limit: int) -> None:
    body = (
        '{"type":"about:blank","title":"Request body too large","status":413,'
        f'"code":"body_too_large","detail":"The request body exceeds {limit} bytes."}}'
    ).encode()
    await send({
        "type": "http.response.start", "status": 413,
        "headers": [(b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"x-request-id", request_id.encode())],
    })
    await send({"type": "http.response.body", "body": body})
