"""The deadline worker's jobs with a controllable clock: closing after the reopen window, the suggestion
box's ladder, and the ladder's restart after an approved extension."""

import asyncio
import json

from consult_factories import ADMIN, ask, at, instant, seed_departments, staff
from fastapi import FastAPI
from sqlalchemy import select

from bianmin.consult.domain.consultations import close_expired
from bianmin.consult.domain.deadlines import Policy
from bianmin.consult.domain.escalation import run_escalations, run_suggestion_escalations
from bianmin.consult.models import Consultation
from bianmin.consult.workers import deadline_pass
from bianmin.kit.calendar import load_calendar
from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import ANONYMOUS
from bianmin.kit.tables import outbox_event
from bianmin.testing.client import client_for

POLICY = Policy()
COMPLAINT = {"kind": "complaint", "department_code": "SCJ", "title": "窗口排队太久",
             "body": "周一上午在市场监管窗口等了两个小时。", "anonymous": False, "contact_name": "李四",
             "contact_phone": "13912345678"}


async def close_at(app: FastAPI, moment: str) -> list[str]:
    """One closing pass at a Shanghai wall-clock time, committed."""
    async with app.state.db.sessionmaker() as session:
        closed = await close_expired(session, now=at(moment), calendar=await load_calendar(session), policy=POLICY)
        await session.commit()
    return closed


async def box_ladder(app: FastAPI, moment: str) -> list[str]:
    """One pass of the suggestion box's ladder; the steps taken."""
    async with app.state.db.sessionmaker() as session:
        taken = await run_suggestion_escalations(session, now=at(moment), policy=POLICY)
        await session.commit()
    return [step for _, step in taken]


async def ladder(app: FastAPI, moment: str) -> list[str]:
    """One pass of the consultations' ladder; the steps taken."""
    async with app.state.db.sessionmaker() as session:
        taken = await run_escalations(session, now=at(moment), policy=POLICY)
        await session.commit()
    return [step for _, step in taken]


async def outbox(app: FastAPI, subject: str) -> list[dict]:
    """The payloads of the outbox events on ``subject``, oldest first."""
    async with app.state.db.sessionmaker() as session:
        rows = await session.execute(select(outbox_event.c.body).where(outbox_event.c.subject == subject)
                                     .order_by(outbox_event.c.seq))
        return [json.loads(body) for (body,) in rows]


async def answered_question(app: FastAPI, clock: FixedClock) -> dict:
    """A question asked and answered on Monday 28 Sep (reopen window: 5 working days, to Sat 10 Oct, 调休)."""
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        receipt = await ask(public, department_code="SCJ")
        clock.at = at("2026-09-28 12:00")
        answered = await admin.post(f"/v1/consultations/{receipt['id']}/answer", json={"answer": "请带身份证。"})
    assert answered.json()["status"] == "answered"
    return receipt


async def test_an_answered_question_closes_when_the_reopen_window_ends_on_a_make_up_saturday(
        app: FastAPI, clock: FixedClock) -> None:
    receipt = await answered_question(app, clock)
    async with client_for(app, ANONYMOUS) as public:
        window = (await public.get(f"/v1/consultations/track/{receipt['access_code']}")).json()["reopen_until"]
    assert instant(window) == at("2026-10-10 23:59:59")
    assert await close_at(app, "2026-10-08 09:00") == []
    assert await close_at(app, "2026-10-10 20:00") == []  # Saturday 10 Oct is a working day (调休)
    assert await close_at(app, "2026-10-11 00:30") == [receipt["number"]]
    assert await close_at(app, "2026-10-12 09:00") == []
    clock.at = at("2026-10-11 00:31")
    async with client_for(app, ANONYMOUS) as public:
        view = (await public.get(f"/v1/consultations/track/{receipt['access_code']}")).json()
        late = await public.post(f"/v1/consultations/track/{receipt['access_code']}/reopen",
                                 json={"reason": "还有问题"})
        rated = await public.post(f"/v1/consultations/track/{receipt['access_code']}/rating",
                                  json={"level": "satisfied"})
    async with client_for(app, ADMIN) as admin:
        detail = (await admin.get(f"/v1/consultations/{receipt['id']}")).json()
    assert view["status"] == "closed"
    assert view["reopen_until"] is None or instant(view["reopen_until"]) == at("2026-10-10 23:59:59")
    assert instant(detail["closed_at"]) == at("2026-10-10 23:59:59")
    assert late.status_code == 409
    assert late.json()["code"] == "reopen_window_closed"
    assert rated.status_code == 200  # a closed answer may still be rated once


