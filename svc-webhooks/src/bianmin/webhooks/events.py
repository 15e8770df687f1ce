"""How the webhooks service consumes the platform's events: every published subject, fanned out.

The handlers are one per subject the service consumes (``CONSUMES`` in the contracts: every
subject the other services publish); the kit binds them as one durable pull consumer per source
stream (``webhooks__bidding`` and so on). Each handler runs in the inbox transaction and only
inserts delivery rows, so a redelivered event creates nothing twice and a slow receiver never
holds back consumption. Handlers are built per application so that they tell time by its clock.
"""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.contracts.envelope import CloudEvent
from bianmin.contracts.events.webhooks import CONSUMES
from bianmin.kit.clock import Clock, SystemClock
from bianmin.kit.events.consumer import Handler
from bianmin.webhooks.domain.deliveries import fan_out


def make_handlers(clock: Clock | None = None) -> list[Handler]:
    """One handler per consumed subject, all inserting deliveries stamped by ``clock``."""
    clock = clock or SystemClock()

    async def forward(session: AsyncSession, event: CloudEvent, payload: BaseModel) -> None:
        await fan_out(session, event, now=clock.now())

    return [Handler(subject, forward) for subject in CONSUMES]


HANDLERS: list[Handler] = make_handlers()
