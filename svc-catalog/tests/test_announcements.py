"""Re-announcement: the whole calendar goes out again well inside the stream's retention, once across replicas."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.catalog.app import create_app
from bianmin.catalog.domain.announcements import ANNOUNCERS, announce_due
from bianmin.catalog.settings import CatalogSettings
from bianmin.catalog.workers import announcement_pass
from bianmin.contracts.envelope import CloudEvent
from bianmin.kit.calendar import bundled_years
from bianmin.kit.clock import FixedClock
from bianmin.kit.events.streams import RETENTION_DAYS
from bianmin.kit.tables import calendar_year, outbox_event
from bianmin.testing.client import client_for, running
from bianmin.testing.events import eventually

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
EVERY = timedelta(days=30)


async def announced(app: FastAPI) -> list[tuple[str, str]]:
    """The calendar events in the outbox, oldest first: (subject, what each is about)."""
    async with app.state.db.sessionmaker() as session:
        bodies = (await session.execute(select(outbox_event.c.subject, outbox_event.c.body)
                                        .where(outbox_event.c.subject.like("catalog.calendar.%"))
                                        .order_by(outbox_event.c.seq))).all()
    return [(subject, CloudEvent.model_validate_json(body).subject or "") for subject, body in bodies]


def test_the_default_period_is_well_inside_the_streams_retention() -> None:
    assert CatalogSettings().announce_days * 2 < RETENTION_DAYS


async def test_the_whole_calendar_goes_out_when_never_announced_and_again_only_when_due(app: FastAPI) -> None:
    async with client_for(app) as admin:
        await admin.put("/v1/calendar/2025-09-29", json={"workday": False, "note": "区庆"})
    sessions = app.state.db.sessionmaker
    overridden = [("catalog.calendar.changed", "2025-09-29")]
    before = await announced(app)
    first = await announce_due(sessions, now=NOW, every=EVERY, announcers=ANNOUNCERS)
    after_first = await announced(app)
    soon = await announce_due(sessions, now=NOW + timedelta(hours=1), every=EVERY, announcers=ANNOUNCERS)
    almost = await announce_due(sessions, now=NOW + EVERY - timedelta(seconds=1), every=EVERY, announcers=ANNOUNCERS)
    due = await announce_due(sessions, now=NOW + EVERY, every=EVERY, announcers=ANNOUNCERS)
    years = [("catalog.calendar.year_loaded", str(year)) for year in sorted(bundled_years())]
    assert before == overridden
    assert first == {"calendar": len(years) + 1, "sites": 0}  # no site yet: the sites announcer had nothing to say
    assert after_first == overridden + years + overridden
    assert soon == {}
    assert almost == {}
    assert due == {"calendar": len(years) + 1, "sites": 0}
    assert await announced(app) == overridden + (years + overridden) * 2


async def test_each_year_goes_out_whole_at_its_current_version(app: FastAPI) -> None:
    year = max(bundled_years())
    async with client_for(app) as admin:
        await admin.put(f"/v1/calendar/years/{year + 1}", json={
            "notice": "测试用，虚构", "days": [{"day": f"{year + 1}-01-01", "workday": False, "name": "元旦"}]})
        await admin.put(f"/v1/calendar/years/{year + 1}", json={
            "notice": "测试用，虚构（更正）", "days": [{"day": f"{year + 1}-01-02", "workday": False, "name": "元旦"}]})
    await announce_due(app.state.db.sessionmaker, now=NOW, every=EVERY, announcers=ANNOUNCERS)
    async with app.state.db.sessionmaker() as session:
        stored = (await session.execute(select(calendar_year).where(calendar_year.c.year == year + 1))).one()
        bodies = (await session.execute(select(outbox_event.c.body).where(
            outbox_event.c.subject == "catalog.calendar.year_loaded").order_by(outbox_event.c.seq))).scalars().all()
    again = [CloudEvent.model_validate_json(b).data for b in bodies][-1]
    assert (again["year"], again["version"], again["notice"], again["digest"]) == (
        year + 1, 2, "测试用，虚构（更正）", stored.digest)
    assert again["days"] == [{"day": f"{year + 1}-01-02", "workday": False, "name": "元旦"}]
    assert again["loaded_by"] == stored.loaded_by == "key-admin"


async def test_replicas_announce_once_between_them(settings: CatalogSettings) -> None:
    replicas = [create_app(settings), create_app(settings)]
    async with running(replicas[0]), running(replicas[1]):
        results = await asyncio.gather(*(announce_due(r.state.db.sessionmaker, now=NOW, every=EVERY,
                                                      announcers=ANNOUNCERS) for r in replicas))
        events = await announced(replicas[0])
    # Each announcer's turn was taken by exactly one of the replicas.
    assert sorted(name for result in results for name in result) == sorted(ANNOUNCERS)
    assert len(events) == len(bundled_years())


async def test_an_announcer_that_fails_keeps_its_turn_and_holds_back_no_other(app: FastAPI) -> None:
    calls: list[str] = []

    def announcer(name: str, fail: bool) -> Callable[[AsyncSession], Awaitable[int]]:
        async def announce(session: AsyncSession) -> int:
            calls.append(name)
            await ANNOUNCERS["calendar"](session)
            if fail:
                raise RuntimeError("the registry could not be read")
            return 1
        return announce

    sessions = app.state.db.sessionmaker
    first = await announce_due(sessions, now=NOW, every=EVERY,
                               announcers={"sites": announcer("sites", True), "calendar": announcer("calendar", False)})
    second = await announce_due(sessions, now=NOW + timedelta(minutes=5), every=EVERY,
                                announcers={"sites": announcer("sites", False), "calendar": announcer("calendar", False)})
    assert first == {"sites": -1, "calendar": 1}
    assert second == {"sites": 1}
    assert calls == ["sites", "calendar", "sites"]
    # The failed pass wrote nothing: its events went with its rolled-back transaction.
    assert len(await announced(app)) == 2 * len(bundled_years())


async def test_a_catalog_announces_at_its_first_start_and_not_at_each_restart(settings: CatalogSettings) -> None:
    clock = FixedClock(NOW)
    # Events on, with no NATS to reach: the outbox keeps what would be published.
    with_events: dict[str, Any] = {"events_enabled": True, "nats_url": "nats://127.0.0.1:1"}
    first = create_app(settings.model_copy(update=with_events), clock=clock)
    async with running(first):
        async def all_written() -> bool:
            return len(await announced(first)) == len(bundled_years())

        await eventually(all_written, timeout=10)
    clock.advance(timedelta(days=1))
    restarted = create_app(settings.model_copy(update=with_events), clock=clock)
    async with running(restarted):
        again = await announcement_pass(restarted)
        events = await announced(restarted)
    quiet = create_app(settings, clock=clock)  # events off: nothing to announce to
    clock.advance(EVERY)
    async with running(quiet):
        await asyncio.sleep(0.1)
        unchanged = await announced(quiet)
    assert again == {}
    assert len(events) == len(bundled_years())
    assert unchanged == events
