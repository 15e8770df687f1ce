"""The outbox, relay and consumers against a real nats-server.

Each test starts its own server (some stop or kill it) and proves one promise of the design:
rolled-back events are never published, events survive a NATS outage and go out once, a relay
crash between publish and mark does not apply an effect twice, and a poison message is
dead-lettered after max-deliver while the consumer moves on.
"""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import nats
import pytest
from nats.js.api import ConsumerConfig, DeliverPolicy
from pydantic import BaseModel
from sqlalchemy import func, select
from starlette.datastructures import State

from bianmin.contracts.envelope import CloudEvent
from bianmin.contracts.events.catalog import ItemChanged
from bianmin.kit.clock import SystemClock
from bianmin.kit.db import Database
from bianmin.kit.events import emit
from bianmin.kit.events.consumer import EventContext, Handler, StreamConsumer
from bianmin.kit.events.relay import OutboxRelay
from bianmin.kit.events.streams import ensure_streams
from bianmin.kit.metrics import Metrics
from bianmin.kit.settings import ServiceSettings
from bianmin.kit.tables import inbox_event, outbox_event
from bianmin.testing.client import TEST_SECRET
from bianmin.testing.events import eventually
from bianmin.testing.nats import NatsServer

SUBJECT = "catalog.item.published"


def item(code: str) -> ItemChanged:
    return ItemChanged(code=code, basic_code="B" + code, name="营业执照核发", department_code="SCJ",
                       status="published", revision=1)


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[NatsServer]:
    nats_server = NatsServer(tmp_path / "nats").start()
    yield nats_server
    nats_server.stop()


@contextlib.asynccontextmanager
async def jetstream(url: str) -> AsyncIterator[nats.js.JetStreamContext]:
    nc = await nats.connect(url, allow_reconnect=True, max_reconnect_attempts=-1, reconnect_time_wait=0.2)
    js = nc.jetstream()
    await ensure_streams(js, ["CATALOG", "DLQ"])
    try:
        yield js
    finally:
        await nc.close()


async def stream_messages(js: nats.js.JetStreamContext, subject: str) -> list[dict]:
    """Every message stored on a subject, read with an ephemeral consumer."""
    info = await js.stream_info("CATALOG" if subject.startswith("catalog") else "DLQ")
    if info.state.messages == 0:
        return []
    sub = await js.pull_subscribe(subject, config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL))
    found: list[dict] = []
    with contextlib.suppress(TimeoutError, nats.errors.TimeoutError):
        while True:
            for msg in await sub.fetch(batch=100, timeout=0.5):
                found.append({"raw": msg.data, "headers": dict(msg.headers or {})})
                await msg.ack()
    await sub.unsubscribe()
    return found


async def pending_rows(db: Database) -> int:
    async with db.sessionmaker() as session:
        return int(await session.scalar(
            select(func.count()).select_from(outbox_event).where(outbox_event.c.published_at.is_(None))))


async def test_an_event_of_a_rolled_back_transaction_is_never_published(
        server: NatsServer, db: Database) -> None:
    async with db.sessionmaker() as session:
        await emit(session, SUBJECT, item("kept"))
        await session.commit()
    async with db.sessionmaker() as session:
        await emit(session, SUBJECT, item("rolled-back"))
        await session.rollback()
    async with jetstream(server.url) as js:
        relay = OutboxRelay(db, js, Metrics("test"))
        assert await relay.drain() == 1
        codes = [json.loads(m["raw"])["data"]["code"] for m in await stream_messages(js, SUBJECT)]
    assert codes == ["kept"]


async def test_an_event_published_while_nats_is_down_goes_out_once_it_returns(
        server: NatsServer, db: Database) -> None:
    async with jetstream(server.url) as js:
        relay = OutboxRelay(db, js, Metrics("test"), poll_seconds=0.1)
        task = asyncio.create_task(relay.run())
        server.stop()
        async with db.sessionmaker() as session:
            event = await emit(session, SUBJECT, item("during-outage"))
            await session.commit()
        await asyncio.sleep(1.0)
        assert await pending_rows(db) == 1
        server.start()
        await eventually(lambda: _none_pending(db), timeout=20)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        messages = await stream_messages(js, SUBJECT)
    assert [json.loads(m["raw"])["id"] for m in messages] == [event.id]
    assert messages[0]["headers"]["Nats-Msg-Id"] == event.id


