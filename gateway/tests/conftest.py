"""Fixtures of the gateway's tests: real upstream services over real HTTP, and a running gateway.

Upstreams are service apps built with the kit's own factory (so they verify the identity token as
every service does) served by uvicorn on free ports in background threads; the gateway talks to
them through its real httpx transport. The gateway itself is called in-process over ASGI, except
where streaming must be observed, where it is served by uvicorn too.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import StreamingResponse

from bianmin.gateway.app import create_app
from bianmin.gateway.domain import accounts, credentials
from bianmin.gateway.settings import SERVICES, GatewaySettings
from bianmin.kit.app import ServiceSpec, create_service_app
from bianmin.kit.errors import Conflict
from bianmin.kit.identity import IDENTITY_HEADER, audience_of, public, verify_token
from bianmin.kit.settings import ServiceSettings
from bianmin.kit.stats import Figure, StatsContext
from bianmin.testing.client import TEST_SECRET, running
from bianmin.testing.databases import TestDatabases
from bianmin.testing.nats import free_port

MIGRATIONS = "bianmin.gateway.migrations"
TOKEN_SECRET = "test-gateway-token-signing-secret-0123456789abcdef"


class ServerThread:
    """An ASGI app served by uvicorn on a free port in a background thread."""

    def __init__(self, app: Any, port: int | None = None) -> None:
        self.port = port or free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on",
                                timeout_graceful_shutdown=1, access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)
        if self.thread.is_alive():
            self.server.force_exit = True
            self.thread.join(timeout=5)


class DroppingServer:
    """A TCP server that accepts connections and closes them at once, counting them: a broken upstream."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.close()

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(timeout=5)
        self.sock.close()


class Upstream:
    """What a test upstream saw and how it behaves; shared with the server thread."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.hits = 0
        self.release = threading.Event()
        self.stream_closed = threading.Event()
        self.stats_delay = 0.0


def upstream_app(upstream: Upstream, database: Path, secret: str = TEST_SECRET) -> FastAPI:
    """A service built with the kit's factory: it verifies the gateway's identity like every real service."""
    router = APIRouter()

    async def describe(request: Request) -> dict[str, Any]:
        upstream.hits += 1
        principal = verify_token(request.headers[IDENTITY_HEADER], secret, audience=audience_of(upstream.name))
        return {
            "service": upstream.name, "method": request.method, "path": request.url.path,
            "query": request.url.query, "body": (await request.body()).decode(),
            "headers": [[k, v] for k, v in request.headers.items()],
            "principal": {"key_id": principal.key_id, "tenant": principal.tenant,
                          "scopes": sorted(principal.scopes), "anonymous": principal.anonymous},
            "subject": principal.subject.claims() if principal.subject else None,
        }

    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        router.add_api_route("/public/echo", describe, methods=[method], operation_id=f"public_{method.lower()}", **public())
        router.add_api_route("/private/echo/{rest:path}", describe, methods=[method], operation_id=f"private_{method.lower()}")

    @router.get("/slow", **public())
    async def slow(seconds: float) -> dict[str, str]:
        await asyncio.sleep(seconds)
        return {"status": "late"}

    @router.get("/problem", **public())
    async def problem() -> dict[str, str]:
        raise Conflict("The ticket was already called.", code="ticket_already_called")

    @router.get("/cookies", **public())
    async def cookies() -> StreamingResponse:
        response = StreamingResponse(iter([b"ok"]), media_type="text/plain")
        response.raw_headers.extend([(b"set-cookie", b"a=1"), (b"set-cookie", b"b=2")])
        return response

    @router.get("/events", **public())
    async def events() -> StreamingResponse:
        async def stream() -> AsyncIterator[bytes]:
            try:
                yield b"event: first\ndata: one\n\n"
                await asyncio.to_thread(upstream.release.wait, 5)
                yield b"event: second\ndata: two\n\n"
            finally:
                upstream.stream_closed.set()

        return StreamingResponse(stream(), media_type="text/event-stream")

    async def stats(ctx: StatsContext) -> list[Figure]:
        # A slow upstream: answers after ``stats_delay`` seconds, or as soon as the test ends.
        waited = 0.0
        while waited < upstream.stats_delay and not upstream.release.is_set():
            await asyncio.sleep(0.05)
            waited += 0.05
        return [Figure(name="requests", value=upstream.hits, unit="count", definition="Requests this test upstream saw.")]

    spec = ServiceSpec(name=upstream.name, title=f"Test {upstream.name}", description="A test upstream.",
                       routers=[router], stats=stats)
    settings = ServiceSettings(service_name=upstream.name, database_url=f"sqlite+aiosqlite:///{database}",
                               internal_secret=secret, events_enabled=False)
    return create_service_app(spec, settings)


@pytest.fixture
def servers() -> Iterator[Callable[..., ServerThread]]:
    """Start ASGI apps under uvicorn (on a given port or a free one); all are stopped after the test."""
    started: list[ServerThread] = []

    def start(app: Any, port: int | None = None) -> ServerThread:
        server = ServerThread(app, port).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def start_upstream(servers: Callable[..., ServerThread], tmp_path: Path) -> Iterator[Callable[..., tuple[Upstream, ServerThread]]]:
    """Start a test upstream service under a name (on a given port or a free one); returns its state and server."""
    started: list[Upstream] = []

    def start(name: str, port: int | None = None, secret: str = TEST_SECRET) -> tuple[Upstream, ServerThread]:
        upstream = Upstream(name)
        started.append(upstream)
        return upstream, servers(upstream_app(upstream, tmp_path / f"{name}-{port}.db", secret), port)

    yield start
    for upstream in started:
        upstream.release.set()  # no event stream may hold its server's shutdown


@pytest.fixture
def dropping() -> Iterator[DroppingServer]:
    """A broken upstream that drops every connection."""
    server = DroppingServer()
    yield server
    server.stop()


def dead_url() -> str:
    """An address where nothing listens."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def settings(db_backend: str, test_databases: TestDatabases) -> GatewaySettings:
    """Gateway settings over a fresh migrated database; every upstream points at a dead port until a test says otherwise."""
    urls = {f"{name}_url": dead_url() for name in SERVICES}
    return GatewaySettings(database_url=test_databases.url(db_backend, MIGRATIONS), internal_secret=TEST_SECRET,
                           token_signing_secret=TOKEN_SECRET, read_timeout_seconds=2.0, **urls)