async def test_several_replicas_close_a_question_once_and_leave_rated_and_reopened_ones_alone(
        app: FastAPI, clock: FixedClock) -> None:
    expired = await answered_question(app, clock)
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        rated = await ask(public, department_code="SCJ")
        reopened = await ask(public, department_code="SCJ")
        for receipt in (rated, reopened):
            await admin.post(f"/v1/consultations/{receipt['id']}/answer", json={"answer": "已答复。"})
        await public.post(f"/v1/consultations/track/{rated['access_code']}/rating", json={"level": "satisfied"})
        await public.post(f"/v1/consultations/track/{reopened['access_code']}/reopen", json={"reason": "没看懂"})
    results = await asyncio.gather(*(close_at(app, "2026-10-12 09:00") for _ in range(4)))
    assert sorted(n for r in results for n in r) == [expired["number"]]
    async with app.state.db.sessionmaker() as session:
        states = dict((await session.execute(select(Consultation.number, Consultation.status))).all())
    assert states == {expired["number"]: "closed", rated["number"]: "closed", reopened["number"]: "assigned"}


async def test_the_worker_pass_closes_escalates_and_runs_the_box_ladder_at_the_apps_clock(
        app: FastAPI, clock: FixedClock) -> None:
    receipt = await answered_question(app, clock)
    async with client_for(app, ANONYMOUS) as public:
        entry = await public.post("/v1/suggestions", json=COMPLAINT)
    assert entry.status_code == 201
    clock.at = at("2026-10-22 09:00")
    counts = await deadline_pass(app)
    assert counts == {"consultation escalations": 0, "suggestion escalations": 1,
                      "closures after the reopen window": 1}
    assert await deadline_pass(app) == dict.fromkeys(counts, 0)
    async with client_for(app, ANONYMOUS) as public:
        view = (await public.get(f"/v1/consultations/track/{receipt['access_code']}")).json()
    assert view["status"] == "closed"


async def test_complaints_climb_the_ladder_over_weekends_once_per_step_and_praise_does_not(app: FastAPI) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        complaint = await public.post("/v1/suggestions", json=COMPLAINT)
        await public.post("/v1/suggestions", json={**COMPLAINT, "kind": "praise", "title": "窗口服务好"})
    assert complaint.json()["due_at"].startswith("2026-10-21")  # 13 working days over National Day
    assert await box_ladder(app, "2026-10-19 10:00") == []
    assert await box_ladder(app, "2026-10-20 10:00") == ["prewarning"]
    assert await box_ladder(app, "2026-10-20 11:00") == []
    assert await box_ladder(app, "2026-10-22 09:00") == ["urge"]
    assert await box_ladder(app, "2026-10-23 09:00") == ["notice"]
    assert await box_ladder(app, "2026-10-26 09:00") == []  # the weekend does not count
    results = await asyncio.gather(*(box_ladder(app, "2026-10-28 09:00") for _ in range(3)))
    assert sorted(s for r in results for s in r) == ["report"]
    events = await outbox(app, "consult.suggestion.escalated")
    assert [e["data"]["step"] for e in events] == ["prewarning", "urge", "notice", "report"]
    assert events[-1]["data"]["supervisor_code"] == "DCS"
    assert events[-1]["data"]["overdue_workdays"] == 5
    assert "李四" not in json.dumps(events)
    assert "13912345678" not in json.dumps(events)
    async with client_for(app, staff("SCJ")) as scj:
        listed = (await scj.get("/v1/suggestions", params={"kind": "complaint"})).json()["items"]
        detail = (await scj.get(f"/v1/suggestions/{listed[0]['id']}")).json()
    assert [s["step"] for s in detail["escalations"]] == ["prewarning", "urge", "notice", "report"]


