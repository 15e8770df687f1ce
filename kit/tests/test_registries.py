"""The copies every service keeps of the catalog's registries: years of the calendar and the sites.

A copy follows events that may arrive twice or out of order: the newest version of a year and the
newest state of a site win, and an older one changes nothing.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from bianmin.contracts.events.catalog import CalendarYearLoaded, NoticeDay, SiteChanged
from bianmin.kit.calendar import load_calendar, notice_digest, store_year, years_of
from bianmin.kit.db import Database
from bianmin.kit.errors import Unprocessable
from bianmin.kit.site_registry import find_site, record_site, registry_state, require_site

AT = datetime(2031, 1, 5, 1, 0, tzinfo=UTC)
# A fabricated notice for 2031, two versions: the second adds a day off.
FIRST = [NoticeDay(day=date(2031, 1, 1), workday=False, name="元旦")]
SECOND = [*FIRST, NoticeDay(day=date(2031, 1, 2), workday=False, name="元旦")]


def year(version: int, days: list[NoticeDay]) -> CalendarYearLoaded:
    return CalendarYearLoaded(year=2031, version=version, notice=f"fabricated notice v{version}", days=days,
                              digest=notice_digest(2031, days), loaded_by="test", loaded_at=AT)


def site(name: str, *, at: datetime = AT, active: bool = True) -> SiteChanged:
    return SiteChanged(code="320583011", name=name, level="township", parent_code="320583000", tenant="320583011",
                       active=active, updated_at=at)


async def test_the_newest_version_of_a_year_wins_whatever_the_order(db: Database) -> None:
    async with db.sessionmaker() as session:
        assert await store_year(session, year(2, SECOND))
        assert not await store_year(session, year(1, FIRST))
        await session.commit()
    async with db.sessionmaker() as session:
        calendar = await load_calendar(session)
        assert calendar.knows(2031)
        assert not calendar.is_workday(date(2031, 1, 2))
        (stored,) = await years_of(session)
    assert stored.version == 2
    assert stored.digest == notice_digest(2031, SECOND)
    assert (stored.holidays, stored.makeup_days) == (2, 0)


async def test_a_site_is_known_once_announced_and_an_older_announcement_changes_nothing(db: Database) -> None:
    async with db.sessionmaker() as session:
        with pytest.raises(Unprocessable) as unknown:
            await require_site(session, "320583011", field="hall_code")
        assert unknown.value.errors[0].field == "hall_code"
        empty = await registry_state(session)
        assert await record_site(session, site("新街道"))
        assert not await record_site(session, site("旧名", at=AT - timedelta(hours=1)))
        await session.commit()
    async with db.sessionmaker() as session:
        known = await require_site(session, "320583011", field="hall_code", levels={"township"})
        assert known.name == "新街道"
        with pytest.raises(Unprocessable, match="is a township"):
            await require_site(session, "320583011", field="site_code", levels={"village"})
        state = await registry_state(session)
        assert state.sites == empty.sites + 1
        assert state.digest != empty.digest
        assert await record_site(session, site("新街道", at=AT + timedelta(hours=1), active=False))
        await session.commit()
    async with db.sessionmaker() as session:
        assert await find_site(session, "320583011") is None
        assert (await registry_state(session)).digest == empty.digest
