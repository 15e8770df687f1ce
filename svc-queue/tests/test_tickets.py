"""Taking tickets: numbering, people ahead, estimates, caps, validation, tenancy, idempotency."""

from datetime import timedelta

from fastapi import FastAPI
from queue_factories import HALL, make_hall, register_site, resident_id, take

from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import ANONYMOUS, Principal
from bianmin.testing.client import client_for

TOWNSHIP = Principal(key_id="k-town", tenant=HALL, scopes=frozenset({"queue:write", "queue:serve", "queue:read"}))
OTHER_TOWNSHIP = Principal(key_id="k-other", tenant="330199002", scopes=frozenset({"queue:write", "queue:serve", "queue:read"}))


async def test_numbers_run_per_line_and_restart_each_day(app: FastAPI, clock: FixedClock, db_backend: str) -> None:
    async with client_for(app) as client:
        await make_hall(client)
        first = await take(client, "A")
        second = await take(client, "A")
        other = await take(client, "B")
        clock.advance(timedelta(days=1))
        next_day = await take(client, "A")
    assert (first["number"], second["number"], other["number"], next_day["number"]) == ("A001", "A002", "B001", "A001")
    assert second["people_ahead"] == 1
    assert first["people_ahead"] == 0
    assert second["state"] == "waiting"
    assert second["hall_code"] == HALL


