"""People flow: live figures, history, cockpit figures and the threshold alert raised once per breach."""

from datetime import timedelta

import httpx
from fastapi import FastAPI
from queue_factories import HALL, call, make_hall, take
from sqlalchemy import select

from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import ANONYMOUS, Principal
from bianmin.queue.app import create_app
from bianmin.queue.domain.alerts import check_all
from bianmin.queue.models import HallAlert
from bianmin.queue.settings import QueueSettings
from bianmin.testing.client import client_for, running
from bianmin.testing.events import eventually


async def serve(client: httpx.AsyncClient, counter: int, *, wait: int, service: int, clock: FixedClock) -> int:
    ticket = await take(client)
    clock.advance(timedelta(minutes=wait))
    await call(client, counter)
    await client.post(f"/v1/tickets/{ticket['id']}/start")
    clock.advance(timedelta(minutes=service))
    await client.post(f"/v1/tickets/{ticket['id']}/complete")
    return ticket["id"]


async def test_live_and_history_figures(app: FastAPI, clock: FixedClock, db_backend: str) -> None:
    async with client_for(app) as client:
        hall = await make_hall(client)
        counter = hall["counters"][1]
        first = await serve(client, counter, wait=2, service=10, clock=clock)
        await serve(client, counter, wait=4, service=6, clock=clock)
        gone = await take(client)
        await call(client, counter)
        for _ in range(2):
            await client.post(f"/v1/tickets/{gone['id']}/recall")
        await client.post(f"/v1/tickets/{gone['id']}/no-show")
        await client.post(f"/v1/tickets/{first}/evaluation", json={"level": 5})
        await take(client, "B")
        history = await client.get("/v1/stats", params={"from": "2026-12-01", "to": "2026-12-01", "hall": HALL})
        backwards = await client.get("/v1/stats", params={"from": "2026-12-02", "to": "2026-12-01"})
    async with client_for(app, ANONYMOUS) as public:
        live = await public.get(f"/v1/halls/{HALL}/stats")
    reader = Principal(key_id="c", tenant="*", scopes=frozenset({"cockpit:read"}))
    async with client_for(app, reader) as cockpit:
        overview = await cockpit.get("/v1/stats/overview")
    assert live.json()["waiting"] == 1
    assert live.json()["lines"][1] == {"line": "B", "name": "业务B", "waiting": 1, "longest_wait_minutes": "0.0"}
    assert live.json()["done_today"] == 2
    assert live.json()["no_show_today"] == 1
    figures = history.json()
    assert figures["tickets"] == 4
    assert figures["per_hour"] == {"09": 4}
    assert figures["wait_mean"] == "2.0"  # 2, 4 and the no-show called at once
    assert figures["service_mean"] == "8.0"
    assert figures["service_p90"] == "10.0"
    assert figures["no_show_rate"] == "0.3333"
    assert figures["satisfaction_rate"] == "1.0000"
    assert backwards.status_code == 422
    named = {f["name"]: f for f in overview.json()["figures"]}
    assert named["no_show_rate"]["value"] == "0.3333"
    assert named["wait_p90"]["definition"]


async def test_a_breach_raises_one_alert_and_clears_once(app: FastAPI, clock: FixedClock, db_backend: str) -> None:
    async with client_for(app) as client:
        hall = await make_hall(client, alert_wait_minutes=10, alert_waiting_count=2)
        for _ in range(3):
            await take(client)
    sessionmaker = app.state.db.sessionmaker

    async def check() -> dict[str, str]:
        async with sessionmaker() as session:
            changes = await check_all(session, clock.now())
            await session.commit()
        return changes

    assert await check() == {}
    clock.advance(timedelta(minutes=11))
    assert await check() == {HALL: "raised"}
    assert await check() == {}
    async with client_for(app) as client:
        for _ in range(2):
            called = await call(client, hall["counters"][1])
            await client.post(f"/v1/tickets/{called['ticket']['id']}/start")
            await client.post(f"/v1/tickets/{called['ticket']['id']}/complete")
    assert await check() == {HALL: "cleared"}
    async with sessionmaker() as session:
        alerts = (await session.scalars(select(HallAlert))).all()
    assert len(alerts) == 1
    assert alerts[0].waiting_over == 3
    assert alerts[0].cleared_at is not None


async def test_past_tickets_are_imported_in_order_and_checked(app: FastAPI, db_backend: str) -> None:
    def record(issued: str, **extra: object) -> dict[str, object]:
        return {"line": "A", "counter_number": 1, "state": "done", "issued_at": f"2026-11-30T{issued}:00+08:00",
                "called_at": f"2026-11-30T{issued}:30+08:00", "started_at": f"2026-11-30T{issued}:40+08:00",
                "completed_at": "2026-11-30T11:00:00+08:00", **extra}

    async with client_for(app) as client:
        await make_hall(client)
        imported = await client.post(f"/v1/halls/{HALL}/ticket-imports", json={"tickets": [
            record("10:05", level=2), record("09:10")]})
        disorder = await client.post(f"/v1/halls/{HALL}/ticket-imports", json={"tickets": [
            record("09:00", completed_at="2026-11-30T08:00:00+08:00")]})
        future = await client.post(f"/v1/halls/{HALL}/ticket-imports", json={"tickets": [
            record("09:00", completed_at="2026-12-02T08:00:00+08:00")]})
        naive = await client.post(f"/v1/halls/{HALL}/ticket-imports", json={"tickets": [
            record("09:00", issued_at="2026-11-30T09:00:00")]})
        no_line = await client.post(f"/v1/halls/{HALL}/ticket-imports", json={"tickets": [record("09:00", line="Q")]})
        listed = await client.get("/v1/tickets", params={"hall": HALL, "date": "2026-11-30"})
        history = await client.get("/v1/stats", params={"from": "2026-11-30", "to": "2026-11-30"})
    assert imported.json() == {"imported": 2}
    assert [(t["number"], t["issued_at"][11:16]) for t in listed.json()["items"]] == [("A002", "02:05"), ("A001", "01:10")]
    assert disorder.json()["errors"][0]["field"] == "tickets.0"
    assert future.status_code == 422
    assert naive.status_code == 422
    assert no_line.json()["errors"][0]["field"] == "tickets.0.line"
    assert history.json()["evaluations"] == 1


async def test_the_hall_worker_raises_a_breach_by_itself(settings: QueueSettings, clock: FixedClock,
                                                          db_backend: str) -> None:
    app = create_app(settings.model_copy(update={"hall_worker_enabled": True, "alert_check_seconds": 0.05}), clock=clock)
    async with running(app):
        async with client_for(app) as client:
            await make_hall(client, alert_wait_minutes=5, alert_waiting_count=1)
            await take(client)
        clock.advance(timedelta(minutes=6))

        async def raised() -> bool:
            async with app.state.db.sessionmaker() as session:
                return len((await session.scalars(select(HallAlert))).all()) == 1

        await eventually(raised)
        async with client_for(app, ANONYMOUS) as public:
            live = await public.get(f"/v1/halls/{HALL}/stats")
    assert live.json()["alert_open"] is True
