"""Events of the webhooks service, and the subjects it consumes: every event the others publish.

The webhooks service forwards the platform's events to integrators over HTTP, so it consumes every
subject published by the other services (one durable consumer per source stream, as the kit binds
them). It publishes one event of its own: an endpoint that kept failing was disabled. Its own
events are not forwarded to endpoints (an endpoint that fails would otherwise feed itself).
"""

from __future__ import annotations

from datetime import datetime

from bianmin.contracts.events import bidding, catalog, consult, credit, guarantee, queue
from bianmin.contracts.spec import EventSpec, Payload


class EndpointDisabled(Payload):
    """An endpoint failed for longer than the configured period and no longer receives deliveries."""

    endpoint_id: int
    url: str
    tenant: str
    failing_since: datetime
    disabled_at: datetime
    reason: str


PUBLISHES: tuple[EventSpec, ...] = (
    EventSpec("webhooks.endpoint.disabled", EndpointDisabled,
              "A webhook endpoint failed too long and was disabled; its owner must fix it and enable it again."),
)
CONSUMES: tuple[str, ...] = tuple(sorted({
    spec.subject for module in (catalog, queue, consult, bidding, guarantee, credit) for spec in module.PUBLISHES
}))
