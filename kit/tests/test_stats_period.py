"""The cockpit's period: days outside 1900-2999 are a 422 naming the parameter, never a date overflow (500)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI

from bianmin.kit.app import ServiceSpec, create_service_app
from bianmin.kit.settings import ServiceSettings
from bianmin.kit.stats import Figure, StatsContext
from bianmin.testing.client import TEST_SECRET, client_for, running

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def day_bounds(ctx: StatsContext) -> list[Figure]:
    """What the services' stats do with a period: its days' bounds in UTC, the day after the last one included."""
    period, days = ctx.period, 0
    if period.start and period.end:
        start = datetime.combine(period.start, time(), tzinfo=SHANGHAI).astimezone(ZoneInfo("UTC"))
        end = datetime.combine(period.end + timedelta(days=1), time(), tzinfo=SHANGHAI).astimezone(ZoneInfo("UTC"))
        days = (end - start).days
    return [Figure(name="days", value=days, unit="days", definition="Days in the period.")]


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    settings = ServiceSettings(service_name="things", database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
                               internal_secret=TEST_SECRET, events_enabled=False)
    return create_service_app(ServiceSpec(name="things", title="Things", description="d", stats=day_bounds), settings)


@pytest.mark.parametrize(("query", "field"), [("from=0001-01-01&to=2026-01-01", "from"), ("from=2026-01-01&to=9999-12-31", "to"),
                                              ("from=1899-12-31", "from"), ("to=3000-01-01", "to")])
async def test_a_day_out_of_range_is_a_422_naming_it(app: FastAPI, query: str, field: str) -> None:
    async with running(app), client_for(app) as client:
        response = await client.get(f"/v1/stats/overview?{query}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


async def test_the_range_ends_are_accepted(app: FastAPI) -> None:
    async with running(app), client_for(app) as client:
        response = await client.get("/v1/stats/overview?from=1900-01-01&to=2999-12-31")
    assert response.status_code == 200
    assert response.json()["figures"][0]["value"] == (datetime(3000, 1, 1) - datetime(1900, 1, 1)).days
