"""Delivery to a real HTTP receiver: signatures, retries after 500 and timeouts, failing and disabled,
replays keeping their ids, a slow receiver not holding back another, and restarts losing nothing."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from webhooks_factories import TOWNSHIP_A, deliver_event, register, township

from bianmin.contracts.envelope import CloudEvent
from bianmin.kit.tables import outbox_event
from bianmin.testing.client import client_for, running
from bianmin.testing.events import eventually
from bianmin.testing.receiver import Receiver, signature_valid
from bianmin.webhooks.app import create_app
from bianmin.webhooks.domain.claims import claim
from bianmin.webhooks.models import Delivery
from bianmin.webhooks.settings import WebhooksSettings


def ticket_called(n: int = 1, tenant: str = TOWNSHIP_A) -> CloudEvent:
    return CloudEvent(source="/bianmin/queue", type="bianmin.queue.ticket.called.v1", tenant=tenant, subject=f"A{n:03d}",
                      data={"number": f"A{n:03d}", "n": n})


@pytest.fixture
async def live(fast: WebhooksSettings) -> AsyncIterator[FastAPI]:
    """The app with its deliverer running on the real clock."""
    application = create_app(fast)
    async with running(application):
        yield application


async def delivery_rows(app: FastAPI) -> list[Delivery]:
    async with app.state.db.sessionmaker() as session:
        return list((await session.scalars(select(Delivery).order_by(Delivery.id))).all())


async def test_a_delivery_is_a_signed_post_of_the_cloudevent(live: FastAPI, receiver: Receiver) -> None:
    async with client_for(live, township(TOWNSHIP_A)) as client:
        endpoint = await register(client, receiver.url())
        sent = ticket_called()
        await deliver_event(live, sent)
        await eventually(lambda: _has(receiver, 1))
        [row] = await delivery_rows(live)
        await eventually(lambda: _status(live, row.id, "succeeded"))
        detail = (await client.get(f"/v1/deliveries/{row.id}")).json()
    [request] = receiver.received()
    assert signature_valid(endpoint["secret"], request.headers, request.body)
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-id"] == row.webhook_id == detail["webhook_id"]
    assert abs(int(request.headers["webhook-timestamp"]) - time.time()) < 5
    body = json.loads(request.body)
    assert body["id"] == sent.id
    assert body["type"] == "bianmin.queue.ticket.called.v1"
    assert body["tenant"] == TOWNSHIP_A
    assert body["data"] == {"number": "A001", "n": 1}
    assert [a["status_code"] for a in detail["attempt_log"]] == [200]
    assert detail["attempt_log"][0]["latency_ms"] >= 0
    assert detail["delivered_at"] is not None


async def test_a_500_is_retried_with_the_same_webhook_id_until_it_succeeds(live: FastAPI, receiver: Receiver) -> None:
    receiver.respond("/hook", lambda n: (500 if n <= 2 else 204, 0.0))
    async with client_for(live, township(TOWNSHIP_A)) as client:
        endpoint = await register(client, receiver.url())
        await deliver_event(live, ticket_called())
        await eventually(lambda: _has(receiver, 3))
        [row] = await delivery_rows(live)
        await eventually(lambda: _status(live, row.id, "succeeded"))
        detail = (await client.get(f"/v1/deliveries/{row.id}")).json()
        read = (await client.get(f"/v1/endpoints/{endpoint['id']}")).json()
        metrics = (await client.get("/metrics")).text
    requests = receiver.received()
    assert 'bianmin_webhook_attempts_total{outcome="5xx"} 2.0' in metrics
    assert 'bianmin_webhook_attempts_total{outcome="2xx"} 1.0' in metrics
    assert {r.headers["webhook-id"] for r in requests} == {row.webhook_id}
    assert all(signature_valid(endpoint["secret"], r.headers, r.body) for r in requests)
    assert [a["status_code"] for a in detail["attempt_log"]] == [500, 500, 204]
    assert detail["attempts"] == 3
    assert read["status"] == "active"


async def test_a_redirect_is_not_followed_but_failed_and_retried(live: FastAPI, receiver: Receiver) -> None:
    receiver.respond("/hook", lambda n: (307 if n == 1 else 200, 0.0))
    async with client_for(live, township(TOWNSHIP_A)) as client:
        await register(client, receiver.url())
        await deliver_event(live, ticket_called())
        [row] = await delivery_rows(live)
        await eventually(lambda: _status(live, row.id, "succeeded"))
        detail = (await client.get(f"/v1/deliveries/{row.id}")).json()
    assert [a["status_code"] for a in detail["attempt_log"]] == [307, 200]
    assert detail["attempt_log"][0]["error"] == "http_307"
    assert len(receiver.received()) == 2


async def test_a_refused_connection_is_a_failed_attempt(fast: WebhooksSettings) -> None:
    app = create_app(fast)
    # A port bound but not listening refuses connections for as long as this socket is held: no port is assumed free.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        async with running(app), client_for(app, township(TOWNSHIP_A)) as client:
            await register(client, f"http://127.0.0.1:{closed.getsockname()[1]}/nobody-listens")
            await deliver_event(app, ticket_called())
            [row] = await delivery_rows(app)
            await eventually(lambda: _attempts(app, row.id, 2))
            detail = (await client.get(f"/v1/deliveries/{row.id}")).json()
    assert detail["status"] == "pending"
    assert detail["attempt_log"][0]["status_code"] is None
    assert detail["attempt_log"][0]["error"] == "connection_refused"


async def test_a_timeout_is_logged_and_retried(live: FastAPI, receiver: Receiver) -> None:
    receiver.respond("/hook", lambda n: (200, 1.5 if n == 1 else 0.0))
    async with client_for(live, township(TOWNSHIP_A)) as client:
        await register(client, receiver.url())
        await deliver_event(live, ticket_called())
        [row] = await delivery_rows(live)
        await eventually(lambda: _status(live, row.id, "succeeded"))
        detail = (await client.get(f"/v1/deliveries/{row.id}")).json()
    first, *rest = detail["attempt_log"]
    assert first["status_code"] is None
    assert first["error"] == "timeout"
    assert 450 <= first["latency_ms"] < 1400  # the read timeout (0.5 s), never the receiver's 1.5 s
    assert [a["status_code"] for a in rest] == [200]


async def test_an_endpoint_fails_then_is_disabled_and_a_success_after_enabling_clears_it(
        fast: WebhooksSettings, receiver: Receiver) -> None:
    receiver.respond("/hook", lambda n: (503, 0.0))
    app = create_app(fast.model_copy(update={"retry_period_seconds": 0.3, "disable_after_seconds": 0.8}))
    async with running(app), client_for(app, township(TOWNSHIP_A)) as client:
        endpoint = await register(client, receiver.url())
        url = f"/v1/endpoints/{endpoint['id']}"
        await deliver_event(app, ticket_called(1))
        await eventually(lambda: _endpoint_status(client, url, "failing"))
        failing = (await client.get(url)).json()
        n = 2
        while (await client.get(url)).json()["status"] != "disabled":
            await deliver_event(app, ticket_called(n))
            n += 1
            await asyncio.sleep(0.1)
            assert n < 60, "never disabled"
        disabled = (await client.get(url)).json()
        requests_when_disabled = len(receiver.received())
        assert await deliver_event(app, ticket_called(n)) == 0
        async with app.state.db.sessionmaker() as session:
            announced = (await session.execute(select(outbox_event.c.subject, outbox_event.c.body))).all()
        receiver.respond("/hook", lambda n: (200, 0.0))
        enabled = (await client.patch(url, json={"enabled": True})).json()
        ping = (await client.post(f"{url}/test")).json()
        await eventually(lambda: _status(app, ping["id"], "succeeded"))
        after = (await client.get(url)).json()
        failed = (await client.get(f"{url}/deliveries", params={"status": "failed"})).json()["items"]
    assert failing["failing_since"] is not None
    assert disabled["disabled_reason"].startswith("failing since")
    assert [subject for subject, _ in announced] == ["webhooks.endpoint.disabled"]
    assert json.loads(announced[0][1])["data"]["endpoint_id"] == endpoint["id"]
    assert requests_when_disabled >= 2
    assert failed, "deliveries past their retry period are failed"
    assert enabled["status"] == "active"
    assert ping["event_type"] == "bianmin.webhooks.test.v1"
    assert after["status"] == "active"
    assert after["failing_since"] is None


async def test_a_success_clears_failing(fast: WebhooksSettings, receiver: Receiver) -> None:
    receiver.respond("/hook", lambda n: (500, 0.0))
    app = create_app(fast.model_copy(update={"retry_period_seconds": 0.2}))
    async with running(app), client_for(app, township(TOWNSHIP_A)) as client:
        endpoint = await register(client, receiver.url())
        url = f"/v1/endpoints/{endpoint['id']}"
        await deliver_event(app, ticket_called(1))
        await eventually(lambda: _endpoint_status(client, url, "failing"))
        receiver.respond("/hook", lambda n: (200, 0.0))
        await deliver_event(app, ticket_called(2))
        await eventually(lambda: _endpoint_status(client, url, "active"))


async def test_replays_resend_with_the_same_webhook_ids(live: FastAPI, receiver: Receiver) -> None:
    async with client_for(live, township(TOWNSHIP_A)) as client:
        endpoint = await register(client, receiver.url())
        for n in range(3):
            await deliver_event(live, ticket_called(n))
        await eventually(lambda: _has(receiver, 3))
        rows = await delivery_rows(live)
        for row in rows:
            await eventually(lambda row=row: _status(live, row.id, "succeeded"))
        one = await client.post(f"/v1/deliveries/{rows[0].id}/replay")
        await eventually(lambda: _has(receiver, 4))
        await eventually(lambda: _status(live, rows[0].id, "succeeded"))
        start = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
        end = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        ranged = await client.post(f"/v1/endpoints/{endpoint['id']}/replay", json={"from": start, "to": end})
        await eventually(lambda: _has(receiver, 7))
    assert one.status_code == 202
    assert one.json()["webhook_id"] == rows[0].webhook_id
    assert ranged.json()["queued"] == 3
    ids = [r.headers["webhook-id"] for r in receiver.received()]
    assert ids[3] == rows[0].webhook_id
    assert sorted(ids[4:]) == sorted(r.webhook_id for r in rows)
    assert all(signature_valid(endpoint["secret"], r.headers, r.body) for r in receiver.received())


async def test_a_slow_receiver_does_not_hold_back_another_endpoint(fast: WebhooksSettings, receiver: Receiver) -> None:
    """Proved by order, not by timing: the slow endpoint's first request is held until the fast one got everything."""
    released = receiver.hold("/slow")
    app = create_app(fast.model_copy(update={"endpoint_concurrency": 1}))
    async with running(app), client_for(app, township(TOWNSHIP_A)) as client:
        await register(client, receiver.url("/slow"))
        await register(client, receiver.url("/fast"))
        for n in range(5):
            await deliver_event(app, ticket_called(n))
        await eventually(lambda: _has(receiver, 5, "/fast"))
        held = receiver.arrived("/slow")
        answered_while_held = len(receiver.received("/slow"))
        released.set()
        await eventually(lambda: _has(receiver, 5, "/slow"), timeout=10)
    assert held <= 1  # one request in flight per endpoint: the rest wait behind the held one
    assert answered_while_held == 0
    # With one request in flight per endpoint, the first attempts reach the receiver in event order.
    assert [json.loads(r.body)["data"]["n"] for r in receiver.received("/slow")] == [0, 1, 2, 3, 4]


