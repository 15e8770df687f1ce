"""The queue service's application: its routers, event handlers and figures on the kit's wiring."""

from fastapi import FastAPI

from bianmin.kit.app import ServiceSpec, create_service_app
from bianmin.kit.clock import Clock
from bianmin.queue.api import ROUTERS
from bianmin.queue.events import HANDLERS
from bianmin.queue.settings import QueueSettings

SPEC = ServiceSpec(
    name="queue",
    title="Bianmin queue",
    description="Appointments, tickets, counters, calling, display boards and people flow for the district hall and every township hall.",
    routers=ROUTERS,
    handlers=HANDLERS,
)


def create_app(settings: QueueSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the queue service's application."""
    return create_service_app(SPEC, settings or QueueSettings(), clock=clock)
