"""Boards and the call stream: masked names, SSE in order, reconnect without loss, other replicas."""

import asyncio
import json

from fastapi import FastAPI
from queue_factories import HALL, SSEReader, call, make_hall, streaming_client, take

from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import ANONYMOUS
from bianmin.queue.app import create_app
from bianmin.queue.settings import QueueSettings
from bianmin.testing.client import client_for, running


async def test_the_board_shows_current_calls_with_names_masked(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        hall = await make_hall(client, counters={5: [("A", 1)], 6: [("B", 1)]})
        await take(client, name="欧阳娜娜")
        await call(client, hall["counters"][5])
    async with client_for(app, ANONYMOUS) as public:
        board = await public.get(f"/v1/halls/{HALL}/board")
        missing = await public.get("/v1/halls/330199009/board")
    counters = board.json()["counters"]
    assert counters[0]["current"]["number"] == "A001"
    assert counters[0]["current"]["name"] == "欧***"
    assert counters[1]["current"] is None
    assert board.json()["last_calls"][0]["text"] == "请A001号到5号窗口办理"
    assert "欧阳" not in board.text
    assert missing.status_code == 404


async def test_the_stream_announces_calls_in_order_and_resumes_without_loss(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        hall = await make_hall(client, counters={1: [("A", 1)], 2: [("A", 1)]})
        for _ in range(4):
            await take(client, name="张三")
        first, second = hall["counters"][1], hall["counters"][2]
        async with streaming_client(app) as public, public.stream("GET", f"/v1/halls/{HALL}/stream") as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            reader = SSEReader(response)
            await call(client, first)
            await call(client, second)
            seen = await reader.events(2)
        # While the board is away, both counters finish and call again.
        called = (await client.get("/v1/tickets", params={"hall": HALL, "state": "called"})).json()["items"]
        for item in called:
            await client.post(f"/v1/tickets/{item['id']}/start")
            await client.post(f"/v1/tickets/{item['id']}/complete")
        await call(client, first)
        await call(client, second)
        async with streaming_client(app) as public, public.stream(
                "GET", f"/v1/halls/{HALL}/stream", headers={"Last-Event-ID": seen[-1]["id"]}) as response:
            resumed = await SSEReader(response).events(2)
    assert [e["id"] for e in seen] == ["1", "2"]
    assert [e["event"] for e in seen] == ["call", "call"]
    assert json.loads(seen[0]["data"])["text"] == "请A001号到1号窗口办理"
    assert json.loads(seen[0]["data"])["name"] == "张*"
    assert [e["id"] for e in resumed] == ["3", "4"]
    assert [json.loads(e["data"])["number"] for e in resumed] == ["A003", "A004"]


async def test_calls_made_by_another_replica_reach_the_stream(app: FastAPI, settings: QueueSettings,
                                                              clock: FixedClock, db_backend: str) -> None:
    replica = create_app(settings, clock=clock)
    async with running(replica), client_for(replica) as other:
        hall = await make_hall(other)
        await take(other)
        async with streaming_client(app) as public, public.stream("GET", f"/v1/halls/{HALL}/stream") as response:
            reader = SSEReader(response)
            await asyncio.sleep(0.05)
            await call(other, hall["counters"][1])
            events = await reader.events(1)
    assert json.loads(events[0]["data"])["number"] == "A001"


async def test_the_stream_sends_heartbeats_and_refuses_a_bad_last_event_id(settings: QueueSettings,
                                                                          clock: FixedClock, db_backend: str) -> None:
    app = create_app(settings.model_copy(update={"stream_heartbeat_seconds": 0.2}), clock=clock)
    async with running(app):
        async with client_for(app) as client:
            await make_hall(client)
        async with streaming_client(app) as public:
            async with public.stream("GET", f"/v1/halls/{HALL}/stream") as response:
                beat = await SSEReader(response).comment(timeout=3)
            bad = await public.get(f"/v1/halls/{HALL}/stream", headers={"Last-Event-ID": "abc"})
            missing = await public.get("/v1/halls/330199008/stream")
    assert beat == ": heartbeat"
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "Last-Event-ID"
    assert missing.status_code == 404
