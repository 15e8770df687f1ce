"""Events on a real NATS: the catalog's items and sites feed the read models; the queue publishes its own."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from queue_factories import HALL, call, make_hall, take

from bianmin.contracts.events.catalog import ItemChanged, SiteChanged
from bianmin.kit.clock import FixedClock
from bianmin.queue.app import create_app
from bianmin.queue.domain.alerts import check_all
from bianmin.queue.settings import QueueSettings
from bianmin.testing.client import client_for, running
from bianmin.testing.events import eventually, publish, published
from bianmin.testing.nats import NatsServer


@pytest.fixture
async def live_app(settings: QueueSettings, clock: FixedClock, fresh_nats: NatsServer) -> AsyncIterator[FastAPI]:
    application = create_app(settings.model_copy(update={"events_enabled": True, "nats_url": fresh_nats.url,
                                                         "relay_poll_seconds": 0.1}), clock=clock)
    async with running(application):
        yield application


def item(code: str, status: str, revision: int, name: str = "不动产登记") -> ItemChanged:
    return ItemChanged(code=code, basic_code="B-" + code, name=name, department_code="D01", status=status,
                       revision=revision)


async def test_catalog_items_name_the_items_a_line_serves(live_app: FastAPI, fresh_nats: NatsServer,
                                                          db_backend: str) -> None:
    async with client_for(live_app) as client:
        await make_hall(client)
        await client.patch(f"/v1/halls/{HALL}/lines/A", json={"item_codes": ["330199-001"]})
        await publish(fresh_nats.url, "catalog.item.published", item("330199-001", "published", 1))
        await publish(fresh_nats.url, "catalog.item.updated", item("330199-001", "published", 3, "不动产登记（新）"))
        await publish(fresh_nats.url, "catalog.item.updated", item("330199-001", "published", 2, "旧名"))

        async def named() -> bool:
            items = (await client.get(f"/v1/halls/{HALL}/lines")).json()[0]["items"]
            return items[0]["known"] and items[0]["name"] == "不动产登记（新）"

        await eventually(named)
        await publish(fresh_nats.url, "catalog.item.withdrawn", item("330199-002", "withdrawn", 1))

        async def refused() -> bool:
            answer = await client.patch(f"/v1/halls/{HALL}/lines/A", json={"item_codes": ["330199-002"]})
            return answer.status_code == 422

        await eventually(refused)


async def test_a_site_renamed_in_the_catalog_renames_its_hall(live_app: FastAPI, fresh_nats: NatsServer,
                                                              db_backend: str) -> None:
    async with client_for(live_app) as client:
        await make_hall(client)
        await publish(fresh_nats.url, "catalog.site.changed", SiteChanged(
            code=HALL, name="东城街道党群服务中心", level="township", parent_code="330199000", tenant=HALL,
            updated_at=datetime(2026, 11, 20, tzinfo=UTC)))

        async def renamed() -> bool:
            return (await client.get(f"/v1/halls/{HALL}")).json()["name"] == "东城街道党群服务中心"

        await eventually(renamed)


async def test_the_queue_publishes_its_events(live_app: FastAPI, fresh_nats: NatsServer, clock: FixedClock,
                                              db_backend: str) -> None:
    async with client_for(live_app) as client:
        hall = await make_hall(client, alert_wait_minutes=5, alert_waiting_count=1)
        counter = hall["counters"][1]
        served = await take(client, name="张三", id_number=None)
        missing = await take(client)
        await call(client, counter)
        await client.post(f"/v1/tickets/{served['id']}/start")
        await client.post(f"/v1/tickets/{served['id']}/complete")
        await client.post(f"/v1/tickets/{served['id']}/evaluation", json={"level": 1})
        clock.advance(timedelta(minutes=6))
        async with live_app.state.db.sessionmaker() as session:
            await check_all(session, clock.now())
            await session.commit()
        await call(client, counter)
        for _ in range(2):
            await client.post(f"/v1/tickets/{missing['id']}/recall")
        await client.post(f"/v1/tickets/{missing['id']}/no-show")

    async def all_out() -> bool:
        return len(await published(fresh_nats.url, "queue.>", wait=0.2)) >= 10

    await eventually(all_out, timeout=15)
    events = await published(fresh_nats.url, "queue.>", wait=0.2)
    subjects = [e.nats_subject for e in events]
    assert subjects.count("queue.ticket.issued") == 2
    assert subjects.count("queue.ticket.called") == 4
    assert {"queue.ticket.completed", "queue.ticket.no_show", "queue.evaluation.submitted",
            "queue.hall.alert"} <= set(subjects)
    assert {e.tenant for e in events} == {HALL}
    called = next(e for e in events if e.nats_subject == "queue.ticket.called")
    assert called.data["announcement"] == "请A001号到1号窗口办理"
    assert called.data["reason"] == "longest_wait"
    evaluation = next(e for e in events if e.nats_subject == "queue.evaluation.submitted")
    assert evaluation.data["bad_review"] is True
    assert evaluation.data["rectification_id"] is not None
    assert "张三" not in str([e.data for e in events])
