"""The demo loader: through the public API, twice, and the data is there once."""

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from fastapi import FastAPI

from bianmin.kit.workdays import SHANGHAI
from bianmin.queue.app import create_app
from bianmin.queue.demo import DISTRICT, load_demo
from bianmin.queue.settings import QueueSettings
from bianmin.testing.client import client_for, running


@pytest.fixture
async def real_time_app(settings: QueueSettings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with running(application):
        yield application


async def test_the_demo_loads_once_when_run_twice(real_time_app: FastAPI, db_backend: str) -> None:
    today = datetime.now(SHANGHAI).date()
    window = {"from": (today - timedelta(days=10)).isoformat(), "to": today.isoformat()}
    async with client_for(real_time_app) as client:
        await load_demo(client)
        first = (await client.get("/v1/stats", params=window)).json()
        slots = (await client.get(f"/v1/halls/{DISTRICT}/slots",
                                  params={"date": (today + timedelta(days=7)).isoformat()})).json()
        await load_demo(client)
        second = (await client.get("/v1/stats", params=window)).json()
        halls = (await client.get("/v1/halls")).json()
        lines = (await client.get(f"/v1/halls/{DISTRICT}/lines")).json()
        counters = (await client.get(f"/v1/halls/{DISTRICT}/counters")).json()
        slots_again = (await client.get(f"/v1/halls/{DISTRICT}/slots",
                                        params={"date": (today + timedelta(days=7)).isoformat()})).json()
        board = (await client.get(f"/v1/halls/{DISTRICT}/board")).json()
    assert len(halls) == 11
    assert [line["prefix"] for line in lines] == ["A", "B", "C", "D", "E"]
    assert len(counters) == 8
    assert first["tickets"] >= 3 * 80
    assert second["tickets"] == first["tickets"]
    assert first["satisfaction_rate"] is not None
    assert len(slots_again) == len(slots)
    assert board["last_seq"] == 2
