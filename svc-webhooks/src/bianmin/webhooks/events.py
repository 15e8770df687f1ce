"""How the webhooks service consumes the platform's events: every published subject, fanned out.

The handlers are one per subject the service consumes (``CONSUMES`` in the contracts: every
subject the other services publish); the kit binds them as one durable pull consumer per source
stream (``webhooks__bidding`` and so on). Each handler runs in the inbox transaction and only
inserts delivery rows, so a redelivered event creates nothing twice and a slow receiver never
holds back consumption.
"""

from __future__ import annotations

from pydantic import BaseModel

from bianmin.contracts.envelope import CloudEvent
from bianmin.contracts.events.webhooks import CONSUMES
from bianmin.kit.events.consumer import EventContext, Handler
from bianmin.webhooks.domain.deliveries import fan_out


async def forward(ctx: EventContext, event: CloudEvent, payload: BaseModel) -> None:
    """Insert a delivery for every endpoint that admits the event, stamped by the application's clock."""
    await fan_out(ctx.session, event, now=ctx.clock.now())


HANDLERS: list[Handler] = [Handler(subject, forward) for subject in CONSUMES]
