"""The district calendar: each day's source, operators' overrides, a year's notice loaded whole, coverage in /readyz.

The notices loaded here are made up (2031 has no State Council notice; the days below are invented), so no
test depends on the real notice of any year.
"""

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

from catalog_factories import TOWNSHIP
from fastapi import FastAPI
from sqlalchemy import func, select

import bianmin.catalog
from bianmin.catalog.app import create_app
from bianmin.catalog.settings import CatalogSettings
from bianmin.contracts.envelope import CloudEvent
from bianmin.contracts.events.catalog import NoticeDay
from bianmin.kit.calendar import bundled_calendar, bundled_years, notice_digest
from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import ANONYMOUS
from bianmin.kit.tables import outbox_event
from bianmin.kit.workdays import SHANGHAI
from bianmin.testing.client import client_for, person, running

MADE_UP_YEAR = 2031
# A made-up notice for 2031 (Wed 1 Jan to Fri 3 Jan off, Sun 5 Jan worked): no such notice exists.
MADE_UP_NOTICE = {"notice": "国办发明电〔2030〕99号（测试用，虚构）", "days": [
    {"day": "2031-01-01", "workday": False, "name": "元旦"},
    {"day": "2031-01-02", "workday": False, "name": "元旦"},
    {"day": "2031-01-03", "workday": False, "name": "元旦"},
    {"day": "2031-01-05", "workday": True, "name": "元旦"},
]}
OPERATOR = person("operator", "operator")


async def year_loaded_events(app: FastAPI) -> list[dict[str, Any]]:
    """The ``catalog.calendar.year_loaded`` events in the outbox, oldest first (their payloads)."""
    async with app.state.db.sessionmaker() as session:
        bodies = (await session.execute(select(outbox_event.c.body).where(
            outbox_event.c.subject == "catalog.calendar.year_loaded").order_by(outbox_event.c.seq))).scalars().all()
    return [CloudEvent.model_validate_json(body).data for body in bodies]


async def outbox_size(app: FastAPI) -> int:
    """How many events the outbox holds."""
    async with app.state.db.sessionmaker() as session:
        return int((await session.execute(select(func.count()).select_from(outbox_event))).scalar_one())


def test_working_days_count_the_submission_day_as_day_zero_and_skip_holidays() -> None:
    calendar = bundled_calendar()
    # Submitted on Tue 30 Sep 2025; 1-8 Oct are off, Sat 11 Oct is a make-up working day.
    assert calendar.add_workdays(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert calendar.add_workdays(date(2025, 9, 30), 3) == date(2025, 10, 11)
    assert bundled_calendar({date(2025, 10, 9): False}).add_workdays(date(2025, 9, 30), 1) == date(2025, 10, 10)


async def test_each_day_says_where_its_answer_comes_from(app: FastAPI) -> None:
    async with client_for(app) as admin:
        await admin.put("/v1/calendar/2025-09-29", json={"workday": False, "note": "区庆"})
    async with client_for(app, ANONYMOUS) as public:
        known = (await public.get("/v1/calendar", params={"from": "2025-09-27", "to": "2025-10-01"})).json()
        unknown = (await public.get("/v1/calendar", params={"from": "2099-03-01", "to": "2099-03-02"})).json()
    notice = f"chinese-calendar {package_version('chinese_calendar')} (bundled)"
    assert [(d["day"], d["workday"], d["source"], d["name"], d["provisional"]) for d in known] == [
        ("2025-09-27", False, "notice", "", False),  # an ordinary Saturday of a known year
        ("2025-09-28", True, "notice", "National Day", False),  # a Sunday made a working day (调休)
        ("2025-09-29", False, "override", "", False),
        ("2025-09-30", True, "notice", "", False),
        ("2025-10-01", False, "notice", "National Day", False)]
    assert {d["notice"] for d in known if d["source"] == "notice"} == {notice}
    assert known[2]["note"] == "区庆"
    # 2099 has no notice: weekends guessed, and the answer says it may still move.
    assert [(d["day"], d["workday"], d["source"], d["provisional"], d["notice"]) for d in unknown] == [
        ("2099-03-01", False, "unknown", True, None), ("2099-03-02", True, "unknown", True, None)]


def test_the_catalog_no_longer_reads_the_calendar_package() -> None:
    sources = [p.read_text() for root in bianmin.catalog.__path__ for p in Path(root).rglob("*.py")]
    assert not [s for s in sources if "import chinese_calendar" in s or "from chinese_calendar" in s]


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
        ("2025-09-28", True, "notice"), ("2025-09-29", False, "override"),
        ("2025-09-30", True, "notice"), ("2025-10-01", False, "notice")]
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
    assert after[0]["source"] == "notice"
    assert after[0]["workday"] is True


