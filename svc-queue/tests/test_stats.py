"""The cockpit's queue figures broken down per hall: tickets, average wait and satisfaction."""

from datetime import timedelta

from fastapi import FastAPI
from queue_factories import HALL, call, make_hall, take

from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import Principal
from bianmin.testing.client import client_for

OTHER = "330199002"
QUIET = "330199003"


async def test_the_cockpit_breaks_tickets_wait_and_satisfaction_down_by_hall(
        app: FastAPI, clock: FixedClock, db_backend: str) -> None:
    async with client_for(app) as client:
        first = await make_hall(client)
        second = await make_hall(client, OTHER, counters={1: [("A", 1)], 2: [("A", 1)]})
        await make_hall(client, QUIET)
        served = await take(client)
        await take(client, hall=OTHER)
        await take(client, hall=OTHER)
        clock.advance(timedelta(minutes=6))
        await call(client, first["counters"][1])
        await call(client, second["counters"][1])
        clock.advance(timedelta(minutes=4))
        await call(client, second["counters"][2])
        await client.post(f"/v1/tickets/{served['id']}/start")
        assert (await client.post(f"/v1/tickets/{served['id']}/complete")).status_code == 200
        rated = await client.post(f"/v1/tickets/{served['id']}/evaluation", json={"level": 1})
        assert rated.status_code in (200, 201), rated.text
    reader = Principal(key_id="c", tenant="*", scopes=frozenset({"cockpit:read"}))
    async with client_for(app, reader) as cockpit:
        overview = await cockpit.get("/v1/stats/overview")
    named = {f["name"]: f for f in overview.json()["figures"]}
    assert named["tickets_per_hall"]["value"] == 3
    assert named["tickets_per_hall"]["breakdown"] == {HALL: 1, OTHER: 2, QUIET: 0}
    assert named["wait_mean_per_hall"]["breakdown"] == {HALL: "6.0", OTHER: "8.0", QUIET: None}
    assert named["satisfaction_rate_per_hall"]["breakdown"] == {HALL: "0.0000", OTHER: None, QUIET: None}
    assert all(named[name]["definition"] for name in named if name.endswith("_per_hall"))