async def _none_pending(db: Database) -> bool:
    return await pending_rows(db) == 0


async def test_a_failed_publish_counts_an_attempt_and_keeps_the_error_for_the_operator(
        server: NatsServer, db: Database) -> None:
    async with db.sessionmaker() as session:
        await emit(session, SUBJECT, item("unlucky"))
        await session.commit()
    async with jetstream(server.url) as js:
        relay = OutboxRelay(db, js, Metrics("test"))
        server.stop()
        for _ in range(2):
            with pytest.raises(Exception):  # noqa: B017, PT011 - whatever nats-py raises while the server is gone
                await relay.drain()
        async with db.sessionmaker() as session:
            attempts, error, sent = (await session.execute(
                select(outbox_event.c.attempts, outbox_event.c.last_error, outbox_event.c.published_at))).one()
        assert (attempts, sent) == (2, None)
        assert error
        server.start()
        await eventually(lambda: _drained(relay), timeout=20)
    async with db.sessionmaker() as session:
        attempts, published_at = (await session.execute(select(outbox_event.c.attempts, outbox_event.c.published_at))).one()
    assert attempts == 2
    assert published_at is not None


async def _drained(relay: OutboxRelay) -> bool:
    try:
        return await relay.drain() == 1
    except Exception:  # still reconnecting
        return False


class Applied(BaseModel):
    codes: list[str] = []


def recording_handler(applied: Applied) -> Handler:
    async def apply(ctx: EventContext, event: CloudEvent, payload: BaseModel) -> None:
        assert isinstance(payload, ItemChanged)
        applied.codes.append(payload.code)

    return Handler(SUBJECT, apply)


def consumer(db: Database, js: nats.js.JetStreamContext, handler: Handler, **overrides: object) -> StreamConsumer:
    options: dict = {"max_deliver": 3, "backoff_seconds": [0.05], "ack_wait_seconds": 2.0} | overrides
    settings = ServiceSettings(service_name="queue", database_url=db.url, internal_secret=TEST_SECRET)
    return StreamConsumer(service="queue", stream="CATALOG", handlers=[handler], db=db, js=js, metrics=Metrics("test"),
                          context=lambda session: EventContext(session=session, clock=SystemClock(), settings=settings,
                                                               state=State()), **options)


