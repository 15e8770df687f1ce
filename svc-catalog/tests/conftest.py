"""Fixtures of the catalog service's tests: a migrated database per test and a running app."""

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from bianmin.catalog.app import create_app
from bianmin.catalog.settings import CatalogSettings
from bianmin.testing.client import TEST_SECRET, running
from bianmin.testing.databases import TestDatabases

MIGRATIONS = "bianmin.catalog.migrations"
# The shared test factories (catalog_factories.py) are imported by name; the name is unique to this service.
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def settings(db_backend: str, test_databases: TestDatabases) -> CatalogSettings:
    """Settings over a fresh migrated database, with events off (HTTP-only tests), serving the demo district."""
    return CatalogSettings(database_url=test_databases.url(db_backend, MIGRATIONS),
                           internal_secret=TEST_SECRET, events_enabled=False, districts=["330199"])


@pytest.fixture
async def app(settings: CatalogSettings) -> AsyncIterator[FastAPI]:
    """The running application."""
    application = create_app(settings)
    async with running(application):
        yield application
