"""The consult service's application: its routers, event handlers, figures and worker on the kit's wiring."""

from fastapi import FastAPI

from bianmin.consult.api import ROUTERS
from bianmin.consult.domain.stats import overview
from bianmin.consult.events import HANDLERS
from bianmin.consult.settings import ConsultSettings
from bianmin.consult.workers import escalation_worker
from bianmin.kit.app import ServiceSpec, create_service_app
from bianmin.kit.clock import Clock

SPEC = ServiceSpec(
    name="consult",
    title="Bianmin consult",
    description="Online consultation (e问通) with routing and deadlines, the knowledge base, and the suggestion box.",
    routers=ROUTERS,
    handlers=HANDLERS,
    calendar=True,
    sites=True,
    stats=overview,
    workers=[escalation_worker],
)


def create_app(settings: ConsultSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the consult service's application."""
    return create_service_app(SPEC, settings or ConsultSettings(), clock=clock)
