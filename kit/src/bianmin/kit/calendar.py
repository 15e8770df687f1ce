"""The district's working-day calendar as every service keeps it: statutory data plus overrides.

The catalog service owns the operators' override table and publishes each change as
``catalog.calendar.changed``; every other service that counts working days keeps a copy in its
own ``calendar_override`` table through :data:`CALENDAR_HANDLER`, so each computes deadlines from
the same calendar without calling the catalog.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.contracts.envelope import CloudEvent
from bianmin.contracts.events.catalog import CalendarDayChanged
from bianmin.kit.events.consumer import EventContext, Handler
from bianmin.kit.tables import calendar_override
from bianmin.kit.workdays import WorkCalendar


async def load_calendar(session: AsyncSession) -> WorkCalendar:
    """The working-day calendar with this database's overrides applied."""
    rows = (await session.execute(select(calendar_override.c.day, calendar_override.c.workday))).all()
    return WorkCalendar({row.day: row.workday for row in rows})


async def set_override(session: AsyncSession, day: date, workday: bool | None, note: str = "", *,
                       now: datetime) -> None:
    """Set a day to working (True) or off (False), or remove its override (None)."""
    if workday is None:
        await session.execute(delete(calendar_override).where(calendar_override.c.day == day))
        return
    values = {"day": day, "workday": workday, "note": note, "updated_at": now}
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(calendar_override).values(**values)
    await session.execute(statement.on_conflict_do_update(
        index_elements=["day"], set_={"workday": workday, "note": note, "updated_at": values["updated_at"]}))


async def _apply_calendar_change(ctx: EventContext, event: CloudEvent, payload: BaseModel) -> None:
    assert isinstance(payload, CalendarDayChanged)
    await set_override(ctx.session, payload.day, payload.workday, payload.note, now=ctx.clock.now())


CALENDAR_HANDLER = Handler("catalog.calendar.changed", _apply_calendar_change)
