"""Fixtures of the credit service's tests: a migrated database per test, a movable clock, a running app."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI

from bianmin.credit.app import create_app
from bianmin.credit.settings import CreditSettings
from bianmin.kit.clock import FixedClock
from bianmin.testing.client import TEST_SECRET, running
from bianmin.testing.databases import TestDatabases

MIGRATIONS = "bianmin.credit.migrations"
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def settings(db_backend: str, test_databases: TestDatabases) -> CreditSettings:
    """Settings over a fresh migrated database, with events and the daily worker off (HTTP-only tests)."""
    return CreditSettings(database_url=test_databases.url(db_backend, MIGRATIONS),
                          internal_secret=TEST_SECRET, events_enabled=False, recompute_enabled=False)


@pytest.fixture
def clock() -> FixedClock:
    """The application's clock, at 2026-03-02 10:00 in Shanghai until a test moves it."""
    return FixedClock(START)


@pytest.fixture
async def app(settings: CreditSettings, clock: FixedClock) -> AsyncIterator[FastAPI]:
    """The running application."""
    application = create_app(settings, clock=clock)
    async with running(application):
        yield application