async def test_a_delivery_claimed_by_a_process_that_died_goes_out_after_its_lease(
        fast: WebhooksSettings, receiver: Receiver) -> None:
    parked = create_app(fast.model_copy(update={"deliver_enabled": False}))
    async with running(parked), client_for(parked, township(TOWNSHIP_A)) as client:
        endpoint = await register(client, receiver.url())
        await deliver_event(parked, ticket_called())
        async with parked.state.db.sessionmaker() as session:  # a process claims it, then dies without a word
            [taken] = await claim(session, now=datetime.now(UTC), limit=10, per_endpoint=4, lease_seconds=1.5)
            await session.commit()
    claimed_at = time.monotonic()
    restarted = create_app(fast)
    async with running(restarted):
        await asyncio.sleep(0.5)
        assert receiver.received() == []  # still leased to the dead process
        await eventually(lambda: _has(receiver, 1), timeout=5)
        await eventually(lambda: _status(restarted, taken.delivery_id, "succeeded"))
    assert time.monotonic() - claimed_at >= 1.4
    [request] = receiver.received()
    assert request.headers["webhook-id"] == taken.webhook_id
    assert signature_valid(endpoint["secret"], request.headers, request.body)


async def test_a_request_cut_off_by_a_stop_is_sent_again_after_the_restart(
        fast: WebhooksSettings, receiver: Receiver) -> None:
    receiver.respond("/hook", lambda n: (200, 0.3 if n == 1 else 0.0))
    first = create_app(fast)
    async with running(first), client_for(first, township(TOWNSHIP_A)) as client:
        await register(client, receiver.url())
        await deliver_event(first, ticket_called())
        [row] = await delivery_rows(first)
        await eventually(lambda: _attempt_started(receiver))
    # The app stopped mid-request: the worker was cancelled before it could record the answer.
    second = create_app(fast)
    async with running(second):
        await eventually(lambda: _status(second, row.id, "succeeded"), timeout=5)
    await eventually(lambda: _has(receiver, 2))
    assert {r.headers["webhook-id"] for r in receiver.received()} == {row.webhook_id}


