"""Fixtures of the kit's own tests: a database holding only the kit's tables."""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from bianmin.kit.db import Database
from bianmin.kit.tables import kit_metadata
from bianmin.testing.databases import POSTGRES_ENV, _admin, _asyncpg_url


async def _create_tables(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(kit_metadata.create_all)
    await engine.dispose()


@pytest.fixture
def kit_database_url(db_backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh database with the kit's tables (the services create them through their migrations)."""
    if db_backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'kit.db'}"
        asyncio.run(_create_tables(url))
        yield url
        return
    name = f"bianmin_test_kit_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    url = _asyncpg_url(os.environ[POSTGRES_ENV], name)
    asyncio.run(_create_tables(url))
    yield url
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def db(kit_database_url: str) -> AsyncIterator[Database]:
    """A :class:`Database` on :func:`kit_database_url`, disposed after the test."""
    database = Database(kit_database_url)
    yield database
    await database.dispose()


@pytest.fixture
def kit_sqlite(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Makes SQLite databases with the kit's tables, by name, under the test's folder."""

    def make(name: str) -> str:
        url = f"sqlite+aiosqlite:///{tmp_path / f'{name}.db'}"
        asyncio.run(_create_tables(url))
        return url

    return make
