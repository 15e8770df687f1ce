"""Test data for the queue service, built through its own API: halls, tickets, calls, and a streaming client for boards."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import BaseModel

from bianmin.contracts.events.catalog import CalendarYearLoaded, SiteChanged
from bianmin.kit.clock import Clock
from bianmin.kit.events.consumer import EventContext
from bianmin.kit.identifiers import with_resident_id_check
from bianmin.kit.identity import ANONYMOUS, Principal
from bianmin.kit.site_registry import record_site
from bianmin.queue.events import HANDLERS
from bianmin.testing.client import TEST_SECRET, PrincipalAuth
from bianmin.testing.events import envelope
from bianmin.testing.registry import fabricated_notice as made_up_notice

HALL = "330199001"
REGISTERED_AT = datetime(2026, 11, 1, tzinfo=UTC)


def resident_id(born: str, serial: str = "123") -> str:
    """A valid resident ID number of someone born on ``born`` (YYYYMMDD) in the district."""
    return with_resident_id_check(f"330199{born}{serial}")


async def register_site(app: FastAPI, code: str, name: str, level: str, parent_code: str | None, *, tenant: str,
                        active: bool = True, at: datetime = REGISTERED_AT) -> bool:
    """Put a site into the queue's registry as the catalog's ``catalog.site.changed`` would; True when it was written."""
    async with app.state.db.sessionmaker() as session:
        written = await record_site(session, SiteChanged(code=code, name=name, level=level, parent_code=parent_code,
                                                         tenant=tenant, active=active, updated_at=at))
        await session.commit()
    return written


async def deliver(app: FastAPI, clock: Clock, subject: str, payload: BaseModel) -> None:
    """Apply an event as the queue's consumer does: its handler for ``subject``, in one transaction (test_events
    shows the handlers are fed from NATS)."""
    handler = next(h for h in HANDLERS if h.subject == subject)
    async with app.state.db.sessionmaker() as session:
        context = EventContext(session=session, clock=clock, settings=app.state.settings, state=app.state)
        await handler.fn(context, envelope(subject, payload), payload)
        await session.commit()


def fabricated_notice(year: int, holidays: list[str], makeup_days: list[str], *, version: int = 1) -> CalendarYearLoaded:
    """A year's notice made up for a test (never the State Council's real one), as the catalog would announce it."""
    days = {date.fromisoformat(d): False for d in holidays} | {date.fromisoformat(d): True for d in makeup_days}
    return made_up_notice(year, days, version=version, at=REGISTERED_AT)


async def make_hall(client: httpx.AsyncClient, code: str = HALL, *, lines: tuple[str, ...] = ("A", "B"),
                    counters: dict[int, list[tuple[str, int]]] | None = None, daily_cap: int = 300,
                    **extra: Any) -> dict[str, Any]:
    """A hall with lines and open counters; the counters' ids by number."""
    response = await client.post("/v1/halls", json={"code": code, "name": f"大厅{code}", **extra})
    assert response.status_code == 201, response.text
    for prefix in lines:
        created = await client.post(f"/v1/halls/{code}/lines",
                                    json={"prefix": prefix, "name": f"业务{prefix}", "daily_cap": daily_cap})
        assert created.status_code == 201, created.text
    ids: dict[int, int] = {}
    for number, served in (counters or {1: [(p, 1) for p in lines]}).items():
        created = await client.post(f"/v1/halls/{code}/counters", json={
            "number": number, "state": "open", "staff_name": "王芳",
            "lines": [{"line": p, "weight": w} for p, w in served]})
        assert created.status_code == 201, created.text
        ids[number] = created.json()["id"]
    return {"code": code, "counters": ids}


async def take(client: httpx.AsyncClient, line: str = "A", hall: str = HALL, **person: Any) -> dict[str, Any]:
    """Take a ticket and return it."""
    response = await client.post("/v1/tickets", json={"hall_code": hall, "line": line, **person})
    assert response.status_code == 201, response.text
    return response.json()


async def call(client: httpx.AsyncClient, counter_id: int) -> dict[str, Any]:
    """Call-next at a counter and return the answer."""
    response = await client.post(f"/v1/counters/{counter_id}/call-next")
    assert response.status_code == 200, response.text
    return response.json()


class StreamingASGITransport(httpx.AsyncBaseTransport):
    """An ASGI transport that hands the response body over as the app sends it (httpx's buffers it all)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        chunks: asyncio.Queue[bytes | None] = asyncio.Queue()
        started = asyncio.Event()
        disconnected = asyncio.Event()
        head: dict[str, Any] = {}
        delivered = False

        async def receive() -> dict[str, Any]:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            await disconnected.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                head["status"], head["headers"] = message["status"], message.get("headers", [])
                started.set()
            elif message["type"] == "http.response.body":
                await chunks.put(message.get("body", b""))
                if not message.get("more_body", False):
                    await chunks.put(None)

        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": request.method,
                 "headers": [(k.lower(), v) for k, v in request.headers.raw], "scheme": "http",
                 "path": request.url.path, "raw_path": request.url.raw_path.split(b"?")[0],
                 "query_string": request.url.query, "server": ("service.test", 80), "client": ("127.0.0.1", 1),
                 "root_path": ""}
        task = asyncio.create_task(self.app(scope, receive, send))
        await asyncio.wait([task, asyncio.create_task(started.wait())], return_when=asyncio.FIRST_COMPLETED)
        if not started.is_set():
            task.result()
        return httpx.Response(head["status"], headers=head["headers"], stream=_Body(chunks, task, disconnected))


class _Body(httpx.AsyncByteStream):
    def __init__(self, chunks: asyncio.Queue[bytes | None], task: asyncio.Task[Any], disconnected: asyncio.Event) -> None:
        self.chunks, self.task, self.disconnected = chunks, task, disconnected

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while (chunk := await self.chunks.get()) is not None:
            if chunk:
                yield chunk

    async def aclose(self) -> None:
        self.disconnected.set()
        try:
            await asyncio.wait_for(self.task, timeout=5)
        except TimeoutError:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task


def streaming_client(app: Any, principal: Principal = ANONYMOUS) -> httpx.AsyncClient:
    """A client whose responses stream, speaking as ``principal`` (the public by default)."""
    return httpx.AsyncClient(transport=StreamingASGITransport(app), base_url="http://service.test",
                             auth=PrincipalAuth(principal, TEST_SECRET, app.state.settings.service_name))


class SSEReader:
    """Reads server-sent events from one streaming response, keeping its place between reads."""

    def __init__(self, response: httpx.Response) -> None:
        self.lines = response.aiter_lines()
        self.comments: list[str] = []
        self.fields: dict[str, str] = {}

    async def events(self, count: int, *, timeout: float = 5.0) -> list[dict[str, str]]:
        """The next ``count`` events that carry an id."""
        found: list[dict[str, str]] = []

        async def read() -> None:
            while len(found) < count:
                line = await anext(self.lines)
                if line == "":
                    if "id" in self.fields:
                        found.append(dict(self.fields))
                    self.fields.clear()
                elif line.startswith(":"):
                    self.comments.append(line)
                else:
                    key, _, value = line.partition(":")
                    self.fields[key] = value.removeprefix(" ")

        await asyncio.wait_for(read(), timeout=timeout)
        return found

    async def comment(self, *, timeout: float = 5.0) -> str:
        """The next comment line (a heartbeat)."""
        async def read() -> str:
            while True:
                line = await anext(self.lines)
                if line.startswith(":"):
                    return line

        return await asyncio.wait_for(read(), timeout=timeout)
