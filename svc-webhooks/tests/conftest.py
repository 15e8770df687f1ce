"""Fixtures of the webhooks service's tests: a migrated database per test, a running app, a local receiver."""

from __future__ import annotations

import ipaddress
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI

from bianmin.kit.clock import FixedClock
from bianmin.testing.client import TEST_SECRET, running
from bianmin.testing.databases import TestDatabases
from bianmin.testing.receiver import Receiver
from bianmin.webhooks.app import create_app
from bianmin.webhooks.settings import WebhooksSettings

# The tests import their helpers (webhooks_factories.py) from this folder.
sys.path.insert(0, str(Path(__file__).parent))

MIGRATIONS = "bianmin.webhooks.migrations"
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def settings(db_backend: str, test_databases: TestDatabases) -> WebhooksSettings:
    """Settings over a fresh migrated database; events and the deliverer off (HTTP-only tests)."""
    return WebhooksSettings(database_url=test_databases.url(db_backend, MIGRATIONS), internal_secret=TEST_SECRET,
                            events_enabled=False, deliver_enabled=False)


LOOPBACK = [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")]


@pytest.fixture
def fast(settings: WebhooksSettings) -> WebhooksSettings:
    """Settings with the deliverer on and every period short enough for a test to see it through.

    Loopback is allowed explicitly, as an operator would for development: these tests deliver to a
    receiver on 127.0.0.1, which the default settings refuse (``test_egress.py`` proves that).
    """
    return settings.model_copy(update={
        "allowed_networks": LOOPBACK,
        "deliver_enabled": True, "poll_seconds": 0.02, "connect_timeout_seconds": 0.5, "read_timeout_seconds": 0.5,
        "lease_seconds": 1.5, "backoff_base_seconds": 0.05, "backoff_max_seconds": 0.2,
        "retry_period_seconds": 30.0, "disable_after_seconds": 60.0,
    })


@pytest.fixture
def clock() -> FixedClock:
    """The application's clock for HTTP-only tests, at 2026-03-02 10:00 in Shanghai."""
    return FixedClock(START)


@pytest.fixture
async def app(settings: WebhooksSettings, clock: FixedClock) -> AsyncIterator[FastAPI]:
    """The running application (no deliverer, no events)."""
    application = create_app(settings, clock=clock)
    async with running(application):
        yield application


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A real HTTP server on a free loopback port, recording every request."""
    with Receiver() as server:
        yield server
