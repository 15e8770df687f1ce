"""Two service apps wired by the kit's event bus over a real nats-server.

Among the faults: a stream deleted under both (issue 17, finding 8), which the publishing service
recreates and refills and the consuming one follows without a restart; a stream deleted under the
consumer alone, which waits for its owner to create it again and binds to it; a durable deleted under
the consumer, which recreates it.
"""

from collections.abc import Callable

import nats
import pytest
from fastapi import APIRouter, FastAPI
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from pydantic import BaseModel

from bianmin.contracts.envelope import CloudEvent
from bianmin.contracts.events.catalog import ItemChanged
from bianmin.kit.app import ServiceSpec, create_service_app
from bianmin.kit.db import SessionDep
from bianmin.kit.events import emit
from bianmin.kit.events.consumer import EventContext, Handler
from bianmin.kit.events.streams import ensure_streams
from bianmin.kit.settings import ServiceSettings
from bianmin.testing.client import TEST_SECRET, client_for, running
from bianmin.testing.events import envelope, eventually, published
from bianmin.testing.nats import NatsServer

router = APIRouter()


@router.post("/items/{code}", status_code=204)
async def publish_item(code: str, session: SessionDep) -> None:
    """Publish an item as the catalog would."""
    await emit(session, "catalog.item.published", ItemChanged(
        code=code, basic_code="B" + code, name="事项", department_code="SCJ", status="published", revision=1),
        tenant="330199001", about=code)
    await session.commit()


@pytest.fixture
def apps(fresh_nats: NatsServer, kit_sqlite: Callable[[str], str]) -> tuple[FastAPI, FastAPI, list[str]]:
    seen: list[str] = []

    async def remember(ctx: EventContext, event: CloudEvent, payload: BaseModel) -> None:
        assert isinstance(payload, ItemChanged)
        seen.append(f"{payload.code}@{event.tenant}")

    def settings(name: str) -> ServiceSettings:
        return ServiceSettings(service_name=name, database_url=kit_sqlite(name), internal_secret=TEST_SECRET,
                               nats_url=fresh_nats.url, relay_poll_seconds=0.2)

    catalog = create_service_app(ServiceSpec(name="catalog", title="c", description="c", routers=[router]),
                                 settings("catalog"))
    queue = create_service_app(ServiceSpec(name="queue", title="q", description="q",
                                           handlers=[Handler("catalog.item.published", remember)]), settings("queue"))
    return catalog, queue, seen


async def test_a_committed_change_reaches_the_consuming_service(
        apps: tuple[FastAPI, FastAPI, list[str]], fresh_nats: NatsServer) -> None:
    catalog, queue, seen = apps
    async with running(catalog), running(queue), client_for(catalog) as client:
        async def bus_up() -> bool:
            return catalog.state.bus.connected and queue.state.bus.connected

        await eventually(bus_up)
        assert (await client.get("/readyz")).json()["checks"] == {
            "database": "ok", "storage": "ok", "nats": "ok", "outbox": "ok", "clock": "ok"}
        await client.post("/v1/items/L001")

        async def delivered() -> bool:
            return seen == ["L001@330199001"]

        await eventually(delivered)
    events = await published(fresh_nats.url, "catalog.item.published")
    assert [e.subject for e in events] == ["L001"]
    assert events[0].traceparent is not None


async def test_a_service_starts_and_serves_degraded_while_nats_is_down(
        apps: tuple[FastAPI, FastAPI, list[str]], fresh_nats: NatsServer) -> None:
    catalog, _, _ = apps
    fresh_nats.stop()
    async with running(catalog), client_for(catalog) as client:
        ready = await client.get("/readyz")
        accepted = await client.post("/v1/items/L002")
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    assert ready.json()["checks"]["nats"] == "down"
    assert accepted.status_code == 204


async def test_a_deleted_stream_is_recreated_and_every_event_reaches_the_consumer_without_a_restart(
        apps: tuple[FastAPI, FastAPI, list[str]], fresh_nats: NatsServer) -> None:
    catalog, queue, seen = apps
    async with running(catalog), running(queue), client_for(catalog) as client:
        async def bus_up() -> bool:
            return catalog.state.bus.connected and queue.state.bus.connected

        await eventually(bus_up)
        await client.post("/v1/items/L001")

        async def first_delivered() -> bool:
            return seen == ["L001@330199001"]

        await eventually(first_delivered)
        nc = await nats.connect(fresh_nats.url)
        try:
            await nc.jetstream().delete_stream("CATALOG")
        finally:
            await nc.close()
        for code in ("L002", "L003"):
            assert (await client.post(f"/v1/items/{code}")).status_code == 204

        async def all_delivered() -> bool:
            return len(set(seen)) == 3

        await eventually(all_delivered, timeout=30)
        ready = (await client.get("/readyz")).json()
    # L001 reached the consumer before the deletion and is sent again after it: the inbox drops it.
    assert sorted(seen) == ["L001@330199001", "L002@330199001", "L003@330199001"]
    assert ready["outbox"]["pending"] == 0


async def test_a_consumer_rebinds_when_its_stream_comes_back_and_recreates_its_durable(
        apps: tuple[FastAPI, FastAPI, list[str]], fresh_nats: NatsServer) -> None:
    catalog, queue, seen = apps
    nc = await nats.connect(fresh_nats.url)
    js = nc.jetstream()
    await ensure_streams(js, ["CATALOG"])  # as its owner created it, long ago
    try:
        async with running(queue):
            async def bound() -> bool:
                try:
                    await js.consumer_info("CATALOG", "queue__catalog")
                except NotFoundError:
                    return False
                return True

            await eventually(bound)
            await js.delete_stream("CATALOG")
            # The stream is catalog's to create again (queue's NATS user may not, under authorization):
            # its bus does when it starts, and queue's consumer binds to it without a restart.
            async with running(catalog):
                await eventually(bound, timeout=20)
            await publish_raw(js, "STREAM-LOST")

            async def applied() -> bool:
                return seen == ["STREAM-LOST@*"]

            await eventually(applied, timeout=20)
            await js.delete_consumer("CATALOG", "queue__catalog")
            await eventually(bound, timeout=20)
            await publish_raw(js, "DURABLE-LOST")

            async def applied_again() -> bool:
                return seen == ["STREAM-LOST@*", "DURABLE-LOST@*"]

            await eventually(applied_again, timeout=20)
    finally:
        await nc.close()


async def publish_raw(js: JetStreamContext, code: str) -> None:
    """Publish an item event straight to JetStream, as another service would."""
    event = envelope("catalog.item.published", ItemChanged(
        code=code, basic_code="B" + code, name="事项", department_code="SCJ", status="published", revision=1))
    await js.publish("catalog.item.published", event.model_dump_json().encode(), headers={"Nats-Msg-Id": event.id})