async def test_an_operator_loads_a_years_notice_in_one_call(app: FastAPI) -> None:
    async with client_for(app, OPERATOR) as operator:
        loaded = await operator.put(f"/v1/calendar/years/{MADE_UP_YEAR}", json=MADE_UP_NOTICE)
        years = {y["year"]: y for y in (await operator.get("/v1/calendar/years")).json()}
    async with client_for(app, ANONYMOUS) as public:
        days = (await public.get("/v1/calendar", params={"from": "2030-12-31", "to": "2031-01-06"})).json()
    assert loaded.status_code == 201, loaded.text
    body = loaded.json()
    actor = f"operator:{OPERATOR.subject.id}"  # type: ignore[union-attr]
    assert (body["year"], body["version"], body["changed"], body["loaded_by"]) == (MADE_UP_YEAR, 1, True, actor)
    assert body["notice"] == MADE_UP_NOTICE["notice"]
    assert [d["day"] for d in body["days"]] == [d["day"] for d in MADE_UP_NOTICE["days"]]
    digest = notice_digest(MADE_UP_YEAR, [NoticeDay.model_validate(d) for d in MADE_UP_NOTICE["days"]])
    assert body["digest"] == digest
    assert (years[MADE_UP_YEAR]["version"], years[MADE_UP_YEAR]["digest"]) == (1, digest)
    assert (years[MADE_UP_YEAR]["holidays"], years[MADE_UP_YEAR]["makeup_days"]) == (3, 1)
    assert years[MADE_UP_YEAR]["loaded_by"] == actor
    assert [(d["day"], d["workday"], d["source"], d["provisional"]) for d in days] == [
        ("2030-12-31", True, "unknown", True),
        ("2031-01-01", False, "notice", False), ("2031-01-02", False, "notice", False),
        ("2031-01-03", False, "notice", False), ("2031-01-04", False, "notice", False),
        ("2031-01-05", True, "notice", False), ("2031-01-06", True, "notice", False)]
    assert days[1]["name"] == "元旦"
    assert days[1]["notice"] == MADE_UP_NOTICE["notice"]
    events = await year_loaded_events(app)
    assert [(e["year"], e["version"], e["digest"], e["loaded_by"]) for e in events] == [
        (MADE_UP_YEAR, 1, digest, actor)]
    assert [d["day"] for d in events[0]["days"]] == [d["day"] for d in MADE_UP_NOTICE["days"]]


async def test_each_load_is_a_version_kept_in_the_history_and_the_same_notice_again_changes_nothing(
        app: FastAPI) -> None:
    corrected = {"notice": "国办发明电〔2030〕100号（测试用，虚构）",
                 "days": [*MADE_UP_NOTICE["days"][:2], {"day": "2031-01-04", "workday": True, "name": "元旦"}]}
    async with client_for(app) as admin:
        first = await admin.put(f"/v1/calendar/years/{MADE_UP_YEAR}", json=MADE_UP_NOTICE)
        again = await admin.put(f"/v1/calendar/years/{MADE_UP_YEAR}", json=MADE_UP_NOTICE)
        stale = await admin.put(f"/v1/calendar/years/{MADE_UP_YEAR}", json={**corrected, "expected_version": 0})
        second = await admin.put(f"/v1/calendar/years/{MADE_UP_YEAR}", json={**corrected, "expected_version": 1})
        versions = await admin.get(f"/v1/calendar/years/{MADE_UP_YEAR}/versions")
        never = await admin.get("/v1/calendar/years/2032/versions")
        years = {y["year"]: y for y in (await admin.get("/v1/calendar/years")).json()}
        day = (await admin.get("/v1/calendar", params={"from": "2031-01-03", "to": "2031-01-04"})).json()
    assert (first.status_code, again.status_code, second.status_code) == (201, 200, 201)
    assert (again.json()["version"], again.json()["changed"]) == (1, False)
    assert stale.status_code == 409
    assert stale.json()["code"] == "calendar_version_conflict"
    assert (second.json()["version"], second.json()["changed"]) == (2, True)
    assert versions.status_code == 200
    history = versions.json()
    assert [(v["version"], v["notice"], len(v["days"])) for v in history] == [
        (1, MADE_UP_NOTICE["notice"], 4), (2, corrected["notice"], 3)]
    assert all(v["loaded_by"] == "key-admin" and v["digest"] for v in history)
    assert history[0]["digest"] != history[1]["digest"]
    assert never.status_code == 404
    assert years[MADE_UP_YEAR]["version"] == 2
    assert years[MADE_UP_YEAR]["digest"] == history[1]["digest"]
    assert [(d["day"], d["workday"]) for d in day] == [("2031-01-03", True), ("2031-01-04", True)]
    assert [e["version"] for e in await year_loaded_events(app)] == [1, 2]