async def _has(receiver: Receiver, n: int, path: str | None = None) -> bool:
    return len(receiver.received(path)) >= n


async def _attempt_started(receiver: Receiver) -> bool:
    return receiver._counts.get("/hook", 0) >= 1


async def _status(app: FastAPI, delivery_id: int, status: str) -> bool:
    async with app.state.db.sessionmaker() as session:
        row = await session.get(Delivery, delivery_id)
        return row is not None and row.status == status


async def _attempts(app: FastAPI, delivery_id: int, n: int) -> bool:
    async with app.state.db.sessionmaker() as session:
        row = await session.get(Delivery, delivery_id)
        return row is not None and row.attempts >= n


async def _endpoint_status(client: object, url: str, status: str) -> bool:
    response = await client.get(url)  # type: ignore[attr-defined]
    return response.json()["status"] == status


async def test_two_replicas_on_one_database_send_each_delivery_once(fast: WebhooksSettings, receiver: Receiver) -> None:
    first, second = create_app(fast), create_app(fast)
    async with running(first), running(second), client_for(first, township(TOWNSHIP_A)) as client:
        await register(client, receiver.url())
        for n in range(30):
            await deliver_event(first if n % 2 else second, ticket_called(n))
        await eventually(lambda: _has(receiver, 30))
        rows = await delivery_rows(first)
        for row in rows:
            await eventually(lambda row=row: _status(first, row.id, "succeeded"))
        await asyncio.sleep(0.2)
    ids = [r.headers["webhook-id"] for r in receiver.received()]
    assert len(ids) == 30
    assert sorted(ids) == sorted(row.webhook_id for row in rows)


async def test_after_a_rotation_both_secrets_sign_until_the_overlap_ends(fast: WebhooksSettings, receiver: Receiver) -> None:
    app = create_app(fast.model_copy(update={"secret_overlap_seconds": 1.0}))
    async with running(app), client_for(app, township(TOWNSHIP_A)) as client:
        endpoint = await register(client, receiver.url())
        rotated = (await client.post(f"/v1/endpoints/{endpoint['id']}/rotate-secret")).json()
        await deliver_event(app, ticket_called(1))
        await eventually(lambda: _has(receiver, 1))
        await asyncio.sleep(1.1)
        await deliver_event(app, ticket_called(2))
        await eventually(lambda: _has(receiver, 2))
    during, after = receiver.received()
    assert rotated["previous_valid_until"] is not None
    assert len(during.headers["webhook-signature"].split()) == 2
    assert signature_valid(endpoint["secret"], during.headers, during.body)
    assert signature_valid(rotated["secret"], during.headers, during.body)
    assert len(after.headers["webhook-signature"].split()) == 1
    assert signature_valid(rotated["secret"], after.headers, after.body)
    assert not signature_valid(endpoint["secret"], after.headers, after.body)