@asynccontextmanager
async def _open_gateway(settings: GatewaySettings, **client: Any) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(settings)
    async with running(app), httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test",
                                               **client) as http:
        yield app, http


@pytest.fixture
def open_gateway() -> Callable[..., Any]:
    """``async with open_gateway(settings) as (app, client)``: a running gateway and an in-process client."""
    return _open_gateway


async def _make_key(app: FastAPI, scopes: list[str], *, tenant: str = "*", rate_limit: str | None = None,
                    name: str = "test key") -> str:
    async with app.state.db.sessionmaker() as session:
        issued = await credentials.create_key(session, name=name, tenant=tenant, scopes=scopes, rate_limit=rate_limit,
                                              now=datetime.now(UTC))
        await session.commit()
    return issued.key


async def _make_account(app: FastAPI, username: str, kind: str, roles: list[tuple[str, str]] | None = None, *,
                        password: str = "correct horse battery staple", totp: bool = False,
                        parties: list[str] | None = None) -> dict[str, Any]:
    async with app.state.db.sessionmaker() as session:
        now = datetime.now(UTC)
        account = await accounts.create(session, username=username, kind=kind, display_name=f"{username} 同志",
                                        password=password, roles=[accounts.RoleGrant(r, s) for r, s in roles or []],
                                        now=now)
        uri, secret = accounts.enrol_totp(account, app.state.totp_sealer) if totp else (None, None)
        for code in parties or []:
            await accounts.bind_party(session, account, code=code, verified_by="test", evidence="test", now=now)
        await session.commit()
        return {"id": account.id, "username": username, "password": password, "totp_secret": secret,
                "otpauth_uri": uri}


@pytest.fixture
def make_account() -> Callable[..., Any]:
    """``await make_account(app, username, kind, [(role, site)], totp=...)``: an account straight into the database."""
    return _make_account


@pytest.fixture
def make_key() -> Callable[..., Any]:
    """``await make_key(app, scopes, tenant=..., rate_limit=...)``: issue an API key straight into the database."""
    return _make_key
