"""``GET /v1/stats`` and the cockpit overview."""

from datetime import time, timedelta

from consult_factories import ADMIN, ask, at, seed_departments, staff
from fastapi import FastAPI

from bianmin.consult.app import create_app
from bianmin.consult.domain.deadlines import Policy
from bianmin.consult.domain.escalation import run_escalations
from bianmin.consult.settings import ConsultSettings
from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import ANONYMOUS, Principal
from bianmin.testing.client import client_for, running

COCKPIT = Principal(key_id="key-cockpit", tenant="*", scopes=frozenset({"cockpit:read"}))


async def test_stats_count_answers_on_time_response_hours_escalations_ratings_and_topics(
        app: FastAPI, clock: FixedClock) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        await admin.post("/v1/routing-rules", json={"keyword": "社保", "department_code": "RSJ"})
        first = await ask(public, department_code="SCJ")
        second = await ask(public, department_code="SCJ")
        await ask(public, title="社保转移", body="社保怎么转到便民区？")
        clock.advance(timedelta(hours=2))  # 12:00 on Monday 28 Sep: two working hours later
        await admin.post(f"/v1/consultations/{first['id']}/answer", json={"answer": "已答复"})
        await public.post(f"/v1/consultations/track/{first['access_code']}/rating", json={"level": "very_satisfied"})
        clock.at = at("2026-10-09 10:00")
        await admin.post(f"/v1/consultations/{second['id']}/answer", json={"answer": "迟到的答复"})
    async with app.state.db.sessionmaker() as session:
        await run_escalations(session, now=at("2026-10-09 10:00"), policy=Policy())
        await session.commit()
    async with client_for(app, COCKPIT) as cockpit:
        all_ = (await cockpit.get("/v1/stats", params={"from": "2026-09-28", "to": "2026-09-28"})).json()
        rsj = (await cockpit.get("/v1/stats", params={"department": "RSJ"})).json()
        overview = (await cockpit.get("/v1/stats/overview")).json()
        backwards = await cockpit.get("/v1/stats", params={"from": "2026-10-01", "to": "2026-09-01"})
    assert all_["received"] == 3
    assert all_["answered"] == 2
    assert all_["on_time_rate"] == "0.5000"
    assert all_["first_response_hours_p50"] == "2.00"
    # The late one was answered before the ladder ran on 9 Oct; the unanswered 社保 question was urged,
    # which falls outside the day of 28 Sep but inside RSJ's unbounded period.
    assert all_["escalations"]["urge"] == 0
    assert rsj["escalations"]["urge"] == 1
    assert all_["satisfaction_rate"] == "1.0000"
    assert all_["top_unanswered_topics"] == [{"topic": "社保", "count": 1}]
    assert rsj["received"] == 1
    assert {f["name"] for f in overview["figures"]} >= {"consultations_received", "on_time_rate", "escalations"}
    assert backwards.status_code == 422


async def test_department_staff_see_only_their_figures(app: FastAPI) -> None:
    async with client_for(app, staff("SCJ")) as scj:
        own = await scj.get("/v1/stats")
        other = await scj.get("/v1/stats", params={"department": "RSJ"})
    async with client_for(app, Principal(key_id="k", tenant="*", scopes=frozenset({"queue:write"}))) as stranger:
        refused = await stranger.get("/v1/stats")
    assert own.json()["departments"] == ["SCJ"]
    assert other.status_code == 403
    assert refused.status_code == 403


async def test_a_day_out_of_range_is_a_422_not_a_500(app: FastAPI) -> None:
    # Found by schemathesis through the gateway: from=0001-01-01 overflowed the period's bounds.
    async with client_for(app, ADMIN) as admin:
        response = await admin.get("/v1/stats", params={"from": "0001-01-01"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "from"


async def test_the_cockpit_counts_first_response_in_the_configured_working_hours(
        settings: ConsultSettings, clock: FixedClock) -> None:
    short_days = settings.model_copy(update={"work_start": time(8, 0), "work_end": time(12, 0)})
    application = create_app(short_days, clock=clock)
    async with running(application):
        async with client_for(application, ADMIN) as admin, client_for(application, ANONYMOUS) as public:
            await seed_departments(admin)
            question = await ask(public, department_code="SCJ")  # Monday 28 Sep 10:00
            clock.at = at("2026-09-29 09:00")  # two hours on Monday (10–12), one on Tuesday (8–9)
            await admin.post(f"/v1/consultations/{question['id']}/answer", json={"answer": "已答复"})
        async with client_for(application, COCKPIT) as cockpit:
            overview = (await cockpit.get("/v1/stats/overview")).json()
            figures = (await cockpit.get("/v1/stats")).json()
    by_name = {f["name"]: f for f in overview["figures"]}
    # With the default 09:00–17:00 it would be seven hours on Monday and none on Tuesday.
    assert by_name["first_response_hours_p50"]["value"] == "3.00"
    assert by_name["first_response_hours_p90"]["value"] == "3.00"
    assert "08:00–12:00" in by_name["first_response_hours_p50"]["definition"]
    assert figures["first_response_hours_p50"] == "3.00"
    assert by_name["unanswered"]["value"] == 0


async def test_the_cockpit_lists_the_top_unanswered_topics(app: FastAPI) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        await admin.post("/v1/routing-rules", json={"keyword": "社保", "department_code": "RSJ"})
        await admin.post("/v1/routing-rules", json={"keyword": "营业执照", "department_code": "SCJ"})
        for _ in range(2):
            await ask(public, title="社保转移", body="社保怎么转到便民区？")
        await ask(public, title="营业执照", body="营业执照怎么办？")
        await ask(public, title="你好", body="请问一下")
    async with client_for(app, COCKPIT) as cockpit:
        overview = (await cockpit.get("/v1/stats/overview")).json()
    unanswered = next(f for f in overview["figures"] if f["name"] == "unanswered")
    assert unanswered["value"] == 4
    assert unanswered["breakdown"] == {"社保": 2, "营业执照": 1, "未分类": 1}


async def test_township_staff_see_the_figures_of_their_own_site_only(app: FastAPI) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        await ask(public, department_code="RSJ", site_code="330199003")
        await ask(public, department_code="RSJ", site_code="330199001")
        await ask(public, department_code="RSJ")
    async with app.state.db.sessionmaker() as session:
        await run_escalations(session, now=at("2026-10-09 10:00"), policy=Policy())
        await session.commit()
    async with client_for(app, staff("RSJ", tenant="330199003")) as township, \
            client_for(app, staff("RSJ")) as district:
        own = (await township.get("/v1/stats")).json()
        everywhere = (await district.get("/v1/stats")).json()
    assert own["received"] == 1
    assert own["escalations"]["urge"] == 1
    assert everywhere["received"] == 3
    assert everywhere["escalations"]["urge"] == 3
