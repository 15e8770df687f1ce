"""The data every migrated test database starts from: the bundled calendar years and the demo district's sites.

A deployed service learns the district's sites from the catalog's ``catalog.site.changed`` events;
a service under test starts as if it had heard the demo district's (``bianmin.catalog``'s
``demo_sites.csv``), so tests of a hall or a tender can name ``330199001`` without a catalog.
Tests of the registry itself use sites that are not in it; tests of a year without a notice use
2027 (the bundled years end in 2026) and, where they need it known, a notice made up here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import UTC, date, datetime
from importlib.resources import files

from fastapi import FastAPI
from sqlalchemy import delete, insert, inspect
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from bianmin.contracts.events.catalog import CalendarYearLoaded, NoticeDay
from bianmin.kit.calendar import bundled_rows, notice_digest, store_year
from bianmin.kit.tables import calendar_year, site_registry

SEEDED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def demo_sites() -> list[dict[str, str]]:
    """The rows of the demo district's site file, as an operator would import them into the catalog."""
    text = (files("bianmin.catalog") / "demo_sites.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def registry_rows(sites: list[dict[str, str]]) -> list[dict[str, object]]:
    """``site_registry`` rows: a township owns itself and what hangs under it; the district hall is ``*``."""
    by_code = {s["code"]: s for s in sites}

    def tenant(code: str) -> str:
        site = by_code[code]
        if site["level"] == "township":
            return code
        parent = site.get("parent_code") or ""
        return tenant(parent) if parent else "*"

    return [{"code": s["code"], "name": s["name"], "level": s["level"], "parent_code": s.get("parent_code") or None,
             "tenant": tenant(s["code"]), "active": True, "updated_at": SEEDED_AT} for s in sites]


async def seed(url: str, *, calendar: bool) -> None:
    """Write the demo registry (and, after a truncation, the bundled calendar years) into a migrated service database.

    The gateway's database keeps neither table and is left alone.
    """
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        if await connection.run_sync(lambda sync: inspect(sync).has_table(site_registry.name)):
            await _write(connection, calendar=calendar)
    await engine.dispose()


async def _write(connection: AsyncConnection, *, calendar: bool) -> None:
    await connection.execute(delete(site_registry))
    await connection.execute(insert(site_registry), registry_rows(demo_sites()))
    if calendar:
        await connection.execute(delete(calendar_year))
        await connection.execute(insert(calendar_year), bundled_rows(SEEDED_AT))


MADE_UP_2027 = {date(2027, 1, 1): False, date(2027, 1, 4): False, date(2027, 1, 5): False, date(2027, 1, 9): True}
"""A MADE-UP notice for 2027 (not the State Council's): New Year's Day, two invented holidays and one make-up Saturday."""


def fabricated_notice(year: int, days: Mapping[date, bool], *, version: int = 1,
                      at: datetime = SEEDED_AT) -> CalendarYearLoaded:
    """A year's notice made up for a test (never the State Council's), as the catalog would announce it."""
    entries = [NoticeDay(day=day, workday=workday, name="调休（虚构）" if workday else "假日（虚构）")
               for day, workday in sorted(days.items())]
    return CalendarYearLoaded(year=year, version=version, notice=f"made up for tests, not a State Council notice ({year})",
                              days=entries, digest=notice_digest(year, entries), loaded_by="tests", loaded_at=at)


async def store_notice(app: FastAPI, notice: CalendarYearLoaded) -> None:
    """Store a notice in a service app's copy of the calendar, as ``catalog.calendar.year_loaded`` would."""
    async with app.state.db.sessionmaker() as session:
        assert await store_year(session, notice)
        await session.commit()


async def load_made_up_2027(app: FastAPI) -> None:
    """Store :data:`MADE_UP_2027` in a service app's copy of the calendar."""
    await store_notice(app, fabricated_notice(2027, MADE_UP_2027))
