"""A service that counts working days shows its copy of the calendar and warns before the copy runs out.

The copy holds a fabricated 2031 (no real notice is involved); the clock stands 50 days before its
end, then 70.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest
from fastapi import FastAPI

from bianmin.contracts.events.catalog import CalendarYearLoaded, NoticeDay
from bianmin.kit.app import ServiceSpec, create_service_app
from bianmin.kit.calendar import notice_digest, store_year
from bianmin.kit.clock import FixedClock
from bianmin.kit.db import Database
from bianmin.kit.settings import ServiceSettings
from bianmin.testing.client import DISTRICT_ADMIN, TEST_SECRET, client_for, running

DAYS = [NoticeDay(day=date(2031, 1, 1), workday=False, name="元旦（虚构）")]
CLOCK = FixedClock(datetime(2031, 11, 11, 2, 0, tzinfo=UTC))  # 50 days before 2031 ends


@pytest.fixture
async def service(kit_database_url: str) -> AsyncIterator[FastAPI]:
    database = Database(kit_database_url)
    async with database.sessionmaker() as session:
        await store_year(session, CalendarYearLoaded(
            year=2031, version=1, notice="虚构通知 2031", days=DAYS, digest=notice_digest(2031, DAYS),
            loaded_by="test", loaded_at=CLOCK.at))
        await session.commit()
    await database.dispose()
    settings = ServiceSettings(service_name="test", database_url=kit_database_url, internal_secret=TEST_SECRET,
                               events_enabled=False)
    application = create_service_app(ServiceSpec(name="test", title="t", description="d", calendar=True),
                                     settings, clock=CLOCK)
    async with running(application):
        yield application


async def test_readiness_and_the_cockpit_figures_warn_naming_the_year_to_load(service: FastAPI) -> None:
    async with client_for(service, DISTRICT_ADMIN) as client:
        ready = (await client.get("/readyz")).json()
        stats = (await client.get("/v1/stats/overview")).json()
        years = (await client.get("/v1/calendar/years")).json()
        CLOCK.at = datetime(2031, 10, 22, 2, 0, tzinfo=UTC)  # 70 days before
        calm = (await client.get("/readyz")).json()
        calm_stats = (await client.get("/v1/stats/overview")).json()
    assert ready["status"] == "ready"  # a warning, not an outage: deadlines are still answered, provisionally
    assert ready["calendar"]["last_year"] == 2031
    assert ready["calendar"]["missing_year"] == 2032
    assert "2032" in ready["calendar"]["warning"]
    assert stats["warnings"] == [ready["calendar"]["warning"]]
    assert [(y["year"], y["version"], y["notice"], y["holidays"]) for y in years] == [(2031, 1, "虚构通知 2031", 1)]
    assert calm["calendar"]["warning"] is None
    assert calm_stats["warnings"] == []
