"""Fixtures of the credit service's tests: a migrated database per test and a running app."""

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI

from bianmin.credit.app import create_app
from bianmin.credit.settings import CreditSettings
from bianmin.kit.testing.client import TEST_SECRET, running
from bianmin.kit.testing.databases import TestDatabases

MIGRATIONS = "bianmin.credit.migrations"


@pytest.fixture
def settings(db_backend: str, test_databases: TestDatabases) -> CreditSettings:
    """Settings over a fresh migrated database, with events off (HTTP-only tests)."""
    return CreditSettings(database_url=test_databases.url(db_backend, MIGRATIONS),
                         internal_secret=TEST_SECRET, events_enabled=False)


@pytest.fixture
async def app(settings: CreditSettings) -> AsyncIterator[FastAPI]:
    """The running application."""
    application = create_app(settings)
    async with running(application):
        yield application
