"""The kit's tables are pruned after their retention periods, and nothing that can still matter goes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select

from bianmin.kit.db import Database
from bianmin.kit.maintenance import prune
from bianmin.kit.settings import ServiceSettings
from bianmin.kit.tables import idempotency_record, inbox_event, outbox_event
from bianmin.testing.client import TEST_SECRET

NOW = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)


async def _count(db: Database, table: object) -> int:
    async with db.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(table)))  # type: ignore[arg-type]


async def test_stored_answers_inbox_rows_and_sent_events_go_after_their_retention_and_no_sooner(
        kit_database_url: str) -> None:
    db = Database(kit_database_url)
    settings = ServiceSettings(service_name="test", database_url=kit_database_url, internal_secret=TEST_SECRET)
    ages = {"fresh": timedelta(hours=1), "day_old": timedelta(hours=25), "month_old": timedelta(days=30),
            "past_streams": timedelta(days=101)}
    async with db.sessionmaker() as session:
        for name, age in ages.items():
            at = NOW - age
            await session.execute(insert(idempotency_record).values(
                owner="k", key=name, method="POST", path="/v1/x", request_hash="h", status_code=201,
                response_body="{}", created_at=at))
            await session.execute(insert(inbox_event).values(consumer="queue__catalog", event_id=name,
                                                             subject="catalog.item.published", received_at=at))
            for state, published in (("sent", at), ("unsent", None)):
                await session.execute(insert(outbox_event).values(
                    event_id=f"{name}-{state}", subject="catalog.item.published", body="{}", headers={},
                    created_at=at, published_at=published))
        await session.commit()
    async with db.sessionmaker() as session:
        pruned = await prune(session, now=NOW, settings=settings)
        again = await prune(session, now=NOW, settings=settings)
    async with db.sessionmaker() as session:
        answers = set((await session.execute(select(idempotency_record.c.key))).scalars())
        inbox = set((await session.execute(select(inbox_event.c.event_id))).scalars())
        outbox = set((await session.execute(select(outbox_event.c.event_id))).scalars())
    await db.dispose()
    # A stored answer lives a day; an inbox row outlives the stream's 90 days; a sent event a week.
    assert answers == {"fresh"}
    assert inbox == {"fresh", "day_old", "month_old"}
    assert outbox == {"fresh-sent", "day_old-sent", *(f"{name}-unsent" for name in ages)}
    assert (pruned.idempotency, pruned.inbox, pruned.outbox) == (3, 1, 2)
    assert (again.idempotency, again.inbox, again.outbox) == (0, 0, 0)


async def test_every_service_runs_the_pruning(kit_database_url: str) -> None:
    from bianmin.kit.app import ServiceSpec, create_service_app
    from bianmin.testing.client import running

    settings = ServiceSettings(service_name="test", database_url=kit_database_url, internal_secret=TEST_SECRET,
                               events_enabled=False, maintenance_seconds=0.1)
    app = create_service_app(ServiceSpec(name="test", title="t", description="d"), settings)
    async with running(app):
        db: Database = app.state.db
        async with db.sessionmaker() as session:
            await session.execute(insert(idempotency_record).values(
                owner="k", key="old", method="POST", path="/v1/x", request_hash="h", status_code=201,
                response_body="{}", created_at=datetime.now(UTC) - timedelta(days=3)))
            await session.commit()
        from bianmin.testing.events import eventually

        async def pruned() -> bool:
            return await _count(db, idempotency_record) == 0

        await eventually(pruned)
