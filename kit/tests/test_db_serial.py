"""SQLite transactions of one process take turns on one connection, in arrival order, never in SQLite's busy sleeps."""

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, Table, insert, select, text
from sqlalchemy.exc import OperationalError

from bianmin.kit.db import Database, new_metadata
from bianmin.kit.errors import database_unavailable

metadata = new_metadata()
turns = Table("turn", metadata, Column("seq", Integer, primary_key=True, autoincrement=True), Column("writer", Integer))


async def _database(tmp_path: Path, busy_seconds: float = 10.0) -> Database:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'serial.db'}", busy_seconds=busy_seconds)
    async with db.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    return db


async def test_waiting_writers_get_the_database_in_the_order_they_asked(tmp_path: Path) -> None:
    db = await _database(tmp_path)
    arrived: list[int] = []

    async def write(writer: int) -> None:
        async with db.sessionmaker() as session:
            arrived.append(writer)
            await session.execute(insert(turns).values(writer=writer))
            await session.commit()

    try:
        async with db.sessionmaker() as holder:
            await holder.execute(insert(turns).values(writer=0))
            writers = [asyncio.create_task(write(n)) for n in range(1, 9)]
            while len(arrived) < len(writers):
                await asyncio.sleep(0)
            await asyncio.sleep(0.05)
            # Every writer is queued behind the open transaction: none has written yet.
            assert db.engine.pool.checkedout() == 1
            await holder.commit()
        await asyncio.gather(*writers)
        async with db.sessionmaker() as session:
            order = (await session.scalars(select(turns.c.writer).order_by(turns.c.seq))).all()
    finally:
        await db.dispose()
    assert order == [0, *arrived]


async def test_a_transaction_that_waits_past_the_busy_time_fails_as_a_busy_database(tmp_path: Path) -> None:
    db = await _database(tmp_path, busy_seconds=0.2)
    try:
        async with db.sessionmaker() as holder:
            await holder.execute(insert(turns).values(writer=0))
            async with db.sessionmaker() as late:
                with pytest.raises(OperationalError) as refused:
                    await late.execute(text("SELECT 1"))
            await holder.commit()
        async with db.sessionmaker() as after:
            assert (await after.execute(text("SELECT count(*) FROM turn"))).scalar_one() == 1
    finally:
        await db.dispose()
    assert database_unavailable(refused.value)
    assert "database is busy" in str(refused.value)


async def test_a_read_session_reads_beside_an_open_write_and_cannot_write(tmp_path: Path) -> None:
    db = await _database(tmp_path, busy_seconds=0.5)
    try:
        async with db.sessionmaker() as writer:
            await writer.execute(insert(turns).values(writer=1))
            await writer.commit()
            await writer.execute(insert(turns).values(writer=2))  # holds the write lock and the serial connection
            async with db.read_sessionmaker() as reader:
                seen = (await reader.scalars(select(turns.c.writer))).all()
                with pytest.raises(OperationalError, match="readonly"):
                    await reader.execute(insert(turns).values(writer=3))
            await writer.commit()
    finally:
        await db.dispose()
    assert seen == [1]
