"""``GET /v1/stats`` and the cockpit overview."""

from datetime import timedelta

from consult_testdata import ADMIN, ask, at, seed_departments, staff
from fastapi import FastAPI

from bianmin.consult.domain.deadlines import Policy
from bianmin.consult.domain.escalation import run_escalations
from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import ANONYMOUS, Principal
from bianmin.kit.testing.client import client_for

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
