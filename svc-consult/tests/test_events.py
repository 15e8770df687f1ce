"""Events on a real NATS: catalog items feed routing; consult events leave through the outbox."""

import asyncio

from consult_factories import ADMIN, ask, at, seed_departments
from sqlalchemy import select

from bianmin.consult.app import create_app
from bianmin.consult.models import ItemRoute
from bianmin.consult.settings import ConsultSettings
from bianmin.contracts.events.catalog import ItemChanged
from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import ANONYMOUS
from bianmin.testing.client import client_for, running
from bianmin.testing.events import eventually, publish, published
from bianmin.testing.nats import NatsServer

ITEM = ItemChanged(code="330199-SCJ-0001", basic_code="00001234500Y", name="个体工商户设立登记",
                   department_code="SCJ", status="published", revision=1)


async def test_questions_about_a_catalog_item_go_to_its_department(
        settings: ConsultSettings, fresh_nats: NatsServer, clock: FixedClock) -> None:
    live = settings.model_copy(update={"events_enabled": True, "nats_url": fresh_nats.url, "relay_poll_seconds": 0.1})
    app = create_app(live, clock=clock)
    async with running(app):
        async with client_for(app, ADMIN) as admin:
            await seed_departments(admin)
        await publish(fresh_nats.url, "catalog.item.published", ITEM)

        async def item_status(expected: str) -> bool:
            async with app.state.db.sessionmaker() as session:
                item = (await session.execute(select(ItemRoute).where(ItemRoute.code == ITEM.code))).scalar_one_or_none()
                return item is not None and item.status == expected

        await eventually(lambda: item_status("published"))
        async with client_for(app, ANONYMOUS) as public:
            routed = await ask(public, item_code=ITEM.code, department_code="RSJ", title="开店登记", body="需要哪些材料")
            stale = ITEM.model_copy(update={"department_code": "RSJ", "revision": 0})
            await publish(fresh_nats.url, "catalog.item.updated", stale)
            await publish(fresh_nats.url, "catalog.item.withdrawn", ITEM.model_copy(update={"revision": 2}))
            await eventually(lambda: item_status("withdrawn"))
            after = await ask(public, item_code=ITEM.code, title="开店登记", body="需要哪些材料")

        async def created_out() -> bool:
            return len(await published(fresh_nats.url, "consult.consultation.created", wait=0.2)) == 2

        await eventually(created_out)
        events = await published(fresh_nats.url, "consult.consultation.created", wait=0.2)
    assert routed["department_code"] == "SCJ"
    assert after["status"] == "open"
    assert [e.data["routed_by"] for e in events] == ["item", "triage"]
    assert events[0].data["department_code"] == "SCJ"
    assert "王小明" not in events[0].model_dump_json()
    assert "13800138000" not in events[0].model_dump_json()


async def test_the_deadline_worker_publishes_each_ladder_step_once(
        settings: ConsultSettings, fresh_nats: NatsServer, clock: FixedClock) -> None:
    live = settings.model_copy(update={"events_enabled": True, "nats_url": fresh_nats.url, "relay_poll_seconds": 0.1,
                                       "escalation_enabled": True, "escalation_interval_seconds": 0.05})
    app = create_app(live, clock=clock)
    async with running(app):
        async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
            await seed_departments(admin)
            receipt = await ask(public, department_code="SCJ")
            entry = await public.post("/v1/suggestions", json={
                "kind": "complaint", "department_code": "RSJ", "title": "社保窗口态度差", "body": "工作人员不耐烦。",
                "anonymous": True})
        assert entry.status_code == 201
        clock.at = at("2026-10-28 09:00")  # both past their deadlines (8 and 21 Oct) by five working days or more

        async def all_steps() -> bool:
            found = await published(fresh_nats.url, "consult.*.escalated", wait=0.2)
            return len(found) >= 6

        await eventually(all_steps)
        await asyncio.sleep(0.3)  # several more passes of the worker: nothing new may appear
        events = await published(fresh_nats.url, "consult.*.escalated", wait=0.2)
    consultation = [e for e in events if e.nats_subject == "consult.consultation.escalated"]
    box = [e for e in events if e.nats_subject == "consult.suggestion.escalated"]
    assert sorted(e.data["step"] for e in consultation) == ["notice", "report", "urge"]
    assert sorted(e.data["step"] for e in box) == ["notice", "report", "urge"]
    assert {e.subject for e in consultation} == {receipt["number"]}
    assert next(e for e in consultation if e.data["step"] == "report").data["supervisor_code"] == "DCS"
    assert next(e for e in box if e.data["step"] == "report").data["supervisor_code"] == "DCS"
