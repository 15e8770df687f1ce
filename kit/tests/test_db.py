"""Money, times, cursors and the calendar table, on each database backend."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import Column, Integer, Table, insert, select
from sqlalchemy.ext.asyncio import create_async_engine

from bianmin.kit.calendar import load_calendar, set_override
from bianmin.kit.db import Database, Money, UTCDateTime, new_metadata
from bianmin.kit.errors import Unprocessable
from bianmin.kit.pagination import PageParams, decode_cursor, encode_cursor

metadata = new_metadata()
ledger = Table("ledger_line", metadata, Column("id", Integer, primary_key=True), Column("amount", Money()),
               Column("at", UTCDateTime()))


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
        await set_override(session, date(2026, 11, 25), False, "typhoon")
        await set_override(session, date(2026, 11, 25), False, "typhoon, extended")
        await set_override(session, date(2026, 11, 28), True, "make-up day")
        await session.commit()
    async with db.sessionmaker() as session:
        calendar = await load_calendar(session)
        assert not calendar.is_workday(date(2026, 11, 25))
        assert calendar.is_workday(date(2026, 11, 28))
        await set_override(session, date(2026, 11, 28), None)
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
