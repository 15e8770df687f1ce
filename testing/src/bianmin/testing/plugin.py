"""The pytest plugin every Bianmin package's tests get by installing the kit.

Fixtures: ``nats_server`` (a real JetStream server on a free port, one per session),
``fresh_nats`` (one per test, for tests that must not see other tests' streams),
``test_databases`` (migrated databases per service), ``db_backend`` (``sqlite``, and
``postgresql`` too when ``BIANMIN_TEST_POSTGRES_URL`` is set). A test that takes ``db_backend``
is marked ``db`` so CI can run the database tests again on PostgreSQL alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bianmin.testing.databases import TestDatabases, backends
from bianmin.testing.nats import NatsServer


def pytest_configure(config: pytest.Config) -> None:
    """Declare the markers the plugin sets."""
    config.addinivalue_line("markers", "db: the test runs against a database backend")
    config.addinivalue_line("markers", "nats: the test needs a real nats-server")
    config.addinivalue_line("markers", "e2e: the test starts the platform's real processes")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that takes ``db_backend`` once per configured backend."""
    if "db_backend" in metafunc.fixturenames:
        metafunc.parametrize("db_backend", backends(), indirect=False)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark database and NATS tests so they can be selected."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "db_backend" in names:
            item.add_marker(pytest.mark.db)
        if "nats_server" in names or "fresh_nats" in names:
            item.add_marker(pytest.mark.nats)


@pytest.fixture(scope="session")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    """A real nats-server with JetStream for the whole session."""
    server = NatsServer(tmp_path_factory.mktemp("nats")).start()
    yield server
    server.stop()


@pytest.fixture
def fresh_nats(tmp_path: Path) -> Iterator[NatsServer]:
    """A nats-server of this test alone: no streams, consumers or messages of other tests."""
    server = NatsServer(tmp_path / "nats").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def test_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestDatabases]:
    """Migrated databases for the session; PostgreSQL ones are dropped at the end."""
    databases = TestDatabases(Path(tmp_path_factory.mktemp("databases")))
    yield databases
    databases.close()
