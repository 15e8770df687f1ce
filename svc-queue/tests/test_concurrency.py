"""Concurrency: many counters (and replicas) calling at once, and many people booking one slot."""

import asyncio
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from queue_factories import HALL, make_hall, resident_id, take

from bianmin.kit.clock import FixedClock
from bianmin.queue.app import create_app
from bianmin.queue.settings import QueueSettings
from bianmin.testing.client import client_for, running

COUNTERS = 16


async def call_once(client: httpx.AsyncClient, counter_id: int) -> int | None:
    """One call-next; the id of the ticket called, if any."""
    response = await client.post(f"/v1/counters/{counter_id}/call-next")
    assert response.status_code == 200, response.text
    ticket = response.json()["ticket"]
    return None if ticket is None else ticket["id"]


async def prepare(client: httpx.AsyncClient) -> tuple[list[int], set[int]]:
    """A hall with as many open counters as waiting tickets, over two lines with weights."""
    hall = await make_hall(client, counters={n: [("A", 1 + n % 3), ("B", 1)] for n in range(1, COUNTERS + 1)})
    ids = {(await take(client, "A" if n % 2 else "B"))["id"] for n in range(COUNTERS)}
    return list(hall["counters"].values()), ids


async def test_many_counters_calling_at_once_call_every_ticket_exactly_once(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        counters, ids = await prepare(client)
        called = await asyncio.gather(*(call_once(client, c) for c in counters))
        board = await client.get(f"/v1/halls/{HALL}/board")
        more = await client.post(f"/v1/halls/{HALL}/counters", json={"number": 99, "state": "open",
                                                                     "lines": [{"line": "A"}, {"line": "B"}]})
        empty = await call_once(client, more.json()["id"])
    assert sorted(t for t in called if t is not None) == sorted(ids)
    assert empty is None
    assert board.json()["last_seq"] == COUNTERS
    assert sorted(c["seq"] for c in board.json()["last_calls"]) == list(range(COUNTERS - 9, COUNTERS + 1))


async def test_two_replicas_on_one_database_never_call_the_same_ticket(
        app: FastAPI, settings: QueueSettings, clock: FixedClock, db_backend: str) -> None:
    if db_backend != "postgresql":
        pytest.skip("replicas share a database on PostgreSQL; SQLite is one process's file")
    replica = create_app(settings, clock=clock)
    async with running(replica), client_for(app) as first, client_for(replica) as second:
        counters, ids = await prepare(first)
        called = await asyncio.gather(*(call_once(first if i % 2 else second, c) for i, c in enumerate(counters)))
        board = await second.get(f"/v1/halls/{HALL}/board")
    assert sorted(t for t in called if t is not None) == sorted(ids)
    assert board.json()["last_seq"] == COUNTERS


async def test_concurrent_bookings_never_exceed_a_slots_capacity(app: FastAPI, clock: FixedClock,
                                                                 db_backend: str) -> None:
    async with client_for(app) as client:
        await make_hall(client)
        day = (clock.now() + timedelta(days=1)).date()
        plan = await client.post(f"/v1/halls/{HALL}/slots", json={
            "line": "A", "from_date": day.isoformat(), "to_date": day.isoformat(),
            "times": [["09:00", "09:30"]], "capacity": 5})
        slot = plan.json()["slots"][0]["id"]
        people = [resident_id(f"1980{(n % 12) + 1:02d}{(n % 28) + 1:02d}", f"{n:03d}") for n in range(20)]
        answers = await asyncio.gather(*(client.post("/v1/appointments", json={
            "slot_id": slot, "name": "李四", "id_number": person}) for person in people))
        slots = await client.get(f"/v1/halls/{HALL}/slots", params={"date": day.isoformat()})
    codes = sorted(a.status_code for a in answers)
    assert codes == [201] * 5 + [409] * 15
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"slot_full"}
    assert slots.json()[0]["booked"] == 5
    assert slots.json()[0]["available"] == 0


async def test_one_person_booking_many_slots_at_once_stays_within_the_daily_limit(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        await make_hall(client)
        plan = await client.post(f"/v1/halls/{HALL}/slots", json={
            "line": "A", "from_date": "2026-12-02", "to_date": "2026-12-02",
            "times": [[f"{h:02d}:00", f"{h:02d}:30"] for h in range(9, 17)], "capacity": 5})
        person = resident_id("19880808")
        answers = await asyncio.gather(*(client.post("/v1/appointments", json={
            "slot_id": slot["id"], "name": "周芷若", "id_number": person}) for slot in plan.json()["slots"]))
        cancelled = await client.post(f"/v1/appointments/{next(a for a in answers if a.status_code == 201).json()['code']}/cancel")
        again = await client.post("/v1/appointments", json={"slot_id": plan.json()["slots"][0]["id"], "name": "周芷若",
                                                            "id_number": person})
    assert sorted(a.status_code for a in answers) == [201, 201] + [409] * 6
    assert cancelled.status_code == 200
    assert again.status_code == 201