async def test_two_loads_of_a_new_year_at_once_lose_nothing(app: FastAPI) -> None:
    other = {**MADE_UP_NOTICE, "notice": "国办发明电〔2030〕101号（测试用，虚构）"}
    async with client_for(app) as first, client_for(app) as second:
        answers = await asyncio.gather(first.put(f"/v1/calendar/years/{MADE_UP_YEAR}", json=MADE_UP_NOTICE),
                                       second.put(f"/v1/calendar/years/{MADE_UP_YEAR}", json=other))
        history = (await first.get(f"/v1/calendar/years/{MADE_UP_YEAR}/versions")).json()
        years = {y["year"]: y for y in (await first.get("/v1/calendar/years")).json()}
    loaded = sorted((a.json()["version"], a.json()["notice"]) for a in answers if a.status_code == 201)
    refused = [a for a in answers if a.status_code != 201]
    # Either one after the other (versions 1 and 2), or the one that lost the race is told to read again.
    assert all(a.status_code == 409 and a.json()["code"] == "calendar_version_conflict" for a in refused)
    assert [v for v, _ in loaded] == list(range(1, len(loaded) + 1))
    assert [(v["version"], v["notice"]) for v in history] == loaded
    assert years[MADE_UP_YEAR]["version"] == loaded[-1][0]
    assert [e["version"] for e in await year_loaded_events(app)] == [v for v, _ in loaded]


async def test_a_notice_that_cannot_be_right_is_refused_naming_the_day_and_nothing_is_loaded(app: FastAPI) -> None:
    days = MADE_UP_NOTICE["days"]
    bad = {
        "days.2.day": {**MADE_UP_NOTICE, "days": [*days[:2], {"day": "2031-01-01", "workday": False, "name": "元旦"}]},
        "days.0.day": {**MADE_UP_NOTICE, "days": [{"day": "2030-12-31", "workday": False, "name": "元旦"}, *days]},
        "days.4.day": {**MADE_UP_NOTICE, "days": [*days, {"day": "2031-01-06", "workday": True, "name": "元旦"}]},
        "notice": {**MADE_UP_NOTICE, "notice": "   "},
        "days": {**MADE_UP_NOTICE, "days": []},
    }
    async with client_for(app) as admin:
        before = (await admin.get("/v1/calendar/years")).json()
        outbox_before = await outbox_size(app)
        answers = {field: await admin.put(f"/v1/calendar/years/{MADE_UP_YEAR}", json=body) for field, body in bad.items()}
        far = await admin.put("/v1/calendar/years/1900", json={
            "notice": "x", "days": [{"day": "1900-01-01", "workday": False, "name": "元旦"}]})
        after = (await admin.get("/v1/calendar/years")).json()
        history = await admin.get(f"/v1/calendar/years/{MADE_UP_YEAR}/versions")
    for field, answer in answers.items():
        assert answer.status_code == 422, (field, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["errors"][0]["field"] == field, answer.text
    assert "listed twice" in answers["days.2.day"].json()["errors"][0]["reason"]
    assert "not in 2031" in answers["days.0.day"].json()["errors"][0]["reason"]
    assert "weekday" in answers["days.4.day"].json()["errors"][0]["reason"]
    assert far.status_code == 422
    assert far.json()["errors"][0]["field"] == "year"
    assert after == before
    assert history.status_code == 404
    assert await outbox_size(app) == outbox_before


async def test_only_the_districts_operators_load_a_year(app: FastAPI) -> None:
    async with client_for(app, TOWNSHIP) as township:
        township_put = await township.put(f"/v1/calendar/years/{MADE_UP_YEAR}", json=MADE_UP_NOTICE)
    async with client_for(app, person("staff", "item_editor")) as staff:
        staff_put = await staff.put(f"/v1/calendar/years/{MADE_UP_YEAR}", json=MADE_UP_NOTICE)
    async with client_for(app, ANONYMOUS) as public:
        anonymous_put = await public.put(f"/v1/calendar/years/{MADE_UP_YEAR}", json=MADE_UP_NOTICE)
        history = await public.get(f"/v1/calendar/years/{MADE_UP_YEAR}/versions")
    assert township_put.status_code == 403
    assert staff_put.status_code == 403
    assert anonymous_put.status_code == 401
    assert history.status_code == 404
    assert await year_loaded_events(app) == []


async def test_readiness_warns_sixty_days_before_the_known_years_end(settings: CatalogSettings) -> None:
    last = max(bundled_years())
    ends = datetime.combine(date(last, 12, 31), time(12), tzinfo=SHANGHAI)
    answers = {}
    for days_before in (50, 70):
        app = create_app(settings, clock=FixedClock((ends - timedelta(days=days_before)).astimezone(UTC)))
        async with running(app), client_for(app, None) as probe:
            answers[days_before] = (await probe.get("/readyz")).json()
    assert answers[50]["calendar"]["missing_year"] == last + 1
    assert str(last + 1) in answers[50]["calendar"]["warning"]
    assert answers[70]["calendar"]["warning"] is None
    assert answers[70]["calendar"]["missing_year"] is None
    assert answers[70]["calendar"]["last_year"] == last