async def test_a_relay_killed_between_publish_and_mark_does_not_apply_an_effect_twice(
        server: NatsServer, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    async with db.sessionmaker() as session:
        event = await emit(session, SUBJECT, item("once"))
        await session.commit()
    applied = Applied()
    async with jetstream(server.url) as js:
        crashing = OutboxRelay(db, js, Metrics("test"))

        async def crash_before_mark(*_: object) -> None:
            raise RuntimeError("killed before marking sent")

        monkeypatch.setattr(crashing, "_mark", crash_before_mark)
        with pytest.raises(RuntimeError):
            await crashing.drain()
        assert await pending_rows(db) == 1
        monkeypatch.undo()
        assert await OutboxRelay(db, js, Metrics("test")).drain() == 1
        # Beyond JetStream's duplicate window the same event can still arrive twice: resend it
        # under another message id, as a relay restarted hours later would.
        await js.publish(SUBJECT, event.model_dump_json().encode(), headers={"Nats-Msg-Id": "late-resend"})
        stream_consumer = consumer(db, js, recording_handler(applied))
        task = asyncio.create_task(stream_consumer.run())
        await asyncio.sleep(1.5)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert applied.codes == ["once"]
    async with db.sessionmaker() as session:
        inbox = (await session.execute(select(inbox_event.c.event_id))).scalars().all()
    assert inbox == [event.id]


async def test_a_message_that_keeps_failing_is_dead_lettered_and_the_consumer_moves_on(
        server: NatsServer, db: Database) -> None:
    attempts: dict[str, int] = {}
    applied = Applied()

    async def fail_on_poison(ctx: EventContext, event: CloudEvent, payload: BaseModel) -> None:
        assert isinstance(payload, ItemChanged)
        attempts[payload.code] = attempts.get(payload.code, 0) + 1
        if payload.code == "poison":
            raise ValueError("cannot apply")
        applied.codes.append(payload.code)

    async with db.sessionmaker() as session:
        await emit(session, SUBJECT, item("poison"))
        await emit(session, SUBJECT, item("healthy"))
        await session.commit()
    async with jetstream(server.url) as js:
        await OutboxRelay(db, js, Metrics("test")).drain()
        await js.publish(SUBJECT, b"not json at all", headers={"Nats-Msg-Id": "garbage"})
        stream_consumer = consumer(db, js, Handler(SUBJECT, fail_on_poison))
        task = asyncio.create_task(stream_consumer.run())

        async def dead_lettered() -> bool:
            return len(await stream_messages(js, "dlq.queue.catalog")) == 2

        await eventually(dead_lettered, timeout=15)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        dead = await stream_messages(js, "dlq.queue.catalog")
    assert attempts["poison"] == 3
    assert applied.codes == ["healthy"]
    reasons = {m["headers"]["Bianmin-Original-Subject"]: m["headers"]["Bianmin-Error"] for m in dead}
    assert set(reasons) == {SUBJECT}
    assert any("failed 3 times" in m["headers"]["Bianmin-Error"] for m in dead)
    assert any("not a CloudEvent" in m["headers"]["Bianmin-Error"] for m in dead)


async def test_an_idle_consumer_waits_with_a_pull_for_one_message_and_takes_each_new_event(
        server: NatsServer, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    # nats-py keeps reading a waiting pull for a batch after its first message arrives (measured:
    # about 0.5 s per event after a quiet spell), so the consumer must wait with a pull for one
    # message and ask for batches only while catching up with what is already stored.
    pulls: list[tuple[int, float]] = []
    fetch = nats.js.JetStreamContext.PullSubscription.fetch

    async def recording_fetch(self: Any, batch: int = 1, timeout: float | None = 5, **kwargs: Any) -> Any:
        pulls.append((batch, timeout or 0.0))
        return await fetch(self, batch=batch, timeout=timeout, **kwargs)

    monkeypatch.setattr(nats.js.JetStreamContext.PullSubscription, "fetch", recording_fetch)
    applied = Applied()
    async with jetstream(server.url) as js:
        stream_consumer = consumer(db, js, recording_handler(applied), wait_seconds=30.0)
        task = asyncio.create_task(stream_consumer.run())
        try:
            for n in range(3):
                await asyncio.sleep(0.5)  # idle: the consumer sits in its waiting pull
                await js.publish(SUBJECT, CloudEvent(
                    source="/bianmin/catalog", type="bianmin.catalog.item.published.v1",
                    data=item(f"quiet-{n}").model_dump(mode="json")).model_dump_json().encode())

                async def applied_so_far(count: int = n + 1) -> bool:
                    return len(applied.codes) == count

                await eventually(applied_so_far, timeout=5)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    assert applied.codes == ["quiet-0", "quiet-1", "quiet-2"]
    waiting = [batch for batch, timeout in pulls if timeout == 30.0]
    assert len(waiting) >= 3
    assert set(waiting) == {1}
    assert all(timeout <= stream_consumer.catch_up_seconds for batch, timeout in pulls if batch > 1)


async def test_a_relay_backing_off_publishes_at_once_when_nats_is_back(
        server: NatsServer, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    # Readiness counts a stuck backlog from the reconnect on: a relay still sleeping out a long
    # back-off after NATS returned would look stuck, and would hold the backlog back for nothing.
    failures: list[float] = []
    async with jetstream(server.url) as js:
        relay = OutboxRelay(db, js, Metrics("test"), poll_seconds=0.1)
        publish = relay._publish

        async def refused(row: object) -> None:
            failures.append(asyncio.get_running_loop().time())
            raise ConnectionError("NATS is away")

        monkeypatch.setattr(relay, "_publish", refused)
        async with db.sessionmaker() as session:
            await emit(session, SUBJECT, item("after-reconnect"))
            await session.commit()
        task = asyncio.create_task(relay.run())
        try:
            async def backing_off() -> bool:
                return len(failures) >= 4  # the next pause is 3.2 s

            await eventually(backing_off, timeout=10)
            monkeypatch.setattr(relay, "_publish", publish)
            reconnected = asyncio.get_running_loop().time()
            relay.nats_reconnected()
            await eventually(lambda: _none_pending(db), timeout=10)
            waited = asyncio.get_running_loop().time() - reconnected
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    assert waited < 1.5
