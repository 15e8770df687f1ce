"""Claims under a lease: two deliverers never take the same row, the per-endpoint limit holds across them,
and an outcome recorded after a lost lease changes nothing but the log."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import select
from webhooks_factories import TOWNSHIP_A, deliver_event, register, township

from bianmin.contracts.envelope import CloudEvent
from bianmin.testing.client import client_for
from bianmin.webhooks.domain.claims import Outcome, RetryPolicy, claim, finish
from bianmin.webhooks.models import Attempt, Delivery

POLICY = RetryPolicy(base_seconds=1.0, max_seconds=10.0, period_seconds=3600.0, disable_after_seconds=86_400.0)


def called(n: int) -> CloudEvent:
    return CloudEvent(source="/bianmin/queue", type="bianmin.queue.ticket.called.v1", tenant=TOWNSHIP_A, data={"n": n})


async def _claim(app: FastAPI, now: datetime, *, limit: int = 100, per_endpoint: int = 4) -> list[int]:
    async with app.state.db.sessionmaker() as session:
        claims = await claim(session, now=now, limit=limit, per_endpoint=per_endpoint, lease_seconds=30)
        await session.commit()
    return [c.delivery_id for c in claims]


async def test_two_deliverers_claiming_at_once_never_take_the_same_delivery(app: FastAPI) -> None:
    async with client_for(app, township(TOWNSHIP_A)) as client:
        for n in range(3):
            await register(client, f"https://hooks{n}.example.com/in")
    for n in range(10):
        await deliver_event(app, called(n))
    now = app.state.clock.now()
    first, second = await asyncio.gather(_claim(app, now), _claim(app, now))
    assert not set(first) & set(second)
    assert len(first) + len(second) == 12  # three endpoints, four in flight each, over both deliverers
    again = await _claim(app, now)
    assert again == []  # every endpoint is at its limit until a lease ends
    assert len(await _claim(app, now + timedelta(seconds=31))) == 12  # expired leases are free again


async def test_each_endpoint_gets_its_oldest_deliveries_first_and_a_share_of_a_small_batch(app: FastAPI) -> None:
    async with client_for(app, township(TOWNSHIP_A)) as client:
        busy = await register(client, "https://busy.example.com/in")
        await register(client, "https://quiet.example.com/in", event_types=["queue.ticket.issued"])
    for n in range(6):
        await deliver_event(app, called(n))
    await deliver_event(app, CloudEvent(source="/bianmin/queue", type="bianmin.queue.ticket.issued.v1",
                                        tenant=TOWNSHIP_A, data={}))
    taken = await _claim(app, app.state.clock.now(), limit=2, per_endpoint=4)
    async with app.state.db.sessionmaker() as session:
        rows = {d.id: d for d in (await session.scalars(select(Delivery))).all()}
    busy_rows = sorted(d.id for d in rows.values() if d.endpoint_id == busy["id"])
    assert {rows[i].endpoint_id for i in taken} == {busy["id"], busy["id"] + 1}
    assert busy_rows[0] in taken


async def test_an_outcome_after_a_lost_lease_is_logged_but_changes_nothing(app: FastAPI) -> None:
    async with client_for(app, township(TOWNSHIP_A)) as client:
        await register(client, "https://hooks.example.com/in")
    await deliver_event(app, called(1))
    now = app.state.clock.now()
    async with app.state.db.sessionmaker() as session:
        [stale] = await claim(session, now=now, limit=1, per_endpoint=1, lease_seconds=5)
        await session.commit()
    later = now + timedelta(seconds=6)
    async with app.state.db.sessionmaker() as session:
        [fresh] = await claim(session, now=later, limit=1, per_endpoint=1, lease_seconds=5)
        await session.commit()
    assert fresh.delivery_id == stale.delivery_id
    assert fresh.token != stale.token
    async with app.state.db.sessionmaker() as session:
        assert await finish(session, stale, Outcome(status_code=500, latency_ms=3), now=later, policy=POLICY) is None
        await session.commit()
    async with app.state.db.sessionmaker() as session:
        assert await finish(session, fresh, Outcome(status_code=200, latency_ms=4), now=later, policy=POLICY) == "succeeded"
        await session.commit()
    async with app.state.db.sessionmaker() as session:
        delivery = await session.get(Delivery, fresh.delivery_id)
        attempts = (await session.scalars(select(Attempt.status_code).order_by(Attempt.id))).all()
    assert delivery is not None
    assert delivery.attempts == 1
    assert delivery.status == "succeeded"
    assert list(attempts) == [500, 200]


async def test_a_failed_attempt_is_due_again_after_a_backoff_within_bounds(app: FastAPI) -> None:
    async with client_for(app, township(TOWNSHIP_A)) as client:
        await register(client, "https://hooks.example.com/in")
    await deliver_event(app, called(1))
    now = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    async with app.state.db.sessionmaker() as session:
        [taken] = await claim(session, now=now, limit=1, per_endpoint=1, lease_seconds=5)
        assert await finish(session, taken, Outcome(status_code=None, latency_ms=5000, error="timeout"),
                            now=now, policy=POLICY) == "pending"
        await session.commit()
        delivery = await session.get(Delivery, taken.delivery_id)
    assert delivery is not None
    assert now + timedelta(seconds=0.5) <= delivery.next_attempt_at <= now + timedelta(seconds=1)
    assert delivery.lease_token is None
    assert await _claim(app, now) == []
    assert await _claim(app, now + timedelta(seconds=1)) == [taken.delivery_id]
