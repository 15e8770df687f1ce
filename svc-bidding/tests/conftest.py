"""Fixtures of the bidding service's tests: a migrated database per test and a running app."""

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from bianmin.bidding.app import create_app
from bianmin.bidding.settings import BiddingSettings
from bianmin.kit.clock import FixedClock
from bianmin.testing.client import TEST_SECRET, running
from bianmin.testing.databases import TestDatabases

sys.path.insert(0, str(Path(__file__).parent))

from bidding_factories import T0

MIGRATIONS = "bianmin.bidding.migrations"


@pytest.fixture
def settings(db_backend: str, test_databases: TestDatabases) -> BiddingSettings:
    """Settings over a fresh migrated database, with events off (HTTP-only tests)."""
    return BiddingSettings(database_url=test_databases.url(db_backend, MIGRATIONS),
                         internal_secret=TEST_SECRET, events_enabled=False, worker_poll_seconds=3600)


@pytest.fixture
def clock() -> FixedClock:
    """The platform's time, standing still at T0 until a test moves it."""
    return FixedClock(T0)


@pytest.fixture
async def app(settings: BiddingSettings, clock: FixedClock) -> AsyncIterator[FastAPI]:
    """The running application."""
    application = create_app(settings, clock=clock)
    async with running(application):
        yield application
