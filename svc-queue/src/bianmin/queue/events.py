"""What the queue service publishes (through the outbox) and how it reacts to what it consumes.

The subjects it publishes and consumes are declared in :mod:`bianmin.contracts.events.queue`;
``HANDLERS`` maps each consumed subject to the function that applies it. The catalog's item events
keep a read model of items (so lines can name and check the items they serve); an event older than
the stored revision changes nothing, so out-of-order deliveries cannot roll an item back. The
catalog's site events keep the site registry (:mod:`bianmin.kit.site_registry`) and, when they are
the newest, carry a rename or a closing to the hall at that site (:func:`~bianmin.queue.domain.halls.follow_site`).
"""

from __future__ import annotations

from pydantic import BaseModel

from bianmin.contracts.envelope import CloudEvent
from bianmin.contracts.events.catalog import ItemChanged, SiteChanged
from bianmin.kit.calendar import CALENDAR_HANDLERS
from bianmin.kit.events.consumer import EventContext, Handler
from bianmin.kit.site_registry import record_site
from bianmin.queue.domain import halls
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


HANDLERS: list[Handler] = [
    *CALENDAR_HANDLERS,
    Handler("catalog.site.changed", apply_site_changed),
    Handler("catalog.item.published", apply_item_changed),
    Handler("catalog.item.updated", apply_item_changed),
    Handler("catalog.item.withdrawn", apply_item_changed),
]
