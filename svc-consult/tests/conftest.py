"""Fixtures of the consult service's tests: a migrated database per test, a movable clock, a running app."""

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from bianmin.consult.app import create_app
from bianmin.consult.settings import ConsultSettings
from bianmin.kit.clock import FixedClock
from bianmin.testing.client import TEST_SECRET, running
from bianmin.testing.databases import TestDatabases

# The shared test factories (consult_factories.py) are imported by name; the name is unique to this service.
sys.path.insert(0, str(Path(__file__).parent))

from consult_factories import at

MIGRATIONS = "bianmin.consult.migrations"


@pytest.fixture
def settings(db_backend: str, test_databases: TestDatabases) -> ConsultSettings:
    """Settings over a fresh migrated database, with events and the escalation worker off, serving the demo district."""
    return ConsultSettings(database_url=test_databases.url(db_backend, MIGRATIONS), district_site="330199000",
                           internal_secret=TEST_SECRET, events_enabled=False, escalation_enabled=False)


@pytest.fixture
def clock() -> FixedClock:
    """The app's clock, on Monday 2026-09-28 10:00 in Shanghai (just before National Day)."""
    return FixedClock(at("2026-09-28 10:00"))


@pytest.fixture
async def app(settings: ConsultSettings, clock: FixedClock) -> AsyncIterator[FastAPI]:
    """The running application."""
    application = create_app(settings, clock=clock)
    async with running(application):
        yield application
