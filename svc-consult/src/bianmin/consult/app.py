"""The consult service's application: its routers, event handlers, figures and worker on the kit's wiring.

The spec is completed per application: the cockpit's stats function is built from the settings the
app is created with (:func:`bianmin.consult.domain.stats.overview_for`), because the kit calls it
without them and the figures must use the configured working hours.
"""

from dataclasses import replace

from fastapi import FastAPI

from bianmin.consult.api import ROUTERS
from bianmin.consult.domain.stats import overview_for
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
    workers=[escalation_worker],
)


def create_app(settings: ConsultSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the consult service's application."""
    settings = settings or ConsultSettings()
    return create_service_app(replace(SPEC, stats=overview_for(settings)), settings, clock=clock)
