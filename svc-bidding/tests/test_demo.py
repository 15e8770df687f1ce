"""The demo loader: through the public API, and safe to run twice."""

from __future__ import annotations

from fastapi import FastAPI

from bianmin.bidding.demo import DIRECT, TENDERS, load_demo
from bianmin.kit.clock import SystemClock
from bianmin.kit.testing.client import client_for


async def test_the_demo_loads_once_even_when_run_twice(app: FastAPI) -> None:
    app.state.clock = SystemClock()
    async with client_for(app) as client:
        await load_demo(client)
        await load_demo(client)
        listed = (await client.get("/v1/projects", params={"limit": 200})).json()["items"]
    codes = sorted(p["code"] for p in listed)
    assert codes == sorted([t[0] for t in TENDERS] + [d[0] for d in DIRECT])
    statuses = {p["code"]: p["status"] for p in listed}
    assert statuses["BM-DEMO-001"] == "published"
    assert statuses["BM-DEMO-D01"] == "awarded"
