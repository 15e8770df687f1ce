"""Appointments: slot plans on working days, horizon, per-person limit, cancel, check-in window, late arrival."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from queue_factories import HALL, call, fabricated_notice, make_hall, resident_id, take

from bianmin.kit.calendar import set_override, store_year
from bianmin.kit.clock import FixedClock
from bianmin.queue.models import Slot
from bianmin.testing.client import client_for

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)

PERSON = resident_id("19850615")


async def plan(client: httpx.AsyncClient, start: str, end: str, times: list[list[str]], capacity: int = 3) -> dict[str, Any]:
    response = await client.post(f"/v1/halls/{HALL}/slots", json={
        "line": "A", "from_date": start, "to_date": end, "times": times, "capacity": capacity})
    assert response.status_code == 201, response.text
    return response.json()


async def book(client: httpx.AsyncClient, slot: int, person: str = PERSON) -> httpx.Response:
    return await client.post("/v1/appointments", json={"slot_id": slot, "name": "赵敏", "id_number": person,
                                                       "phone": "13800138000"})


async def test_slots_are_planned_on_working_days_only(app: FastAPI, db_backend: str) -> None:
    async with app.state.db.sessionmaker() as session:
        await set_override(session, date(2026, 12, 3), False, "停电检修", now=NOW)
        await session.commit()
    async with client_for(app) as client:
        await make_hall(client)
        made = await plan(client, "2026-12-01", "2026-12-07", [["09:00", "09:30"], ["14:00", "14:30"]])
        again = await plan(client, "2026-12-01", "2026-12-07", [["09:00", "09:30"]])
        backwards = await client.post(f"/v1/halls/{HALL}/slots", json={
            "line": "A", "from_date": "2026-12-07", "to_date": "2026-12-01", "times": [["09:00", "09:30"]], "capacity": 1})
        inverted = await client.post(f"/v1/halls/{HALL}/slots", json={
            "line": "A", "from_date": "2026-12-01", "to_date": "2026-12-01", "times": [["10:00", "09:30"]], "capacity": 1})
        listed = await client.get(f"/v1/halls/{HALL}/slots", params={"date": "2026-12-02", "line": "A"})
        past = await client.post(f"/v1/halls/{HALL}/slots", json={
            "line": "A", "from_date": "2026-11-30", "to_date": "2026-12-01", "times": [["09:00", "09:30"]], "capacity": 1})
    days = sorted({s["day"] for s in made["slots"]})
    assert days == ["2026-12-01", "2026-12-02", "2026-12-04", "2026-12-07"]
    assert made["created"] == 8
    assert again["created"] == 0
    assert backwards.status_code == 422
    assert backwards.json()["errors"][0]["field"] == "to_date"
    assert inverted.status_code == 422
    assert past.json()["errors"][0]["field"] == "from_date"
    assert [s["start_at"] for s in listed.json()] == ["2026-12-02T01:00:00Z", "2026-12-02T06:00:00Z"]


async def test_booking_rules(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        await make_hall(client)
        slots = (await plan(client, "2026-12-02", "2026-12-02", [["09:00", "09:30"], ["10:00", "10:30"],
                                                                 ["11:00", "11:30"]]))["slots"]
        far = (await plan(client, "2026-12-28", "2026-12-28", [["09:00", "09:30"]]))["slots"][0]
        first = await book(client, slots[0]["id"])
        second = await book(client, slots[1]["id"])
        third = await book(client, slots[2]["id"])
        beyond = await book(client, far["id"], resident_id("19700101"))
        bad_id = await book(client, slots[2]["id"], "330199198506151234")
        missing = await book(client, 99999, resident_id("19700101"))
        async with app.state.db.sessionmaker() as session:
            await set_override(session, date(2026, 12, 2), False, "临时闭厅", now=NOW)
            await session.commit()
        closed = await book(client, slots[2]["id"], resident_id("19700101"))
        read = await client.get(f"/v1/appointments/{first.json()['code']}")
        day_list = await client.get("/v1/appointments", params={"hall": HALL, "date": "2026-12-02", "limit": 1})
        rest = await client.get("/v1/appointments", params={"hall": HALL, "date": "2026-12-02",
                                                             "cursor": day_list.json()["next_cursor"]})
    assert first.status_code == 201
    assert first.json()["name"] == "赵*"
    assert first.json()["id_number"] == PERSON[:6] + "********" + PERSON[-4:]
    assert second.status_code == 201
    assert third.json()["code"] == "daily_limit_reached"
    assert beyond.json()["code"] == "beyond_horizon"
    assert bad_id.status_code == 422
    assert bad_id.json()["errors"][0]["field"] == "id_number"
    assert missing.status_code == 404
    assert closed.json()["code"] == "hall_closed"
    assert read.json()["state"] == "booked"
    assert [a["code"] for a in day_list.json()["items"] + rest.json()["items"]] == [first.json()["code"],
                                                                                   second.json()["code"]]
    assert day_list.json()["items"][0]["name"] == "赵*"


async def test_cancel_before_the_slot_gives_the_place_back(app: FastAPI, clock: FixedClock, db_backend: str) -> None:
    async with client_for(app) as client:
        await make_hall(client)
        slot = (await plan(client, "2026-12-01", "2026-12-01", [["10:00", "10:30"]], capacity=1))["slots"][0]
        code = (await book(client, slot["id"])).json()["code"]
        cancelled = await client.post(f"/v1/appointments/{code}/cancel")
        twice = await client.post(f"/v1/appointments/{code}/cancel")
        rebooked = await book(client, slot["id"], resident_id("19700101"))
        clock.advance(timedelta(hours=1, minutes=5))
        late_cancel = await client.post(f"/v1/appointments/{rebooked.json()['code']}/cancel")
        unknown = await client.post("/v1/appointments/NOPE0000/cancel")
    assert cancelled.json()["state"] == "cancelled"
    assert twice.status_code == 409
    assert rebooked.status_code == 201
    assert late_cancel.json()["code"] == "slot_started"
    assert unknown.status_code == 404


async def test_check_in_gives_appointment_priority_within_the_window(app: FastAPI, clock: FixedClock,
                                                                    db_backend: str) -> None:
    async with client_for(app) as client:
        hall = await make_hall(client)
        slot = (await plan(client, "2026-12-01", "2026-12-01", [["10:00", "10:30"]]))["slots"][0]
        code = (await book(client, slot["id"])).json()["code"]
        late_code = (await book(client, slot["id"], resident_id("19700101"))).json()["code"]
        too_early = await client.post(f"/v1/appointments/{code}/check-in", json={"id_number": PERSON})
        clock.advance(timedelta(minutes=35))
        walk_in = await take(client)
        clock.advance(timedelta(minutes=5))
        wrong = await client.post(f"/v1/appointments/{code}/check-in", json={"id_number": resident_id("19700101")})
        ticket = await client.post(f"/v1/appointments/{code}/check-in", json={"id_number": PERSON})
        clock.advance(timedelta(minutes=16))
        picked = await call(client, hall["counters"][1])
        clock.advance(timedelta(minutes=20))
        late = await client.post(f"/v1/appointments/{late_code}/check-in", json={"id_number": resident_id("19700101")})
        again = await client.post(f"/v1/appointments/{code}/check-in", json={"id_number": PERSON})
    assert too_early.json()["code"] == "checkin_too_early"
    assert wrong.status_code == 422
    assert ticket.status_code == 201
    assert ticket.json()["kind"] == "appointment"
    assert ticket.json()["due_at"] == "2026-12-01T02:00:00Z"
    assert picked["ticket"]["id"] == ticket.json()["id"]
    assert picked["reason"] == "appointment_due"
    assert walk_in["kind"] == "walk_in"
    assert late.json()["kind"] == "walk_in"
    assert late.json()["late_arrival"] is True
    assert again.json()["code"] == "transition_forbidden"


async def test_identifiers_are_normalised_before_they_are_checked(app: FastAPI, clock: FixedClock, db_backend: str) -> None:
    # The kit's one rule for identifiers (blanks dropped, letters upper-cased, then checked): a lowercase
    # check character or blanks around an ID number or a hall code name the same person and hall. The
    # queue's own validators refused these before the request bodies moved to the kit's types.
    canonical = resident_id("19850615", "100")
    assert canonical.endswith("X")
    async with client_for(app) as client:
        await make_hall(client)
        slot = (await plan(client, "2026-12-01", "2026-12-01", [["10:00", "10:30"]]))["slots"][0]
        booked = await book(client, slot["id"], f" {canonical.lower()} ")
        clock.advance(timedelta(minutes=35))
        checked_in = await client.post(f"/v1/appointments/{booked.json()['code']}/check-in", json={"id_number": canonical})
        walk_in = await client.post("/v1/tickets", json={"hall_code": f" {HALL} ", "line": "A", "id_number": canonical.lower()})
    assert booked.status_code == 201
    assert booked.json()["id_number"] == canonical[:6] + "********" + canonical[-4:]
    assert checked_in.status_code == 201
    assert walk_in.status_code == 201
    assert walk_in.json()["hall_code"] == HALL


async def test_no_slot_is_planned_listed_or_booked_on_a_day_of_a_year_without_a_notice(
        app: FastAPI, clock: FixedClock, db_backend: str) -> None:
    """The bundled notices end with 2026: 2027 is unknown until a notice is loaded. Here a fabricated 2027
    notice (holidays and a make-up day made up for this test, not the State Council's) is loaded halfway."""
    clock.advance(timedelta(days=27))  # Monday 28 December 2026, 09:00
    async with client_for(app) as client:
        await make_hall(client)
        line = (await client.get(f"/v1/halls/{HALL}/lines")).json()[0]["id"]
        async with app.state.db.sessionmaker() as session:
            # A slot on 2027-01-05 as the queue planned them before it knew better (weekends only).
            planned_blind = Slot(hall_code=HALL, line_id=line, day=date(2027, 1, 5),
                                 start_at=datetime(2027, 1, 5, 1, 0, tzinfo=UTC),
                                 end_at=datetime(2027, 1, 5, 1, 30, tzinfo=UTC), capacity=3, booked=0)
            session.add(planned_blind)
            await session.flush()
            blind = planned_blind.id
            await session.commit()
        across = await plan(client, "2026-12-30", "2027-01-06", [["09:00", "09:30"]])
        unknown_only = await client.post(f"/v1/halls/{HALL}/slots", json={
            "line": "A", "from_date": "2027-01-01", "to_date": "2027-01-08", "times": [["09:00", "09:30"]],
            "capacity": 3})
        listed_unknown = await client.get(f"/v1/halls/{HALL}/slots", params={"date": "2027-01-05"})
        booked_unknown = await book(client, blind)
        async with app.state.db.sessionmaker() as session:
            await store_year(session, fabricated_notice(2027, ["2027-01-01", "2027-01-04", "2027-01-05"],
                                                        ["2027-01-09"]))
            await session.commit()
        known = await plan(client, "2027-01-01", "2027-01-11", [["09:00", "09:30"]])
        listed_holiday = await client.get(f"/v1/halls/{HALL}/slots", params={"date": "2027-01-05"})
        listed_known = await client.get(f"/v1/halls/{HALL}/slots", params={"date": "2027-01-06"})
        booked_holiday = await book(client, blind)
        booked_known = await book(client, listed_known.json()[0]["id"])
    assert sorted({s["day"] for s in across["slots"]}) == ["2026-12-30", "2026-12-31"]
    assert [d["day"] for d in across["skipped"]] == [f"2027-01-0{n}" for n in range(1, 7)]
    assert all("2027" in d["reason"] for d in across["skipped"])
    assert (unknown_only.status_code, unknown_only.json()["code"]) == (409, "calendar_year_unknown")
    assert "2027" in unknown_only.json()["detail"]
    assert listed_unknown.json() == []
    assert (booked_unknown.status_code, booked_unknown.json()["code"]) == (409, "calendar_year_unknown")
    assert sorted({s["day"] for s in known["slots"]}) == ["2027-01-06", "2027-01-07", "2027-01-08", "2027-01-09",
                                                          "2027-01-11"]
    assert known["skipped"] == []
    assert listed_holiday.json() == []
    assert (booked_holiday.status_code, booked_holiday.json()["code"]) == (409, "hall_closed")
    assert booked_known.status_code == 201
