"""A stream deleted under running services is recreated without a restart, and nothing it held is lost.

Issue 17, finding 8: with the CREDIT stream deleted, acknowledged writes waited in the outbox until a
full restart recreated the stream. Each test runs against a real nats-server of its own and deletes
a stream (or a durable consumer) the way an operator's slip or a lost JetStream volume would.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable

import nats
import pytest
from fastapi import APIRouter, FastAPI
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.contracts.envelope import CloudEvent
from bianmin.contracts.events.catalog import ItemChanged
from bianmin.kit.app import ServiceSpec, create_service_app
from bianmin.kit.db import Database, SessionDep
from bianmin.kit.events import emit
from bianmin.kit.events.consumer import Handler
from bianmin.kit.events.relay import OutboxRelay
from bianmin.kit.events.streams import ensure_streams
from bianmin.kit.metrics import Metrics
from bianmin.kit.settings import ServiceSettings
from bianmin.kit.tables import outbox_event
from bianmin.kit.testing.client import TEST_SECRET, client_for, running
from bianmin.kit.testing.events import envelope, eventually
from bianmin.kit.testing.nats import NatsServer

SUBJECT = "catalog.item.published"


def item(code: str) -> ItemChanged:
    return ItemChanged(code=code, basic_code="B" + code, name="营业执照核发", department_code="SCJ",
                       status="published", revision=1)


@pytest.fixture
async def db(kit_database_url: str) -> AsyncIterator[Database]:
    database = Database(kit_database_url)
    yield database
    await database.dispose()


@contextlib.asynccontextmanager
async def jetstream(url: str) -> AsyncIterator[JetStreamContext]:
    nc = await nats.connect(url, allow_reconnect=True, max_reconnect_attempts=-1, reconnect_time_wait=0.2)
    js = nc.jetstream()
    await ensure_streams(js, ["CATALOG", "DLQ"])
    try:
        yield js
    finally:
        await nc.close()


async def emit_items(db: Database, *codes: str) -> None:
    async with db.sessionmaker() as session:
        for code in codes:
            await emit(session, SUBJECT, item(code), about=code)
        await session.commit()


async def pending(db: Database) -> int:
    async with db.sessionmaker() as session:
        return int(await session.scalar(
            select(func.count()).select_from(outbox_event).where(outbox_event.c.published_at.is_(None))))


async def codes_in(js: JetStreamContext, stream: str = "CATALOG") -> list[str]:
    """The item codes stored in a stream, in stream order, read message by message."""
    info = await js.stream_info(stream)
    if not info.state.messages:
        return []
    codes = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        message = await js.get_msg(stream, seq)
        codes.append(json.loads(message.data)["data"]["code"])
    return codes


async def drain_all(relay: OutboxRelay) -> None:
    while await relay.drain():
        pass


async def test_the_relay_recreates_a_deleted_stream_and_sends_again_what_the_stream_held(
        fresh_nats: NatsServer, db: Database) -> None:
    async with jetstream(fresh_nats.url) as js:
        relay = OutboxRelay(db, js, Metrics("test"))
        await emit_items(db, "before")
        await drain_all(relay)
        await js.delete_stream("CATALOG")
        await emit_items(db, "after-1", "after-2")
        await drain_all(relay)
        assert await pending(db) == 0
        # "before" was acknowledged by the deleted stream and lost with it: it is sent again, first.
        assert await codes_in(js) == ["before", "after-1", "after-2"]


async def test_a_stream_recreated_by_another_service_gets_back_the_events_it_lost(
        fresh_nats: NatsServer, db: Database) -> None:
    async with jetstream(fresh_nats.url) as js:
        relay = OutboxRelay(db, js, Metrics("test"))
        await emit_items(db, "first", "second")
        await drain_all(relay)
        await js.delete_stream("CATALOG")
        # A consumer of another service finds the stream missing and creates it, empty, before this
        # relay publishes again: its next publish succeeds, and only the restarted sequence tells.
        await ensure_streams(js, ["CATALOG"])
        await emit_items(db, "third")
        await drain_all(relay)
        assert await pending(db) == 0
        assert sorted(await codes_in(js)) == ["first", "second", "third"]


async def test_a_relay_starting_after_its_stream_was_lost_sends_the_lost_events_again(
        fresh_nats: NatsServer, db: Database) -> None:
    async with jetstream(fresh_nats.url) as js:
        await emit_items(db, "sent-before-restart")
        await drain_all(OutboxRelay(db, js, Metrics("test")))
        await js.delete_stream("CATALOG")
        await ensure_streams(js, ["CATALOG"])  # recreated, empty, while this service was down
        restarted = OutboxRelay(db, js, Metrics("test"), streams=["CATALOG"], poll_seconds=0.1)
        task = asyncio.create_task(restarted.run())
        try:
            async def refilled() -> bool:
                return await codes_in(js) == ["sent-before-restart"]

            await eventually(refilled, timeout=10)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def test_events_sent_before_the_replay_window_are_not_sent_again(
        fresh_nats: NatsServer, db: Database) -> None:
    async with jetstream(fresh_nats.url) as js:
        await emit_items(db, "long-ago")
        await drain_all(OutboxRelay(db, js, Metrics("test")))
        await asyncio.sleep(1.5)
        await js.delete_stream("CATALOG")
        relay = OutboxRelay(db, js, Metrics("test"), replay_seconds=1.0)
        await emit_items(db, "recent")
        await drain_all(relay)
        assert await codes_in(js) == ["recent"]


router = APIRouter()


@router.post("/items/{code}", status_code=204)
async def publish_item(code: str, session: SessionDep) -> None:
    """Publish an item as the catalog would."""
    await emit(session, SUBJECT, item(code), tenant="330199001", about=code)
    await session.commit()


@pytest.fixture
def apps(fresh_nats: NatsServer, kit_sqlite: Callable[[str], str]) -> tuple[FastAPI, FastAPI, list[str]]:
    seen: list[str] = []

    async def remember(session: AsyncSession, event: CloudEvent, payload: BaseModel) -> None:
        assert isinstance(payload, ItemChanged)
        seen.append(payload.code)

    def settings(name: str) -> ServiceSettings:
        return ServiceSettings(service_name=name, database_url=kit_sqlite(name), internal_secret=TEST_SECRET,
                               nats_url=fresh_nats.url, relay_poll_seconds=0.2)

    catalog = create_service_app(ServiceSpec(name="catalog", title="c", description="c", routers=[router]),
                                 settings("catalog"))
    queue = create_service_app(ServiceSpec(name="queue", title="q", description="q",
                                           handlers=[Handler(SUBJECT, remember)]), settings("queue"))
    return catalog, queue, seen


async def stream_exists(js: JetStreamContext, name: str) -> bool:
    try:
        await js.stream_info(name)
    except NotFoundError:
        return False
    return True


async def test_a_deleted_stream_is_recreated_and_every_event_reaches_the_consumer_without_a_restart(
        apps: tuple[FastAPI, FastAPI, list[str]], fresh_nats: NatsServer) -> None:
    catalog, queue, seen = apps
    async with running(catalog), running(queue), client_for(catalog) as client:
        async def bus_up() -> bool:
            return catalog.state.bus.connected and queue.state.bus.connected

        await eventually(bus_up)
        await client.post("/v1/items/L001")

        async def first_delivered() -> bool:
            return seen == ["L001"]

        await eventually(first_delivered)
        nc = await nats.connect(fresh_nats.url)
        try:
            await nc.jetstream().delete_stream("CATALOG")
        finally:
            await nc.close()
        for code in ("L002", "L003"):
            assert (await client.post(f"/v1/items/{code}")).status_code == 204

        async def all_delivered() -> bool:
            return sorted(set(seen)) == ["L001", "L002", "L003"]

        await eventually(all_delivered, timeout=30)
        assert await pending(catalog.state.db) == 0
    # L001 reached the consumer before the deletion and is sent again after it: the inbox drops it.
    assert sorted(seen) == ["L001", "L002", "L003"]


async def test_a_consumer_recreates_its_deleted_stream_and_durable(
        apps: tuple[FastAPI, FastAPI, list[str]], fresh_nats: NatsServer) -> None:
    _, queue, seen = apps
    async with running(queue):
        nc = await nats.connect(fresh_nats.url)
        js = nc.jetstream()
        try:
            async def bound() -> bool:
                try:
                    await js.consumer_info("CATALOG", "queue__catalog")
                except NotFoundError:
                    return False
                return True

            await eventually(bound)
            await js.delete_stream("CATALOG")

            async def recreated() -> bool:
                return await stream_exists(js, "CATALOG")

            # Nobody but the consuming service is running: only it can have created the stream again.
            await eventually(recreated, timeout=20)
            await eventually(bound, timeout=20)
            await publish_raw(js, "after-stream-loss")

            async def applied() -> bool:
                return seen == ["after-stream-loss"]

            await eventually(applied, timeout=20)
            await js.delete_consumer("CATALOG", "queue__catalog")
            await eventually(bound, timeout=20)
            await publish_raw(js, "after-durable-loss")

            async def applied_again() -> bool:
                return seen == ["after-stream-loss", "after-durable-loss"]

            await eventually(applied_again, timeout=20)
        finally:
            await nc.close()


async def publish_raw(js: JetStreamContext, code: str) -> None:
    event = envelope(SUBJECT, item(code))
    await js.publish(SUBJECT, event.model_dump_json().encode(), headers={"Nats-Msg-Id": event.id})
