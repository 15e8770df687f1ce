"""What the queue service publishes (through the outbox) and how it reacts to what it consumes.

The subjects it publishes and consumes are declared in :mod:`bianmin.contracts.events.queue`;
``HANDLERS`` maps each consumed subject to the function that applies it. The catalog's item events
keep a read model of items (so lines can name and check the items they serve); an event older than
the stored revision changes nothing, so out-of-order deliveries cannot roll an item back. The
catalog's site events keep the site registry (:mod:`bianmin.kit.site_registry`) and, when they are
the newest, carry a rename or a closing to the hall at that site (:func:`~bianmin.queue.domain.halls.follow_site`).
The calendar's events keep the queue's copy of the calendar (:mod:`bianmin.kit.calendar`) and count
the running rectification deadlines they touch again (:func:`~bianmin.queue.domain.evaluation.rebase_deadlines`),
so a deadline that was provisional lands on its true day once its year's notice arrives.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from bianmin.contracts.envelope import CloudEvent
from bianmin.contracts.events.catalog import CalendarDayChanged, CalendarYearLoaded, ItemChanged, SiteChanged
from bianmin.kit.calendar import load_calendar, set_override, store_year
from bianmin.kit.events.consumer import EventContext, Handler
from bianmin.kit.site_registry import record_site
from bianmin.queue.domain import evaluation, halls
from bianmin.queue.models import CatalogItem


async def apply_item_changed(ctx: EventContext, event: CloudEvent, payload: BaseModel) -> None:
    """Upsert the item's read-model row unless a newer revision is stored."""
    assert isinstance(payload, ItemChanged)
    session, now = ctx.session, ctx.clock.now()
    status = "withdrawn" if event.nats_subject == "catalog.item.withdrawn" else payload.status
    item = await session.get(CatalogItem, payload.code, with_for_update=True)
    if item is None:
        session.add(CatalogItem(code=payload.code, basic_code=payload.basic_code, name=payload.name,
                                department_code=payload.department_code, status=status,
                                revision=payload.revision, updated_at=now))
        await session.flush()
        return
    if payload.revision < item.revision:
        return
    item.basic_code = payload.basic_code
    item.name = payload.name
    item.department_code = payload.department_code
    item.status = status
    item.revision = payload.revision
    item.updated_at = now
    await session.flush()


async def apply_site_changed(ctx: EventContext, event: CloudEvent, payload: BaseModel) -> None:
    """Keep the site in the registry and, unless a newer version of it was kept already, carry it to its hall."""
    assert isinstance(payload, SiteChanged)
    if await record_site(ctx.session, payload):
        await halls.follow_site(ctx.session, payload)


async def apply_year_loaded(ctx: EventContext, event: CloudEvent, payload: BaseModel) -> None:
    """Keep the year unless a newer version is kept, then count the deadlines reaching into it again."""
    assert isinstance(payload, CalendarYearLoaded)
    before = await load_calendar(ctx.session)
    if await store_year(ctx.session, payload):
        await evaluation.rebase_deadlines(ctx.session, before=before, after=await load_calendar(ctx.session),
                                          first=date(payload.year, 1, 1), last=date(payload.year, 12, 31))


async def apply_day_changed(ctx: EventContext, event: CloudEvent, payload: BaseModel) -> None:
    """Keep an operator's change to one day, then count the deadlines that reach over it again."""
    assert isinstance(payload, CalendarDayChanged)
    before = await load_calendar(ctx.session)
    await set_override(ctx.session, payload.day, payload.workday, payload.note, now=ctx.clock.now())
    await evaluation.rebase_deadlines(ctx.session, before=before, after=await load_calendar(ctx.session),
                                      first=payload.day, last=payload.day)


HANDLERS: list[Handler] = [
    Handler("catalog.calendar.year_loaded", apply_year_loaded),
    Handler("catalog.calendar.changed", apply_day_changed),
    Handler("catalog.site.changed", apply_site_changed),
    Handler("catalog.item.published", apply_item_changed),
    Handler("catalog.item.updated", apply_item_changed),
    Handler("catalog.item.withdrawn", apply_item_changed),
]
