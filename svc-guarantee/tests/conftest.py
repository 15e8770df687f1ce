"""Fixtures of the guarantee service's tests: a migrated database per test and a running app."""

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from bianmin.guarantee.app import create_app
from bianmin.guarantee.settings import GuaranteeSettings
from bianmin.kit.clock import FixedClock
from bianmin.testing.client import TEST_SECRET, running
from bianmin.testing.databases import TestDatabases

MIGRATIONS = "bianmin.guarantee.migrations"
# The tests' helpers (guarantee_factories) are imported by name; the name is unique across services.
sys.path.insert(0, str(Path(__file__).parent))
import guarantee_factories  # noqa: E402


@pytest.fixture
def settings(db_backend: str, test_databases: TestDatabases) -> GuaranteeSettings:
    """Settings over a fresh migrated database, with events off (HTTP-only tests)."""
    return GuaranteeSettings(database_url=test_databases.url(db_backend, MIGRATIONS),
                         internal_secret=TEST_SECRET, events_enabled=False)


@pytest.fixture
async def app(settings: GuaranteeSettings) -> AsyncIterator[FastAPI]:
    """The running application."""
    application = create_app(settings)
    async with running(application):
        yield application


@pytest.fixture
async def clocked_app(settings: GuaranteeSettings) -> AsyncIterator[FastAPI]:
    """The running application on a clock the test moves (starts at ``factories.NOW``)."""
    application = create_app(settings, clock=FixedClock(guarantee_factories.NOW))
    async with running(application):
        yield application
