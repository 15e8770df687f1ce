"""Fixtures of the queue service's tests: a migrated database per test, a fixed clock and a running app."""

import sys
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
from fastapi import FastAPI

from bianmin.kit.clock import FixedClock
from bianmin.kit.workdays import SHANGHAI
from bianmin.queue.app import create_app
from bianmin.queue.settings import QueueSettings
from bianmin.testing.client import TEST_SECRET, running
from bianmin.testing.databases import TestDatabases

# The tests import their data builders (queue_factories.py) from this folder.
sys.path.insert(0, str(Path(__file__).parent))
MIGRATIONS = "bianmin.queue.migrations"
# Tuesday 1 December 2026, 09:00 in the district: a working day.
OPENING = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def settings(db_backend: str, test_databases: TestDatabases) -> QueueSettings:
    """Settings over a fresh migrated database, with events off (HTTP-only tests)."""
    return QueueSettings(database_url=test_databases.url(db_backend, MIGRATIONS),
                         internal_secret=TEST_SECRET, events_enabled=False, hall_worker_enabled=False,
                         stream_poll_seconds=0.1)


@pytest.fixture
def clock() -> FixedClock:
    """The app's clock, standing at 09:00 on a working day until a test moves it."""
    return FixedClock(OPENING)


@pytest.fixture
async def app(settings: QueueSettings, clock: FixedClock) -> AsyncIterator[FastAPI]:
    """The running application."""
    application = create_app(settings, clock=clock)
    async with running(application):
        yield application
