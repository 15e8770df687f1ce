"""Keyset pages: every row once, in order, across pages; a foreign cursor is a 422 on every list alike."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bianmin.kit.db import Database, UTCDateTime, new_metadata
from bianmin.kit.errors import Unprocessable
from bianmin.kit.pagination import PageParams, decode_cursor, encode_cursor, paginate

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


class Base(DeclarativeBase):
    metadata = new_metadata()


class Entry(Base):
    __tablename__ = "paging_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    name: Mapped[str] = mapped_column(String(20))


@pytest.fixture
async def database(kit_database_url: str) -> Database:
    db = Database(kit_database_url)
    async with db.engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    async with db.sessionmaker() as session:
        # Three rows share a time, so the id has to break the tie.
        session.add_all([Entry(id=i, at=T0 + dt.timedelta(minutes=i // 3), name=f"e{i:02d}") for i in range(1, 11)])
        await session.commit()
    yield db
    await db.dispose()


async def _all_pages(db: Database, limit: int, *, descending: bool) -> list[int]:
    seen: list[int] = []
    cursor: str | None = None
    while True:
        async with db.sessionmaker() as session:
            rows, cursor = await paginate(session, select(Entry), PageParams(limit=limit, after=decode_cursor(cursor) if cursor else None),
                                          keys=[Entry.at, Entry.id], descending=descending)
        seen += [r.id for r in rows]
        if cursor is None:
            return seen


@pytest.mark.parametrize("limit", [1, 3, 4, 10, 50])
async def test_pages_cover_every_row_once_in_order(database: Database, limit: int) -> None:
    ascending = await _all_pages(database, limit, descending=False)
    assert ascending == sorted(range(1, 11), key=lambda i: (i // 3, i))
    assert await _all_pages(database, limit, descending=True) == list(reversed(ascending))


@pytest.mark.parametrize("after", [
    [1], ["2026-03-02T01:00:00+00:00"], ["2026-03-02T01:00:00", 3], ["not a time", 3], ["2026-03-02T01:00:00+00:00", "3"],
    ["2026-03-02T01:00:00+00:00", True], ["2026-03-02T01:00:00+00:00", 2**70], ["2026-03-02T01:00:00+00:00", 2**40],
    [{"x": 1}, 3], ["x" * 500, 3],
])
async def test_a_cursor_of_another_shape_is_a_422(database: Database, after: list[object]) -> None:
    async with database.sessionmaker() as session:
        with pytest.raises(Unprocessable) as refused:
            await paginate(session, select(Entry), PageParams(limit=5, after=after), keys=[Entry.at, Entry.id])
    assert refused.value.code == "invalid_field"
    assert "cursor" in str(refused.value.detail)


def test_a_cursor_round_trips() -> None:
    assert decode_cursor(encode_cursor(["2026-03-02T01:00:00+00:00", 7])) == ["2026-03-02T01:00:00+00:00", 7]
