"""The district's working-day calendar as every service keeps it: the years' notices plus day overrides.

The catalog service owns the calendar. Operators load a year's State Council notice there (the
holidays and the make-up working days of that year, with the notice's reference), and it is
announced whole as ``catalog.calendar.year_loaded``; a single day an operator mends is announced as
``catalog.calendar.changed``. Every other service that counts working days keeps a copy in its own
``calendar_year`` and ``calendar_override`` tables through :data:`CALENDAR_HANDLERS`, so each
computes deadlines from the same calendar without calling the catalog. Because a year travels whole
and the newest version wins, a copy converges whatever it missed, and a service that starts later
rebuilds every year from the stream.

Every copy starts from the years the ``chinese-calendar`` package bundles (loaded by the migration
that creates the tables, :func:`bundled_rows`), so two services agree before the catalog has said
anything. ``GET /v1/calendar/years`` of each service shows its copy with a digest per year; the
copies agree on a year exactly when the digests do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version as package_version
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.contracts.envelope import CloudEvent
from bianmin.contracts.events.catalog import CalendarDayChanged, CalendarYearLoaded, NoticeDay
from bianmin.kit.db import ReadSessionDep
from bianmin.kit.errors import Unprocessable
from bianmin.kit.events.consumer import EventContext, Handler
from bianmin.kit.identity import public
from bianmin.kit.policy import everyone, policy
from bianmin.kit.tables import calendar_override, calendar_year
from bianmin.kit.workdays import WorkCalendar

WARNING_DAYS = 60
BUNDLED_BY = "bundled"


def bundled_years() -> dict[int, list[NoticeDay]]:
    """The notices the ``chinese-calendar`` package knows, by year: the starting data of every copy."""
    from chinese_calendar import constants

    years: dict[int, list[NoticeDay]] = {}
    for days, workday in ((constants.holidays, False), (constants.workdays, True)):
        for day, name in days.items():
            years.setdefault(day.year, []).append(NoticeDay(day=day, workday=workday, name=str(name)))
    return {year: sorted(days, key=lambda d: d.day) for year, days in sorted(years.items())}


def bundled_calendar(overrides: dict[date, bool] | None = None) -> WorkCalendar:
    """A calendar of the bundled years alone (with ``overrides``): what a fresh copy answers before any load."""
    return WorkCalendar({year: notice_map(days) for year, days in bundled_years().items()}, overrides)


def notice_map(days: Iterable[NoticeDay]) -> dict[date, bool]:
    """The days a notice names, each with whether it is worked."""
    return {d.day: d.workday for d in days}


def notice_digest(year: int, days: Iterable[NoticeDay]) -> str:
    """The digest of the year's working days under the notice alone (before any day's override)."""
    digest = WorkCalendar({year: notice_map(days)}).digest(year)
    assert digest is not None
    return digest


def bundled_rows(now: datetime | None = None) -> list[dict[str, object]]:
    """The ``calendar_year`` rows of the bundled years (version 1, loaded by ``bundled``)."""
    notice = f"chinese-calendar {package_version('chinese_calendar')} (bundled)"
    at = now or datetime.now(UTC)
    return [{"year": year, "version": 1, "notice": notice, "days": _days_json(days),
             "digest": notice_digest(year, days), "loaded_by": BUNDLED_BY, "loaded_at": at}
            for year, days in bundled_years().items()]


def check_notice(year: int, days: list[NoticeDay]) -> None:
    """422 naming the day of a notice that cannot be right: listed twice, outside its year, a make-up day on a weekday.

    A make-up working day (调休上班) is by definition a Saturday or Sunday worked; a holiday may fall
    on any day (the notices list the weekend days of a holiday period too).
    """
    if not 1949 < year < 2200:
        raise Unprocessable.field("year", "must be between 1950 and 2199")
    seen: set[date] = set()
    for index, entry in enumerate(days):
        field = f"days.{index}.day"
        if entry.day.year != year:
            raise Unprocessable.field(field, f"{entry.day} is not in {year}")
        if entry.day in seen:
            raise Unprocessable.field(field, f"{entry.day} is listed twice")
        if entry.workday and entry.day.weekday() < 5:
            raise Unprocessable.field(field, f"{entry.day} is a weekday: a make-up working day falls on a weekend")
        seen.add(entry.day)


async def load_calendar(session: AsyncSession) -> WorkCalendar:
    """The working-day calendar of this database: its known years and its overrides."""
    years = (await session.execute(select(calendar_year.c.year, calendar_year.c.days))).all()
    rows = (await session.execute(select(calendar_override.c.day, calendar_override.c.workday))).all()
    return WorkCalendar({row.year: {date.fromisoformat(d): bool(w) for d, w, _ in row.days} for row in years},
                        {row.day: row.workday for row in rows})


async def set_override(session: AsyncSession, day: date, workday: bool | None, note: str = "", *,
                       now: datetime) -> None:
    """Set a day to working (True) or off (False), or remove its override (None)."""
    if workday is None:
        await session.execute(delete(calendar_override).where(calendar_override.c.day == day))
        return
    values = {"day": day, "workday": workday, "note": note, "updated_at": now}
    statement = _insert(session)(calendar_override).values(**values)
    await session.execute(statement.on_conflict_do_update(
        index_elements=["day"], set_={"workday": workday, "note": note, "updated_at": values["updated_at"]}))


async def store_year(session: AsyncSession, year: CalendarYearLoaded) -> bool:
    """Keep a year unless a newer version of it is stored already; True when it was written."""
    stored = (await session.execute(select(calendar_year.c.version)
                                    .where(calendar_year.c.year == year.year))).scalar_one_or_none()
    if stored is not None and stored > year.version:
        return False
    values = {"version": year.version, "notice": year.notice, "days": _days_json(year.days),
              "digest": year.digest, "loaded_by": year.loaded_by, "loaded_at": year.loaded_at}
    statement = _insert(session)(calendar_year).values(year=year.year, **values)
    await session.execute(statement.on_conflict_do_update(index_elements=["year"], set_=values))
    return True


class YearRead(BaseModel):
    """One year of this service's copy of the calendar."""

    year: int
    version: int
    notice: str = Field(description="The notice the year follows.")
    holidays: int = Field(description="Days off the notice names.")
    makeup_days: int = Field(description="Make-up working days (调休上班) the notice names.")
    digest: str = Field(description="SHA-256 of the year's working days with this service's overrides applied.")
    loaded_by: str
    loaded_at: datetime


