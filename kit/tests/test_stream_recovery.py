"""The relay recreates a deleted stream without a restart, and sends again what the stream held.

Issue 17, finding 8: with the CREDIT stream deleted, acknowledged writes waited in the outbox until a
full restart recreated the stream. Each test runs against a real nats-server of its own and deletes
a stream the way an operator's slip or a lost JetStream volume would. The same faults across two
running services (and consumers recreating their stream and durable) are in ``test_bus.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json

from nats.js import JetStreamContext
from sqlalchemy import func, select

from bianmin.contracts.events.catalog import ItemChanged
from bianmin.kit.db import Database
from bianmin.kit.events import emit
from bianmin.kit.events.relay import OutboxRelay
from bianmin.kit.events.streams import ensure_streams
from bianmin.kit.metrics import Metrics
from bianmin.kit.tables import outbox_event
from bianmin.testing.events import eventually, jetstream
from bianmin.testing.nats import NatsServer

SUBJECT = "catalog.item.published"


def item(code: str) -> ItemChanged:
    return ItemChanged(code=code, basic_code="B" + code, name="营业执照核发", department_code="SCJ",
                       status="published", revision=1)


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
