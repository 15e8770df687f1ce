"""Fixtures of the consult service's tests: a migrated database per test and a running app."""

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI

from bianmin.consult.app import create_app
from bianmin.consult.settings import ConsultSettings
from bianmin.kit.testing.client import TEST_SECRET, running
from bianmin.kit.testing.databases import TestDatabases

MIGRATIONS = "bianmin.consult.migrations"


@pytest.fixture
def settings(db_backend: str, test_databases: TestDatabases) -> ConsultSettings:
    """Settings over a fresh migrated database, with events off (HTTP-only tests)."""
    return ConsultSettings(database_url=test_databases.url(db_backend, MIGRATIONS),
                         internal_secret=TEST_SECRET, events_enabled=False)


@pytest.fixture
async def app(settings: ConsultSettings) -> AsyncIterator[FastAPI]:
    """The running application."""
    application = create_app(settings)
    async with running(application):
        yield application