class Coverage(BaseModel):
    """Which years the calendar knows, and a warning when the known years are about to end."""

    first_year: int | None
    last_year: int | None = Field(description="The last year of the unbroken run of known years from this one.")
    missing_year: int | None = Field(default=None, description="The year an operator must load next, when it is due.")
    warning: str | None = None


async def years_of(session: AsyncSession) -> list[YearRead]:
    """This database's copy of the calendar, year by year."""
    calendar = await load_calendar(session)
    rows = (await session.execute(select(calendar_year).order_by(calendar_year.c.year))).all()
    return [YearRead(year=row.year, version=row.version, notice=row.notice,
                     holidays=sum(1 for _, w, _ in row.days if not w), makeup_days=sum(1 for _, w, _ in row.days if w),
                     digest=calendar.digest(row.year) or "", loaded_by=row.loaded_by, loaded_at=row.loaded_at)
            for row in rows]


def coverage_of(known: set[int], today: date) -> Coverage:
    """The run of known years from ``today``'s, and a warning from :data:`WARNING_DAYS` before it ends."""
    if today.year not in known:
        return Coverage(first_year=min(known, default=None), last_year=None, missing_year=today.year,
                        warning=f"no working-day calendar for {today.year}: load the State Council's notice")
    last = today.year
    while last + 1 in known:
        last += 1
    ends = date(last, 12, 31)
    if (ends - today) <= timedelta(days=WARNING_DAYS):
        return Coverage(first_year=min(known), last_year=last, missing_year=last + 1,
                        warning=f"the working-day calendar ends on {ends}: load the State Council's notice "
                                f"for {last + 1} (deadlines and slots in {last + 1} are provisional until then)")
    return Coverage(first_year=min(known), last_year=last)


async def coverage(session: AsyncSession, today: date) -> Coverage:
    """The coverage of this database's calendar on ``today``."""
    return coverage_of(set((await session.execute(select(calendar_year.c.year))).scalars()), today)


def calendar_router() -> APIRouter:
    """``GET /calendar/years``: this service's copy of the calendar, a digest per year to compare copies by."""
    router = APIRouter(tags=["calendar"])

    @router.get("/calendar/years", summary="This service's copy of the calendar, year by year", **public(),
                dependencies=[policy(*everyone())])
    async def read_years(session: ReadSessionDep) -> list[YearRead]:
        """Each known year: the notice, its version, who loaded it and the digest of its working days."""
        return await years_of(session)

    return router


def _days_json(days: Iterable[NoticeDay]) -> list[list[object]]:
    return [[d.day.isoformat(), d.workday, d.name] for d in sorted(days, key=lambda d: d.day)]


def _insert(session: AsyncSession) -> Callable[..., Any]:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


async def _apply_day_change(ctx: EventContext, event: CloudEvent, payload: BaseModel) -> None:
    assert isinstance(payload, CalendarDayChanged)
    await set_override(ctx.session, payload.day, payload.workday, payload.note, now=ctx.clock.now())


async def _apply_year_loaded(ctx: EventContext, event: CloudEvent, payload: BaseModel) -> None:
    assert isinstance(payload, CalendarYearLoaded)
    await store_year(ctx.session, payload)


CALENDAR_HANDLERS = [Handler("catalog.calendar.changed", _apply_day_change),
                     Handler("catalog.calendar.year_loaded", _apply_year_loaded)]
