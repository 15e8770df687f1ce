"""Readiness and metrics tell the truth about the outbox: its backlog, its age, and stuck events.

Issue 17, finding 8: 435 acknowledged writes waited in the outbox while ``/readyz`` said ready. The
backlog (unsent rows) and the age of the oldest are now in ``/readyz`` and ``/metrics``; events
that wait while NATS is connected and the relay moves nothing make the service unready, while a
NATS outage alone still does not (``bianmin.kit.health`` says why).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import nats
import pytest
from fastapi import APIRouter, FastAPI
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import event, text, update

from bianmin.contracts.events.catalog import ItemChanged
from bianmin.kit.app import ServiceSpec, create_service_app
from bianmin.kit.db import Database, SessionDep
from bianmin.kit.events import emit
from bianmin.kit.events.backlog import Backlog, backlog_statements, is_stuck
from bianmin.kit.events.relay import OutboxRelay
from bianmin.kit.metrics import Metrics
from bianmin.kit.settings import ServiceSettings
from bianmin.kit.tables import outbox_event
from bianmin.testing.client import TEST_SECRET, client_for, running
from bianmin.testing.events import eventually, jetstream
from bianmin.testing.nats import NatsServer

router = APIRouter()


@router.post("/items/{code}", status_code=204)
async def publish_item(code: str, session: SessionDep) -> None:
    """Publish an item as the catalog would."""
    await emit(session, "catalog.item.published", ItemChanged(
        code=code, basic_code="B" + code, name="事项", department_code="SCJ", status="published", revision=1),
        about=code)
    await session.commit()


def catalog_app(nats_url: str, database_url: str, **overrides: Any) -> FastAPI:
    settings = ServiceSettings(service_name="catalog", database_url=database_url, internal_secret=TEST_SECRET,
                               nats_url=nats_url, relay_poll_seconds=0.2, **overrides)
    return create_service_app(ServiceSpec(name="catalog", title="c", description="c", routers=[router]), settings)


@pytest.fixture
def database_url(kit_sqlite: Callable[[str], str]) -> str:
    """A SQLite file with the kit's tables (made outside the test's event loop)."""
    return kit_sqlite("catalog")


def samples(metrics_text: str) -> dict[str, float]:
    return {sample.name: sample.value for family in text_string_to_metric_families(metrics_text)
            for sample in family.samples if sample.labels.get("service") == "catalog"}


async def test_readiness_and_metrics_report_the_backlog_and_its_age_and_a_nats_outage_stays_ready(
        fresh_nats: NatsServer, database_url: str) -> None:
    fresh_nats.stop()
    app = catalog_app(fresh_nats.url, database_url, outbox_stuck_seconds=1.0, outbox_check_seconds=0.1)
    async with running(app), client_for(app) as client:
        for code in ("A", "B", "C"):
            assert (await client.post(f"/v1/items/{code}")).status_code == 204
        async with app.state.db.sessionmaker() as session:
            await session.execute(update(outbox_event).where(outbox_event.c.seq == 1)
                                  .values(created_at=datetime.now(UTC) - timedelta(seconds=300)))
            await session.commit()

        async def counted() -> bool:
            return (await client.get("/readyz")).json()["outbox"]["pending"] == 3

        await eventually(counted)
        ready = await client.get("/readyz")
        metrics = samples((await client.get("/metrics")).text)
    # Five minutes old, far past the stuck threshold, yet NATS is down: the events wait, they are not stuck.
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "degraded"
    assert body["checks"] == {"database": "ok", "storage": "ok", "nats": "down", "outbox": "waiting", "clock": "ok"}
    assert body["outbox"]["pending"] == 3
    assert 300 <= body["outbox"]["oldest_pending_seconds"] < 400
    assert metrics["bianmin_outbox_pending_events"] == 3
    assert 300 <= metrics["bianmin_outbox_oldest_pending_seconds"] < 400


async def test_events_stuck_while_nats_is_connected_make_the_service_unready_until_they_flow(
        fresh_nats: NatsServer, database_url: str) -> None:
    app = catalog_app(fresh_nats.url, database_url, outbox_stuck_seconds=1.0, outbox_check_seconds=0.1)
    nc = await nats.connect(fresh_nats.url)
    js = nc.jetstream()
    try:
        async with running(app), client_for(app) as client:
            async def relay_running() -> bool:
                return app.state.bus.relay is not None

            await eventually(relay_running)
            assert (await client.get("/readyz")).json()["checks"]["outbox"] == "ok"
            # The stream is gone and another stream squats on part of its subjects: JetStream refuses to
            # create it again, so the catalog's events cannot go anywhere while NATS is up.
            await js.delete_stream("CATALOG")
            await js.add_stream(name="SQUATTER", subjects=["catalog.squatted.>"])
            assert (await client.post("/v1/items/STUCK")).status_code == 204

            async def unready() -> bool:
                return (await client.get("/readyz")).status_code == 503

            await eventually(unready, timeout=15)
            stuck = await client.get("/readyz")
            await js.delete_stream("SQUATTER")

            async def ready_and_drained() -> bool:
                answer = await client.get("/readyz")
                return answer.status_code == 200 and answer.json()["outbox"]["pending"] == 0

            await eventually(ready_and_drained, timeout=30)
            ready = (await client.get("/readyz")).json()
        assert stuck.headers["content-type"].startswith("application/problem+json")
        assert stuck.json()["code"] == "not_ready"
        assert stuck.json()["checks"] == {"database": "ok", "storage": "ok", "nats": "ok", "outbox": "stuck",
                                         "clock": "ok"}
        assert stuck.json()["outbox"]["pending"] == 1
        assert stuck.json()["outbox"]["oldest_pending_seconds"] >= 1.0
        assert ready["checks"] == {"database": "ok", "storage": "ok", "nats": "ok", "outbox": "ok", "clock": "ok"}
        assert (await js.stream_info("CATALOG")).state.messages == 1
    finally:
        await nc.close()


NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("case", "pending", "oldest", "connected", "progress", "expected"), [
    ("nothing pending", 0, None, 600, None, False),
    ("in flight", 3, 0.5, 600, 0.1, False),
    ("relay moves nothing while connected", 3, 120, 600, 90, True),
    ("relay never got going while connected", 3, 120, 600, None, True),
    ("nats down", 3, 600, None, 300, False),
    ("just reconnected after an outage", 500, 600, 5, 300, False),
    ("a long backlog going out after an outage", 90_000, 3600, 600, 0.2, False),
    ("an event written a moment ago, relay idle long", 1, 2, 600, 600, False),
])
def test_only_events_that_wait_with_nats_up_and_the_relay_idle_are_stuck(
        case: str, pending: int, oldest: float | None, connected: float | None, progress: float | None,
        expected: bool) -> None:
    def ago(seconds: float | None) -> datetime | None:
        return None if seconds is None else NOW - timedelta(seconds=seconds)

    backlog = Backlog(pending=pending, oldest_created_at=ago(oldest))
    assert is_stuck(backlog, now=NOW, connected_since=ago(connected), last_progress=ago(progress),
                    threshold_seconds=60) is expected, case


async def test_the_backlog_is_read_through_the_pending_index(database_url: str) -> None:
    db = Database(database_url)
    try:
        async with db.read_sessionmaker() as session:
            plans = []
            for statement in backlog_statements():
                compiled = statement.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
                rows = (await session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))).all()
                plans.append(" ".join(str(row[-1]) for row in rows))
    finally:
        await db.dispose()
    assert plans
    for plan in plans:
        assert "ix_outbox_event_pending" in plan, plan
        assert "SCAN outbox_event" not in plan, plan


async def test_the_backlog_is_counted_at_most_once_per_check_period(
        fresh_nats: NatsServer, database_url: str) -> None:
    fresh_nats.stop()
    app = catalog_app(fresh_nats.url, database_url, outbox_check_seconds=60)
    counts: list[str] = []

    def remember(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "count(" in statement.lower() and "outbox_event" in statement:
            counts.append(statement)

    async with running(app), client_for(app) as client:
        for engine in {app.state.db.engine, app.state.db.reader}:
            event.listen(engine.sync_engine, "before_cursor_execute", remember)
        for _ in range(10):
            assert "outbox" in (await client.get("/readyz")).json()
            assert "bianmin_outbox_pending_events" in (await client.get("/metrics")).text
    assert len(counts) == 1


async def test_the_relay_reports_progress_per_event_not_per_batch(
        fresh_nats: NatsServer, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    # A batch of a hundred events takes seconds on a loaded machine; progress counted per batch made
    # a backlog that was going out look stuck to readiness (seen in the fault suite).
    async with db.sessionmaker() as session:
        for code in ("A", "B", "C"):
            await emit(session, "catalog.item.published", ItemChanged(
                code=code, basic_code="B" + code, name="事项", department_code="SCJ", status="published",
                revision=1), about=code)
        await session.commit()
    async with jetstream(fresh_nats.url) as js:
        relay = OutboxRelay(db, js, Metrics("test"))
        seen: list[datetime | None] = []
        publish = js.publish

        async def remembering(*args: Any, **kwargs: Any) -> Any:
            seen.append(relay.last_progress)
            return await publish(*args, **kwargs)

        monkeypatch.setattr(js, "publish", remembering)
        assert await relay.drain() == 3
    assert seen[0] is None
    assert seen[1] is not None
    assert seen[2] is not None
    assert seen[2] > seen[1]
