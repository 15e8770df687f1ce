"""Server-sent events pass through the gateway as they are emitted, not when the stream ends."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from bianmin.gateway.app import create_app
from bianmin.gateway.settings import GatewaySettings


async def test_events_arrive_one_by_one_before_the_stream_ends(
        settings: GatewaySettings, start_upstream: Any, servers: Any) -> None:
    upstream, queue = start_upstream("queue")
    gateway = servers(create_app(settings.model_copy(update={"queue_url": queue.url})))
    async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client, client.stream(
            "GET", "/queue/v1/events", headers={"Accept": "text/event-stream"}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        chunks = response.aiter_text()
        first = await anext(chunks)
        # The upstream holds its second event until released: the first one got here on its own.
        assert not upstream.release.is_set()
        assert "data: one" in first
        upstream.release.set()
        rest = "".join([chunk async for chunk in chunks])
    assert "data: two" in rest


async def test_a_client_that_leaves_a_stream_releases_the_upstream_stream(
        settings: GatewaySettings, start_upstream: Any, servers: Any) -> None:
    upstream, queue = start_upstream("queue")
    gateway = servers(create_app(settings.model_copy(update={"queue_url": queue.url})))
    async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client:
        async with client.stream("GET", "/queue/v1/events", headers={"Accept": "text/event-stream"}) as response:
            assert "data: one" in await anext(response.aiter_text())
        # The client hung up mid-stream; the gateway must hang up on the service too.
        closed = await asyncio.to_thread(upstream.stream_closed.wait, 3)
    assert closed
    assert not upstream.release.is_set()
