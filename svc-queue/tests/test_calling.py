"""Calling and serving through the API: reasons, recalls, no-show, service time, hold, transfer."""

from datetime import timedelta

from fastapi import FastAPI
from queue_factories import HALL, call, make_hall, resident_id, take

from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import Principal
from bianmin.kit.workdays import local_date
from bianmin.queue.domain.calling import expire_stale
from bianmin.testing.client import client_for


async def test_call_next_explains_its_pick(app: FastAPI, clock: FixedClock, db_backend: str) -> None:
    async with client_for(app) as client:
        hall = await make_hall(client)
        counter = hall["counters"][1]
        plain = await take(client)
        clock.advance(timedelta(minutes=2))
        elderly = await take(client, id_number=resident_id("19480302"))
        clock.advance(timedelta(minutes=1))
        first = await call(client, counter)
    assert first["ticket"]["id"] == elderly["id"]
    assert first["reason"] == "priority_elderly"
    assert first["score"]["priorities"] == ["elderly"]
    assert first["score"]["wait_seconds"] == 60
    assert first["announcement"] == "请A002号到1号窗口办理"
    assert first["call_seq"] == 1
    assert plain["id"] != elderly["id"]


async def test_an_empty_queue_answers_with_no_ticket(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        hall = await make_hall(client)
        answer = await call(client, hall["counters"][1])
    assert answer["ticket"] is None
    assert answer["reason"] == "no_waiting_ticket"


async def test_a_counter_finishes_its_ticket_before_calling_again(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        hall = await make_hall(client)
        counter = hall["counters"][1]
        await take(client)
        await take(client)
        await call(client, counter)
        busy = await client.post(f"/v1/counters/{counter}/call-next")
        await client.patch(f"/v1/counters/{counter}", json={"state": "paused"})
        paused = await client.post(f"/v1/counters/{counter}/call-next")
        missing = await client.post("/v1/counters/999/call-next")
    assert busy.status_code == 409
    assert busy.json()["code"] == "counter_busy"
    assert paused.json()["code"] == "counter_not_open"
    assert missing.status_code == 404


async def test_start_and_complete_record_the_service_time(app: FastAPI, clock: FixedClock, db_backend: str) -> None:
    async with client_for(app) as client:
        hall = await make_hall(client)
        ticket = await take(client)
        clock.advance(timedelta(minutes=4))
        await call(client, hall["counters"][1])
        early = await client.post(f"/v1/tickets/{ticket['id']}/complete")
        await client.post(f"/v1/tickets/{ticket['id']}/start")
        clock.advance(timedelta(minutes=7))
        done = await client.post(f"/v1/tickets/{ticket['id']}/complete")
        again = await client.post(f"/v1/tickets/{ticket['id']}/start")
    assert early.status_code == 409
    assert early.json()["code"] == "transition_forbidden"
    assert done.json()["state"] == "done"
    assert done.json()["service_seconds"] == 420
    assert again.status_code == 409


async def test_recalls_then_no_show(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        hall = await make_hall(client)
        ticket = await take(client)
        await call(client, hall["counters"][1])
        too_soon = await client.post(f"/v1/tickets/{ticket['id']}/no-show")
        first = await client.post(f"/v1/tickets/{ticket['id']}/recall")
        second = await client.post(f"/v1/tickets/{ticket['id']}/recall")
        third = await client.post(f"/v1/tickets/{ticket['id']}/recall")
        gone = await client.post(f"/v1/tickets/{ticket['id']}/no-show")
        board = await client.get(f"/v1/halls/{HALL}/board")
    assert too_soon.json()["code"] == "recalls_remaining"
    assert first.json()["call_seq"] == 2
    assert second.json()["ticket"]["recall_count"] == 2
    assert third.status_code == 409
    assert third.json()["code"] == "recalls_exhausted"
    assert gone.json()["state"] == "no_show"
    assert [c["kind"] for c in board.json()["last_calls"]] == ["recall", "recall", "call"]
    assert board.json()["counters"][0]["current"] is None


async def test_hold_and_resume_return_to_the_same_counter(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        hall = await make_hall(client, counters={1: [("A", 1)], 2: [("A", 1)]})
        ticket = await take(client)
        await call(client, hall["counters"][1])
        held = await client.post(f"/v1/tickets/{ticket['id']}/hold")
        await take(client)
        resumed = await client.post(f"/v1/tickets/{ticket['id']}/resume")
        elsewhere = await call(client, hall["counters"][2])
        back = await call(client, hall["counters"][1])
    assert held.json()["state"] == "held"
    assert resumed.json()["state"] == "waiting"
    assert elsewhere["ticket"]["number"] == "A002"
    assert back["ticket"]["id"] == ticket["id"]
    assert back["reason"] == "transfer"


async def test_transfer_with_return(app: FastAPI, clock: FixedClock, db_backend: str) -> None:
    async with client_for(app) as client:
        hall = await make_hall(client, counters={1: [("A", 1)], 2: [("B", 1)]})
        first, second = hall["counters"][1], hall["counters"][2]
        ticket = await take(client, "A")
        await call(client, first)
        await client.post(f"/v1/tickets/{ticket['id']}/start")
        clock.advance(timedelta(minutes=3))
        moved = await client.post(f"/v1/tickets/{ticket['id']}/transfer", json={"line": "B", "return_after": True})
        at_b = await call(client, second)
        await client.post(f"/v1/tickets/{ticket['id']}/start")
        clock.advance(timedelta(minutes=2))
        returned = await client.post(f"/v1/tickets/{ticket['id']}/complete")
        again_at_a = await call(client, first)
        await client.post(f"/v1/tickets/{ticket['id']}/start")
        clock.advance(timedelta(minutes=1))
        done = await client.post(f"/v1/tickets/{ticket['id']}/complete")
    assert moved.json()["line"] == "B"
    assert moved.json()["state"] == "waiting"
    assert at_b["ticket"]["id"] == ticket["id"]
    assert returned.json()["state"] == "waiting"
    assert returned.json()["line"] == "A"
    assert again_at_a["ticket"]["id"] == ticket["id"]
    assert done.json()["state"] == "done"
    assert done.json()["service_seconds"] == 360
    assert done.json()["transfer_count"] == 1


async def test_transfer_refuses_what_cannot_be(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        hall = await make_hall(client, counters={1: [("A", 1)], 2: [("B", 1)]})
        ticket = await take(client, "A")
        waiting = await client.post(f"/v1/tickets/{ticket['id']}/transfer", json={"line": "B"})
        await call(client, hall["counters"][1])
        nowhere = await client.post(f"/v1/tickets/{ticket['id']}/transfer", json={})
        wrong_counter = await client.post(f"/v1/tickets/{ticket['id']}/transfer",
                                          json={"counter_id": hall["counters"][2]})
        no_counter = await client.post(f"/v1/tickets/{ticket['id']}/transfer", json={"counter_id": 999})
        to_counter = await client.post(f"/v1/tickets/{ticket['id']}/transfer",
                                       json={"line": "B", "counter_id": hall["counters"][2]})
    assert waiting.status_code == 409
    assert nowhere.status_code == 422
    assert wrong_counter.status_code == 422
    assert wrong_counter.json()["errors"][0]["field"] == "counter_id"
    assert no_counter.status_code == 422
    assert to_counter.json()["target_counter_id"] == hall["counters"][2]


async def test_a_township_clerk_cannot_call_at_another_hall(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        hall = await make_hall(client)
        await take(client)
    clerk = Principal(key_id="k-x", tenant="330199002", scopes=frozenset({"queue:serve"}))
    reader = Principal(key_id="k-r", tenant="*", scopes=frozenset({"queue:read"}))
    async with client_for(app, clerk) as client:
        refused = await client.post(f"/v1/counters/{hall['counters'][1]}/call-next")
    async with client_for(app, reader) as client:
        no_scope = await client.post(f"/v1/counters/{hall['counters'][1]}/call-next")
    assert refused.status_code == 403
    assert no_scope.status_code == 403
    assert no_scope.json()["code"] == "scope_missing"


async def test_a_clerk_opens_a_counter_but_only_a_manager_changes_its_lines(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        hall = await make_hall(client)
    clerk = Principal(key_id="k-c", tenant=HALL, scopes=frozenset({"queue:serve"}))
    async with client_for(app, clerk) as client:
        opened = await client.patch(f"/v1/counters/{hall['counters'][1]}", json={"state": "open", "staff_name": "孙悦"})
        relined = await client.patch(f"/v1/counters/{hall['counters'][1]}", json={"lines": [{"line": "A"}]})
    assert opened.json()["staff_name"] == "孙悦"
    assert relined.status_code == 403


async def test_a_ticket_held_for_a_counter_that_closed_goes_to_any_counter(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        hall = await make_hall(client, counters={1: [("A", 1)], 2: [("A", 1)]})
        ticket = await take(client)
        await call(client, hall["counters"][1])
        await client.post(f"/v1/tickets/{ticket['id']}/hold")
        await client.post(f"/v1/tickets/{ticket['id']}/resume")
        await client.patch(f"/v1/counters/{hall['counters'][1]}", json={"state": "closed"})
        picked = await call(client, hall["counters"][2])
    assert picked["ticket"]["id"] == ticket["id"]


async def test_tickets_left_open_at_day_end_expire(app: FastAPI, clock: FixedClock, db_backend: str) -> None:
    async with client_for(app) as client:
        hall = await make_hall(client)
        await take(client)
        await take(client)
        await call(client, hall["counters"][1])
        clock.advance(timedelta(days=1))
        async with app.state.db.sessionmaker() as session:
            expired = await expire_stale(session, local_date(clock.now()))
            await session.commit()
        fresh = await take(client)
        picked = await call(client, hall["counters"][1])
        listed = await client.get("/v1/tickets", params={"hall": HALL, "state": "expired"})
    assert expired == 2
    assert picked["ticket"]["id"] == fresh["id"]
    assert len(listed.json()["items"]) == 2
