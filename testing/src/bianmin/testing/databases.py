"""Migrated databases for tests: a fresh SQLite file per test, or a truncated PostgreSQL database.

Every database is built by running the service's migrations, never ``create_all``, so the tests
exercise the migrations too. SQLite: migrate once per session into a template file and copy it
per test. PostgreSQL (``BIANMIN_TEST_POSTGRES_URL``): create one database per service and session,
migrate it, truncate every table before each test, and drop it at the end. Each starts with the
data of :mod:`bianmin.testing.registry` (the bundled calendar years, the demo district's sites).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bianmin.kit.migrations import upgrade
from bianmin.testing.registry import seed

POSTGRES_ENV = "BIANMIN_TEST_POSTGRES_URL"


def backends() -> list[str]:
    """The database backends this test run covers."""
    return ["sqlite", "postgresql"] if os.environ.get(POSTGRES_ENV) else ["sqlite"]


def _asyncpg_url(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql+asyncpg")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def _admin(sql: str) -> None:
    engine = create_async_engine(_asyncpg_url(os.environ[POSTGRES_ENV]), isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(sql))
    await engine.dispose()


class TestDatabases:
    """Hands out migrated databases per service package for one test session."""

    __test__ = False

    def __init__(self, root: Path) -> None:
        self.root = root
        self._templates: dict[str, Path] = {}
        self._postgres: dict[str, str] = {}

    def sqlite(self, package: str) -> str:
        """The URL of a fresh, migrated SQLite database for one test."""
        template = self._templates.get(package)
        if template is None:
            template = self.root / f"template-{package}.db"
            upgrade(package, f"sqlite+aiosqlite:///{template}")
            asyncio.run(seed(f"sqlite+aiosqlite:///{template}", calendar=False))
            self._templates[package] = template
        copy = self.root / f"{package}-{uuid.uuid4().hex[:12]}.db"
        shutil.copyfile(template, copy)
        return f"sqlite+aiosqlite:///{copy}"

    def postgresql(self, package: str) -> str:
        """The URL of the session's PostgreSQL database for ``package``, emptied for one test."""
        url = self._postgres.get(package)
        if url is None:
            name = f"bianmin_test_{package.split('.')[1]}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
            asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
            url = _asyncpg_url(os.environ[POSTGRES_ENV], name)
            upgrade(package, url)
            asyncio.run(seed(url, calendar=False))
            self._postgres[package] = url
        else:
            asyncio.run(_truncate_all(url))
            asyncio.run(seed(url, calendar=True))
        return url

    def url(self, backend: str, package: str) -> str:
        """A fresh migrated database of ``backend`` for ``package``."""
        return self.sqlite(package) if backend == "sqlite" else self.postgresql(package)

    def close(self) -> None:
        """Drop the PostgreSQL databases this session created."""
        for url in self._postgres.values():
            name = make_url(url).database
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self._postgres.clear()


async def _truncate_all(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        names = (await connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        ))).scalars().all()
        if names:
            joined = ", ".join(f'"{n}"' for n in names)
            await connection.execute(text(f"TRUNCATE {joined} RESTART IDENTITY CASCADE"))
    await engine.dispose()
