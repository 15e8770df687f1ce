"""On a real NATS: a published event ends as a signed POST, once per endpoint even when redelivered."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from webhooks_factories import TOWNSHIP_A, TOWNSHIP_B, register, township

from bianmin.contracts.events.queue import TicketCalled
from bianmin.contracts.events.webhooks import CONSUMES
from bianmin.testing.client import client_for, running
from bianmin.testing.events import envelope, eventually, jetstream
from bianmin.testing.nats import NatsServer
from bianmin.testing.receiver import Receiver, signature_valid
from bianmin.webhooks.app import create_app
from bianmin.webhooks.models import Delivery
from bianmin.webhooks.settings import WebhooksSettings


def called(number: str) -> TicketCalled:
    return TicketCalled(ticket_id=1, number=number, hall_code=TOWNSHIP_A, line_prefix="A", counter_id=1, counter_number=1,
                        reason="longest_wait", recall_count=0, wait_seconds=60, announcement=f"请{number}号到1号窗口",
                        called_at=datetime(2026, 3, 2, 2, 0, tzinfo=UTC))


@pytest.fixture
async def live(fast: WebhooksSettings, fresh_nats: NatsServer) -> AsyncIterator[FastAPI]:
    """The app with its consumers on a NATS of this test alone, and its deliverer."""
    application = create_app(fast.model_copy(update={"events_enabled": True, "nats_url": fresh_nats.url}))
    async with running(application):
        yield application


async def test_a_published_event_ends_as_a_signed_post_to_its_tenants_endpoint_only(
        live: FastAPI, fresh_nats: NatsServer, receiver: Receiver) -> None:
    async with client_for(live, township(TOWNSHIP_A)) as a, client_for(live, township(TOWNSHIP_B)) as b:
        mine = await register(a, receiver.url("/a"), event_types=["*.ticket.called"])
        await register(b, receiver.url("/b"), event_types=[">"])
    event = envelope("queue.ticket.called", called("A001"), tenant=TOWNSHIP_A)
    async with jetstream(fresh_nats.url) as js:
        await js.publish("queue.ticket.called", event.model_dump_json().encode(), headers={"Nats-Msg-Id": event.id})
        # The same event again under another message id: JetStream stores it twice, the inbox drops it.
        await js.publish("queue.ticket.called", event.model_dump_json().encode(), headers={"Nats-Msg-Id": "again"})
    await eventually(lambda: _received(receiver, "/a", 1), timeout=15)
    await eventually(lambda: _consumed_twice(live))
    async with live.state.db.sessionmaker() as session:
        deliveries = int(await session.scalar(select(func.count()).select_from(Delivery)) or 0)
    [request] = receiver.received("/a")
    assert signature_valid(mine["secret"], request.headers, request.body)
    assert request.headers["webhook-id"].startswith("msg_")
    assert event.id in request.body.decode()
    assert deliveries == 1
    assert receiver.received("/b") == []


def test_the_service_consumes_every_subject_the_others_publish() -> None:
    from bianmin.contracts.registry import EVENTS
    from bianmin.webhooks.events import HANDLERS

    others = {spec.subject for spec in EVENTS if spec.publisher != "webhooks"}
    assert set(CONSUMES) == others
    assert {handler.subject for handler in HANDLERS} == others


async def _received(receiver: Receiver, path: str, n: int) -> bool:
    return len(receiver.received(path)) >= n


async def _consumed_twice(app: FastAPI) -> bool:
    labels = {"service": "webhooks", "consumer": "webhooks__queue", "outcome": "duplicate"}
    return (app.state.metrics.registry.get_sample_value("bianmin_events_consumed_total", labels) or 0) >= 1
