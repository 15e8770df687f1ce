"""The whole platform in one process: the gateway in front of every service, joined over ASGI.

The gateway is built with its real routing, authentication, rate limits, breaker and merged
OpenAPI; only its HTTP hop is swapped: each upstream's pooled httpx client talks to the service's
app in-process (``httpx.ASGITransport``) instead of over a socket. Every service is built as its own
tests build it (``platform_apps.build_app``: migrated SQLite, events off, the test secret, a fixed
clock). One ASGI app runs every lifespan, so a synchronous ``TestClient`` can drive it all in one loop.

``httpx.ASGITransport`` reads a whole answer before returning it, so a server-sent event stream never
returns here: callers skip operations that answer ``text/event-stream``.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from bianmin.gateway.app import create_app
from bianmin.gateway.domain import credentials
from bianmin.gateway.settings import SERVICES, GatewaySettings
from bianmin.gateway.transport import HttpxTransport
from bianmin.gateway.upstreams import TransportFactory
from bianmin.testing.client import TEST_SECRET, running
from bianmin.testing.databases import TestDatabases

sys.path.insert(0, str(Path(__file__).parent))

from platform_apps import build_app

TOKEN_SECRET = "fuzz-gateway-token-signing-secret-0123456789abcdef"
GATEWAY_MIGRATIONS = "bianmin.gateway.migrations"


class AsgiTransport(HttpxTransport):
    """The gateway's httpx transport with the socket replaced by a service's app, in this process."""

    def __init__(self, base_url: str, app: FastAPI, settings: GatewaySettings) -> None:
        # Not calling super().__init__: that would open a socket pool this transport never uses.
        self.client = httpx.AsyncClient(
            base_url=base_url, follow_redirects=False, trust_env=False,
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
            timeout=httpx.Timeout(connect=settings.connect_timeout_seconds, read=settings.read_timeout_seconds,
                                  write=settings.write_timeout_seconds, pool=settings.pool_timeout_seconds),
        )


def asgi_transports(apps_by_url: dict[str, FastAPI]) -> TransportFactory:
    """A transport factory for the gateway that reaches each upstream URL's app in-process."""

    def factory(url: str, settings: GatewaySettings) -> AsgiTransport:
        return AsgiTransport(url, apps_by_url[url.rstrip("/")], settings)

    return factory


@dataclass
class Platform:
    """The running composition: the gateway app, the service apps by name, and the ASGI entry point."""

    gateway: FastAPI
    services: dict[str, FastAPI]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Serve HTTP through the gateway; start and stop every app on the lifespan protocol."""
        if scope["type"] != "lifespan":
            await self.gateway(scope, receive, send)
            return
        message = await receive()
        assert message["type"] == "lifespan.startup"
        async with self._running():
            await send({"type": "lifespan.startup.complete"})
            message = await receive()
        await send({"type": "lifespan.shutdown.complete"})

    @contextlib.asynccontextmanager
    async def _running(self) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            for app in self.services.values():
                await stack.enter_async_context(running(app))
            await stack.enter_async_context(running(self.gateway))
            yield

    async def issue_key(self, *, tenant: str, scopes: list[str], name: str) -> str:
        """An API key written straight into the gateway's database, as ``bianmin-gateway keys create`` does."""
        async with self.gateway.state.db.sessionmaker() as session:
            issued = await credentials.create_key(session, name=name, tenant=tenant, scopes=scopes, rate_limit=None,
                                                  now=datetime.now(UTC))
            await session.commit()
        return issued.key


def build_platform(databases: TestDatabases, **gateway_settings: Any) -> Platform:
    """The gateway in front of every routed service, each over a fresh migrated SQLite database."""
    services = {name: build_app(name, databases) for name in SERVICES}
    urls = {name: f"http://{name}.internal" for name in SERVICES}
    settings = GatewaySettings(
        database_url=databases.url("sqlite", GATEWAY_MIGRATIONS), internal_secret=TEST_SECRET,
        token_signing_secret=TOKEN_SECRET, default_rate_limit="1000000/minute",
        anonymous_rate_limit="1000000/minute", token_rate_limit="1000000/minute",
        **{f"{name}_url": url for name, url in urls.items()}, **gateway_settings)
    gateway = create_app(settings, transport_factory=asgi_transports({urls[n]: services[n] for n in SERVICES}))
    return Platform(gateway=gateway, services=services)
