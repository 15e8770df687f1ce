"""The queue service's application: its routers, event handlers, figures and workers on the kit's wiring."""

from fastapi import FastAPI

from bianmin.kit.app import ServiceSpec, create_service_app
from bianmin.kit.clock import Clock
from bianmin.queue.api import ROUTERS
from bianmin.queue.domain.notify import CallNotifier
from bianmin.queue.domain.stats import queue_figures
from bianmin.queue.events import HANDLERS
from bianmin.queue.settings import QueueSettings
from bianmin.queue.workers import hall_worker, stream_watcher

SPEC = ServiceSpec(
    name="queue",
    title="Bianmin queue",
    description="Appointments, tickets, counters, calling, display boards and people flow for the district hall and every township hall.",
    routers=ROUTERS,
    handlers=HANDLERS,
    calendar=True,
    sites=True,
    stats=queue_figures,
    workers=[hall_worker, stream_watcher],
    tags=[{"name": n, "description": d} for n, d in (
        ("halls", "Halls, business lines and counters."),
        ("tickets", "Taking a number, calling and serving."),
        ("appointments", "Slots, bookings and check-in (预约)."),
        ("evaluations", "Evaluation after service (好差评) and rectification."),
        ("boards", "Display boards, the call stream and people-flow figures."),
    )],
)


def create_app(settings: QueueSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the queue service's application."""
    app = create_service_app(SPEC, settings or QueueSettings(), clock=clock)
    app.state.call_notifier = CallNotifier()
    return app
