"""The escalation worker's domain function against a database: each step once, with several replicas."""

import asyncio

from consult_factories import ADMIN, ask, at, seed_departments
from fastapi import FastAPI
from sqlalchemy import func, select

from bianmin.consult.domain.deadlines import Policy
from bianmin.consult.domain.escalation import run_escalations
from bianmin.consult.models import Escalation
from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import ANONYMOUS
from bianmin.kit.tables import outbox_event
from bianmin.testing.client import client_for

POLICY = Policy()


async def escalate(app: FastAPI, moment: str) -> list[tuple[str, str]]:
    """One pass of the ladder at a Shanghai wall-clock time, committed."""
    async with app.state.db.sessionmaker() as session:
        taken = await run_escalations(session, now=at(moment), policy=POLICY)
        await session.commit()
    return taken


async def escalated_events(app: FastAPI) -> list[str]:
    """The subjects of the escalation events in the outbox."""
    async with app.state.db.sessionmaker() as session:
        rows = await session.execute(select(outbox_event.c.subject, outbox_event.c.body)
                                     .where(outbox_event.c.subject == "consult.consultation.escalated")
                                     .order_by(outbox_event.c.seq))
        return [body for _, body in rows]


async def test_the_ladder_runs_over_the_national_day_holiday_once_per_step(app: FastAPI) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        receipt = await ask(public, department_code="SCJ")  # due 8 Oct
    assert await escalate(app, "2026-09-29 10:00") == []
    assert await escalate(app, "2026-09-30 10:00") == [(receipt["number"], "prewarning")]
    assert await escalate(app, "2026-09-30 11:00") == []
    assert await escalate(app, "2026-10-09 09:00") == [(receipt["number"], "urge")]
    assert await escalate(app, "2026-10-12 09:00") == [(receipt["number"], "notice")]
    assert await escalate(app, "2026-10-15 09:00") == [(receipt["number"], "report")]
    assert await escalate(app, "2026-10-20 09:00") == []
    bodies = await escalated_events(app)
    assert len(bodies) == 4
    assert '"step":"report"' in bodies[-1]
    assert '"supervisor_code":"DCS"' in bodies[-1]
    assert "王小明" not in "".join(bodies)


async def test_several_replicas_record_each_step_once(app: FastAPI) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        for _ in range(3):
            await ask(public, department_code="SCJ")
    results = await asyncio.gather(*(escalate(app, "2026-10-15 09:00") for _ in range(4)))
    assert sum(len(r) for r in results) == 9
    async with app.state.db.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Escalation)) == 9
    assert len(await escalated_events(app)) == 9


async def test_a_question_waiting_for_the_asker_is_not_escalated(app: FastAPI, clock: FixedClock) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        receipt = await ask(public, department_code="SCJ")
        await admin.post(f"/v1/consultations/{receipt['id']}/info-requests", json={"message": "请补充材料清单"})
    assert await escalate(app, "2026-10-20 09:00") == []


async def test_an_answered_question_is_not_escalated_and_a_reopened_one_starts_a_new_round(
        app: FastAPI, clock: FixedClock) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        receipt = await ask(public, department_code="SCJ")
        clock.at = at("2026-10-09 09:00")
        assert await escalate(app, "2026-10-09 09:00") == [(receipt["number"], "urge")]
        answered = await admin.post(f"/v1/consultations/{receipt['id']}/answer", json={"answer": "已答复。"})
        assert answered.json()["answered_on_time"] is False
        assert await escalate(app, "2026-10-20 09:00") == []
        clock.at = at("2026-10-12 09:00")
        reopened = await public.post(f"/v1/consultations/track/{receipt['access_code']}/reopen",
                                     json={"reason": "答复没有说明材料份数"})
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "assigned"
    # A fresh clock from Monday 12 Oct: 13, 14, 15 Oct.
    assert reopened.json()["due_at"].startswith("2026-10-15")
    assert await escalate(app, "2026-10-16 09:00") == [(receipt["number"], "urge")]
