"""What the consult service publishes (through the outbox) and how it reacts to what it consumes.

It keeps a read model of the catalog's service items (``catalog.item.published|updated|withdrawn``)
to route questions by item, and mirrors the district calendar (``CALENDAR_HANDLERS``) to count
working days. What it publishes is emitted by the domain inside each change's transaction.
"""


from pydantic import BaseModel

from bianmin.consult.domain.routing import upsert_item
from bianmin.contracts.envelope import CloudEvent
from bianmin.contracts.events.catalog import ItemChanged
from bianmin.kit.calendar import CALENDAR_HANDLERS
from bianmin.kit.events.consumer import EventContext, Handler
from bianmin.kit.site_registry import SITE_HANDLER


async def apply_item(ctx: EventContext, event: CloudEvent, payload: BaseModel) -> None:
    """Keep the item's department (a withdrawn item no longer routes)."""
    assert isinstance(payload, ItemChanged)
    status = "withdrawn" if event.nats_subject == "catalog.item.withdrawn" else payload.status
    await upsert_item(ctx.session, code=payload.code, name=payload.name, department_code=payload.department_code,
                      status=status, revision=payload.revision, now=ctx.clock.now())


HANDLERS: list[Handler] = [
    *CALENDAR_HANDLERS,
    SITE_HANDLER,
    Handler("catalog.item.published", apply_item),
    Handler("catalog.item.updated", apply_item),
    Handler("catalog.item.withdrawn", apply_item),
]
