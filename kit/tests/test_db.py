"""Money, times, cursors and the calendar table, on each database backend."""

import asyncio
import os
import stat
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, Table, insert, select
from sqlalchemy.ext.asyncio import create_async_engine

from bianmin.kit.calendar import load_calendar, set_override
from bianmin.kit.db import Database, Money, UTCDateTime, create_engine, new_metadata
from bianmin.kit.errors import Unprocessable
from bianmin.kit.pagination import PageParams, decode_cursor, encode_cursor

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)

metadata = new_metadata()
ledger = Table("ledger_line", metadata, Column("id", Integer, primary_key=True), Column("amount", Money()),
               Column("at", UTCDateTime()))


def upgrade_kit_tables(url: str) -> None:
    """What a migration does to a new SQLite file: open it through the kit's engine and create tables."""

    async def run() -> None:
        engine = create_engine(url)
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        await engine.dispose()

    asyncio.run(run())


async def test_money_is_exact_and_times_come_back_in_utc(kit_database_url: str) -> None:
    engine = create_async_engine(kit_database_url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    shanghai = timezone(timedelta(hours=8))
    async with engine.begin() as connection:
        await connection.execute(insert(ledger).values(
            id=1, amount=Decimal("0.1") + Decimal("0.2"), at=datetime(2026, 11, 27, 9, 30, tzinfo=shanghai)))
        row = (await connection.execute(select(ledger.c.amount, ledger.c.at))).one()
    await engine.dispose()
    assert row.amount == Decimal("0.30")
    assert row.at == datetime(2026, 11, 27, 1, 30, tzinfo=UTC)
    assert row.at.tzinfo == UTC


async def test_naive_times_are_refused(kit_database_url: str) -> None:
    engine = create_async_engine(kit_database_url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    with pytest.raises(Exception, match="naive datetime"):
        async with engine.begin() as connection:
            await connection.execute(insert(ledger).values(id=2, amount=Decimal(1), at=datetime(2026, 1, 1)))
    await engine.dispose()


async def test_calendar_overrides_are_stored_replaced_and_removed(kit_database_url: str) -> None:
    db = Database(kit_database_url)
    async with db.sessionmaker() as session:
        await set_override(session, date(2026, 11, 25), False, "typhoon", now=NOW)
        await set_override(session, date(2026, 11, 25), False, "typhoon, extended", now=NOW)
        await set_override(session, date(2026, 11, 28), True, "make-up day", now=NOW)
        await session.commit()
    async with db.sessionmaker() as session:
        calendar = await load_calendar(session)
        assert not calendar.is_workday(date(2026, 11, 25))
        assert calendar.is_workday(date(2026, 11, 28))
        await set_override(session, date(2026, 11, 28), None, now=NOW)
        await session.commit()
    async with db.sessionmaker() as session:
        assert not (await load_calendar(session)).is_workday(date(2026, 11, 28))
    await db.dispose()


def test_cursors_round_trip_and_tampered_ones_are_422() -> None:
    key = ["2026-11-27T09:00:00+00:00", 42]
    assert decode_cursor(encode_cursor(key)) == key
    for bad in ("%%%", "bm90IGEgbGlzdA", encode_cursor({"a": 1})):  # type: ignore[arg-type]
        with pytest.raises(Unprocessable):
            decode_cursor(bad)


def test_a_page_keeps_limit_rows_and_gives_a_cursor_only_when_a_row_is_left() -> None:
    page = PageParams(limit=2, after=None)
    kept, cursor = page.cut([10, 11, 12], lambda row: [row])
    assert kept == [10, 11]
    assert cursor is not None
    assert decode_cursor(cursor) == [11]
    assert page.cut([10, 11], lambda row: [row]) == ([10, 11], None)
    assert page.cut([], lambda row: [row]) == ([], None)


# --- SQLite files are the service's alone --------------------------------------------------------------------

@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The common default umask (0022), under which files come out world-readable unless created otherwise."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("loose_umask")
async def test_a_new_sqlite_database_and_its_folder_are_private(tmp_path: Path) -> None:
    path = tmp_path / "var" / "things.db"
    database = Database(f"sqlite+aiosqlite:///{path}")
    async with database.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    async with database.sessionmaker() as session:
        await session.execute(insert(ledger).values(id=1, amount=Decimal("1"), at=datetime.now(UTC)))
        await session.commit()
    modes = {p.name: _mode(p) for p in path.parent.iterdir()}  # while open: the -wal and -shm files are there too
    await database.dispose()
    assert _mode(path.parent) == 0o700
    assert {"things.db", "things.db-wal"} <= set(modes)
    assert modes == dict.fromkeys(modes, 0o600)


@pytest.mark.usefixtures("loose_umask")
def test_migrating_creates_the_database_file_private(tmp_path: Path) -> None:
    path = tmp_path / "catalog.db"
    upgrade_kit_tables(f"sqlite+aiosqlite:///{path}")
    assert _mode(path) == 0o600


async def test_an_existing_world_readable_database_file_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    path.touch()
    path.chmod(0o644)
    database = Database(f"sqlite+aiosqlite:///{path}")
    await database.ping()
    await database.dispose()
    assert _mode(path) == 0o600