async def test_a_replied_complaint_leaves_the_ladder(app: FastAPI) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        await public.post("/v1/suggestions", json=COMPLAINT)
    assert await box_ladder(app, "2026-10-22 09:00") == ["urge"]
    async with client_for(app, staff("SCJ")) as scj:
        entry_id = (await scj.get("/v1/suggestions")).json()["items"][0]["id"]
        replied = await scj.post(f"/v1/suggestions/{entry_id}/reply", json={"reply": "已增加两个窗口。"})
    assert replied.status_code == 200
    assert await box_ladder(app, "2026-10-30 09:00") == []


async def test_an_extension_approved_after_an_urge_restarts_the_ladder_from_the_new_deadline(
        app: FastAPI, clock: FixedClock) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public, \
            client_for(app, staff("SCJ")) as scj:
        await seed_departments(admin)
        receipt = await ask(public, department_code="SCJ")  # due Thu 8 Oct
        clock.at = at("2026-09-30 10:00")
        assert await ladder(app, "2026-09-30 10:00") == ["prewarning"]
        request = await scj.post(f"/v1/consultations/{receipt['id']}/extensions",
                                 json={"days": 3, "reason": "需要会同税务部门核实"})
        assert request.status_code == 201
        assert await ladder(app, "2026-10-09 09:00") == ["urge"]
        clock.at = at("2026-10-09 10:00")
        approved = await admin.post(f"/v1/consultations/{receipt['id']}/extensions/{request.json()['id']}/approve")
        assert approved.status_code == 200
        assert await ladder(app, "2026-10-09 11:00") == []  # new deadline Mon 12 Oct, two working days ahead
        assert await ladder(app, "2026-10-10 10:00") == ["prewarning"]  # Saturday 10 Oct is a working day
        assert await ladder(app, "2026-10-13 09:00") == ["urge"]
        assert await ladder(app, "2026-10-13 10:00") == []
        detail = (await admin.get(f"/v1/consultations/{receipt['id']}")).json()
        clock.at = at("2026-10-13 11:00")
        await scj.post(f"/v1/consultations/{receipt['id']}/answer", json={"answer": "已核实，可以办理。"})
        clock.at = at("2026-10-14 09:00")
        reopened = await public.post(f"/v1/consultations/track/{receipt['access_code']}/reopen",
                                     json={"reason": "还需要说明办理地点"})
        assert reopened.status_code == 200
        assert await ladder(app, "2026-10-20 09:00") == ["urge"]  # the new round is due Mon 19 Oct
        history = (await admin.get(f"/v1/consultations/{receipt['id']}")).json()["escalations"]
    assert instant(detail["due_at"]) == at("2026-10-12 23:59:59")
    assert [(e["ladder"], e["step"]) for e in detail["escalations"]] == [
        (0, "prewarning"), (0, "urge"), (1, "prewarning"), (1, "urge")]
    assert [(e["round"], e["ladder"], e["step"]) for e in history[4:]] == [(1, 0, "urge")]
    assert [instant(e["due_at"]).date().isoformat() for e in detail["escalations"]] == [
        "2026-10-08", "2026-10-08", "2026-10-12", "2026-10-12"]
    events = await outbox(app, "consult.consultation.escalated")
    assert [e["data"]["step"] for e in events] == ["prewarning", "urge", "prewarning", "urge", "urge"]
