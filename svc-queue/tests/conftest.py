"""Fixtures of the queue service's tests: a migrated database per test and a running app."""

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI

from bianmin.kit.testing.client import TEST_SECRET, running
from bianmin.kit.testing.databases import TestDatabases
from bianmin.queue.app import create_app
from bianmin.queue.settings import QueueSettings

MIGRATIONS = "bianmin.queue.migrations"


@pytest.fixture
def settings(db_backend: str, test_databases: TestDatabases) -> QueueSettings:
    """Settings over a fresh migrated database, with events off (HTTP-only tests)."""
    return QueueSettings(database_url=test_databases.url(db_backend, MIGRATIONS),
                         internal_secret=TEST_SECRET, events_enabled=False)


@pytest.fixture
async def app(settings: QueueSettings) -> AsyncIterator[FastAPI]:
    """The running application."""
    application = create_app(settings)
    async with running(application):
        yield application
