"""``Server-Timing``: how long the gateway itself took, apart from the time it waited on upstreams.

Every response carries ``gateway;dur=<ms>`` (the gateway's own work until the response head) and,
when it called services, ``upstream;dur=<ms>`` (the wait for their response heads, retries
included). Plain ASGI middleware, so streamed bodies pass through untouched.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def server_timing(total_seconds: float, upstream_seconds: float | None) -> str:
    """The header value for a response whose head left after ``total_seconds``."""
    if upstream_seconds is None:
        return f"gateway;dur={total_seconds * 1000:.2f}"
    own = max(0.0, total_seconds - upstream_seconds)
    return f"gateway;dur={own * 1000:.2f}, upstream;dur={upstream_seconds * 1000:.2f}"


class ServerTimingMiddleware:
    """Adds ``Server-Timing`` to every HTTP response head."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def send_with_timing(message: Message) -> None:
            if message["type"] == "http.response.start":
                upstream = scope.get("state", {}).get("upstream_seconds")
                value = server_timing(time.perf_counter() - started, upstream)
                message["headers"] = [*message.get("headers", []), (b"server-timing", value.encode())]
            await send(message)

        await self.app(scope, receive, send_with_timing)