async def test_the_estimate_uses_open_counters_and_the_default_service_time(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        await make_hall(client, counters={1: [("A", 1)], 2: [("A", 1)]})
        for _ in range(4):
            await take(client)
        fifth = await take(client)
    assert fifth["people_ahead"] == 4
    assert fifth["estimated_wait_minutes"] == 16  # 4 ahead x 8 minutes / 2 open counters


async def test_the_elderly_priority_comes_from_the_id_number(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        await make_hall(client)
        old = await take(client, name="张三丰", id_number=resident_id("19500101"))
        young = await take(client, id_number=resident_id("19900101"), disabled=True)
    assert old["priorities"] == ["elderly"]
    assert young["priorities"] == ["disabled"]
    assert old["name"] == "张**"
    assert old["id_number"].startswith("330199")
    assert "*" in old["id_number"]


async def test_the_daily_cap_refuses_walk_ins_beyond_it(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        await make_hall(client, daily_cap=2)
        await take(client)
        await take(client)
        refused = await client.post("/v1/tickets", json={"hall_code": HALL, "line": "A"})
    assert refused.status_code == 409
    assert refused.json()["code"] == "line_full"


async def test_bad_input_is_refused_with_the_field_named(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        await make_hall(client)
        bad_id = await client.post("/v1/tickets", json={"hall_code": HALL, "line": "A", "id_number": "330199199001011234"})
        bad_hall = await client.post("/v1/tickets", json={"hall_code": "123", "line": "A"})
        no_line = await client.post("/v1/tickets", json={"hall_code": HALL, "line": "Z"})
        bad_phone = await client.post("/v1/tickets", json={"hall_code": HALL, "line": "A", "phone": "12"})
        bad_prefix = await client.post("/v1/tickets", json={"hall_code": HALL, "line": "a"})
        unknown_hall = await client.post("/v1/tickets", json={"hall_code": "330199005", "line": "A"})
        extra = await client.post("/v1/tickets", json={"hall_code": HALL, "line": "A", "vip": True})
    assert bad_id.status_code == 422
    assert bad_id.json()["errors"][0]["field"] == "id_number"
    assert bad_hall.status_code == 422
    assert bad_hall.json()["errors"][0]["field"] == "hall_code"
    assert no_line.status_code == 404
    assert no_line.json()["code"] == "line_not_found"
    assert bad_phone.status_code == 422
    assert bad_phone.json()["errors"][0]["field"] == "phone"
    assert bad_prefix.status_code == 422
    assert bad_prefix.json()["errors"][0]["field"] == "line"
    assert unknown_hall.status_code == 404
    assert extra.status_code == 422


async def test_a_township_key_serves_its_own_hall_only(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        await make_hall(client)
    async with client_for(app, TOWNSHIP) as client:
        mine = await client.post("/v1/tickets", json={"hall_code": HALL, "line": "A"})
    async with client_for(app, OTHER_TOWNSHIP) as client:
        theirs = await client.post("/v1/tickets", json={"hall_code": HALL, "line": "A"})
        peek = await client.get(f"/v1/tickets/{mine.json()['id']}")
        open_hall = await client.post("/v1/halls", json={"code": HALL, "name": "x"})
    async with client_for(app, ANONYMOUS) as client:
        anonymous = await client.post("/v1/tickets", json={"hall_code": HALL, "line": "A"})
        public = await client.get(f"/v1/halls/{HALL}/lines")
    assert mine.status_code == 201
    assert theirs.status_code == 403
    assert theirs.json()["code"] == "tenant_mismatch"
    assert peek.status_code == 403
    assert open_hall.status_code == 403
    assert anonymous.status_code == 401
    assert public.status_code == 200
    assert [line["prefix"] for line in public.json()] == ["A", "B"]


async def test_taking_a_ticket_is_idempotent(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        await make_hall(client)
        headers = {"Idempotency-Key": "kiosk-1-0001"}
        first = await client.post("/v1/tickets", json={"hall_code": HALL, "line": "A"}, headers=headers)
        again = await client.post("/v1/tickets", json={"hall_code": HALL, "line": "A"}, headers=headers)
        other = await client.post("/v1/tickets", json={"hall_code": HALL, "line": "B"}, headers=headers)
        listed = await client.get("/v1/tickets", params={"hall": HALL})
    assert first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert other.status_code == 422
    assert len(listed.json()["items"]) == 1


async def test_tickets_are_listed_newest_first_by_pages(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        await make_hall(client)
        for _ in range(3):
            await take(client)
        page = await client.get("/v1/tickets", params={"hall": HALL, "limit": 2})
        rest = await client.get("/v1/tickets", params={"hall": HALL, "limit": 2, "cursor": page.json()["next_cursor"]})
        bad = await client.get("/v1/tickets", params={"hall": HALL, "cursor": "!!"})
        one = await client.get(f"/v1/tickets/{page.json()['items'][0]['id']}")
    assert [t["number"] for t in page.json()["items"]] == ["A003", "A002"]
    assert [t["number"] for t in rest.json()["items"]] == ["A001"]
    assert rest.json()["next_cursor"] is None
    assert bad.status_code == 422
    assert one.json()["people_ahead"] == 2


async def test_halls_lines_and_counters_are_validated(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        bad_code = await client.post("/v1/halls", json={"code": "330199011", "name": "x"})
        await register_site(app, "330199011", "新城街道便民服务中心", "township", "330199000", tenant="330199011")
        registered = await client.post("/v1/halls", json={"code": "330199011", "name": "x"})
        await make_hall(client)
        twice = await client.post("/v1/halls", json={"code": HALL, "name": "x"})
        line_twice = await client.post(f"/v1/halls/{HALL}/lines", json={"prefix": "A", "name": "x"})
        counter_bad_line = await client.post(f"/v1/halls/{HALL}/counters",
                                             json={"number": 7, "lines": [{"line": "Q", "weight": 1}]})
        counter_twice = await client.post(f"/v1/halls/{HALL}/counters",
                                          json={"number": 1, "lines": [{"line": "A", "weight": 1}]})
        bad_weight = await client.post(f"/v1/halls/{HALL}/counters",
                                       json={"number": 8, "lines": [{"line": "A", "weight": 11}]})
        counters = await client.get(f"/v1/halls/{HALL}/counters")
        paused = await client.patch(f"/v1/counters/{counters.json()[0]['id']}", json={"state": "paused"})
        renamed = await client.patch(f"/v1/halls/{HALL}/lines/A", json={"name": "不动产登记", "item_codes": ["X-1"]})
        hall = await client.patch(f"/v1/halls/{HALL}", json={"alert_wait_minutes": 20})
    assert bad_code.status_code == 422
    assert bad_code.json()["errors"][0]["field"] == "code"
    assert bad_code.json()["errors"][0]["reason"] == "no site 330199011 in the district's site registry"
    assert registered.status_code == 201
    assert twice.status_code == 409
    assert line_twice.status_code == 409
    assert counter_twice.status_code == 409
    assert counter_bad_line.status_code == 422
    assert counter_bad_line.json()["errors"][0]["field"] == "lines"
    assert bad_weight.status_code == 422
    assert paused.json()["state"] == "paused"
    assert renamed.json()["items"] == [{"code": "X-1", "name": None, "status": None, "known": False}]
    assert hall.json()["alert_wait_minutes"] == 20


async def test_ids_beyond_the_columns_and_nul_characters_are_refused_not_crashed(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        await make_hall(client)
        huge = await client.get("/v1/tickets/99999999999")
        huge_counter = await client.post("/v1/counters/99999999999/call-next")
        nul = await client.post("/v1/tickets", json={"hall_code": HALL, "line": "A", "name": "张\u0000三"})
        huge_slot = await client.post("/v1/appointments", json={"slot_id": 99999999999, "name": "x",
                                                                "id_number": resident_id("19900101")})
        forged_cursor = await client.get("/v1/tickets", params={"hall": HALL, "cursor": "Wzk5OTk5OTk5OTk5OTk5XQ"})
    assert huge.status_code == 422
    assert huge_counter.status_code == 422
    assert nul.status_code == 422
    assert nul.json()["errors"][0]["field"] == "name"
    assert huge_slot.status_code == 422
    assert forged_cursor.status_code == 422


async def test_a_ticket_for_an_item_must_be_on_a_line_that_serves_it(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        await make_hall(client)
        await client.patch(f"/v1/halls/{HALL}/lines/A", json={"item_codes": ["330199-001", "330199-002"]})
        served = await client.post("/v1/tickets", json={"hall_code": HALL, "line": "A", "item_code": "330199-002"})
        elsewhere = await client.post("/v1/tickets", json={"hall_code": HALL, "line": "A", "item_code": "330199-009"})
        inactive = await client.patch(f"/v1/halls/{HALL}/lines/B", json={"active": False})
        closed = await client.post("/v1/tickets", json={"hall_code": HALL, "line": "B"})
    assert served.json()["item_code"] == "330199-002"
    assert elsewhere.status_code == 422
    assert elsewhere.json()["errors"][0]["field"] == "item_code"
    assert inactive.json()["active"] is False
    assert closed.json()["code"] == "line_inactive"
