"""The demo loader: through the public API, and safe to run twice."""

from __future__ import annotations

from fastapi import FastAPI

from bianmin.bidding.demo import DIRECT, OPENED, TENDERS, load_demo
from bianmin.kit.clock import SystemClock
from bianmin.testing.client import client_for


async def test_the_demo_loads_once_even_when_run_twice(app: FastAPI) -> None:
    app.state.clock = SystemClock()
    async with client_for(app) as client:
        await load_demo(client)
        await load_demo(client)
        listed = (await client.get("/v1/projects", params={"limit": 200})).json()["items"]
    codes = sorted(p["code"] for p in listed)
    assert codes == sorted([t[0] for t in TENDERS] + [d[0] for d in DIRECT] + [o[0] for o in OPENED])
    statuses = {p["code"]: p["status"] for p in listed}
    assert statuses["BM-DEMO-001"] == "published"
    assert statuses["BM-DEMO-D01"] == "filed"  # until a supervisor approves it
    assert statuses["BM-DEMO-006"] == "opened"
    async with client_for(app) as client:
        opened = (await client.get("/v1/projects/BM-DEMO-006/opening")).json()
        flags = (await client.get("/v1/flags", params={"project_code": "BM-DEMO-007"})).json()
        clean = (await client.get("/v1/flags", params={"project_code": "BM-DEMO-006"})).json()
    assert min(row["price"] for row in opened) == "1580000.00"
    assert {"identical_prices", "same_ip"} <= {f["screen"] for f in flags}
    assert not [f for f in clean if f["screen"] in ("identical_prices", "same_ip", "same_device_fingerprint")]
