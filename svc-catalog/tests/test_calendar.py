"""The district calendar: sources of each day, operators' overrides and their events."""

from datetime import date

from catalog_factories import TOWNSHIP
from fastapi import FastAPI

from bianmin.catalog.domain.calendar import day_of
from bianmin.kit.calendar import bundled_calendar
from bianmin.kit.identity import ANONYMOUS
from bianmin.testing.client import client_for


def test_each_day_says_where_its_answer_comes_from() -> None:
    assert day_of(None, date(2025, 10, 1)).source == "statutory"
    assert day_of(None, date(2025, 10, 1)).workday is False
    assert day_of(None, date(2025, 9, 28)).workday is True  # Sunday made a working day (调休)
    assert day_of(None, date(2099, 3, 2)).source == "weekend"
    assert day_of((False, "区庆"), date(2025, 9, 29)).source == "override"


def test_working_days_count_the_submission_day_as_day_zero_and_skip_holidays() -> None:
    calendar = bundled_calendar()
    # Submitted on Tue 30 Sep 2025; 1-8 Oct are off, Sat 11 Oct is a make-up working day.
    assert calendar.add_workdays(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert calendar.add_workdays(date(2025, 9, 30), 3) == date(2025, 10, 11)
    assert bundled_calendar({date(2025, 10, 9): False}).add_workdays(date(2025, 9, 30), 1) == date(2025, 10, 10)


async def test_an_operator_overrides_a_day_and_clears_it(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as admin:
        set_off = await admin.put("/v1/calendar/2025-09-29", json={"workday": False, "note": "区庆调休"})
    async with client_for(app, ANONYMOUS) as public:
        days = (await public.get("/v1/calendar", params={"from": "2025-09-28", "to": "2025-10-01"})).json()
        refused = await public.put("/v1/calendar/2025-09-29", json={"workday": True})
        reversed_range = await public.get("/v1/calendar", params={"from": "2025-10-01", "to": "2025-09-01"})
        too_long = await public.get("/v1/calendar", params={"from": "2025-01-01", "to": "2026-06-01"})
        bad_date = await public.get("/v1/calendar", params={"from": "2025-02-30"})
    async with client_for(app, TOWNSHIP) as township:
        not_district = await township.put("/v1/calendar/2025-09-29", json={"workday": True})
    async with client_for(app) as admin:
        cleared = await admin.delete("/v1/calendar/2025-09-29")
        again = await admin.delete("/v1/calendar/2025-09-29")
        bad_body = await admin.put("/v1/calendar/2025-09-29", json={"workday": "maybe"})
        after = (await admin.get("/v1/calendar", params={"from": "2025-09-29", "to": "2025-09-29"})).json()
    assert set_off.status_code == 200
    assert set_off.json()["source"] == "override"
    assert [(d["day"], d["workday"], d["source"]) for d in days] == [
        ("2025-09-28", True, "statutory"), ("2025-09-29", False, "override"),
        ("2025-09-30", True, "statutory"), ("2025-10-01", False, "statutory")]
    assert refused.status_code == 401
    assert reversed_range.status_code == 422
    assert reversed_range.json()["errors"][0]["field"] == "to"
    assert too_long.status_code == 422
    assert bad_date.status_code == 422
    assert not_district.status_code == 403
    assert cleared.status_code == 204
    assert again.status_code == 404
    assert bad_body.status_code == 422
    assert bad_body.json()["errors"][0]["field"] == "workday"
    assert after[0]["source"] == "statutory"
    assert after[0]["workday"] is True
