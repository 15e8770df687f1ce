"""The catalog service's application: its routers, event handlers, figures and workers on the kit's wiring."""

from fastapi import FastAPI

from bianmin.catalog.api import ROUTERS
from bianmin.catalog.domain.stats import overview
from bianmin.catalog.events import HANDLERS
from bianmin.catalog.settings import CatalogSettings
from bianmin.catalog.workers import announcement_worker
from bianmin.kit.app import ServiceSpec, create_service_app
from bianmin.kit.clock import Clock

SPEC = ServiceSpec(
    name="catalog",
    title="Bianmin catalog",
    description="Service items (政务服务事项), sites and the service map, applications (办件) and policy redemption.",
    routers=ROUTERS,
    handlers=HANDLERS,
    calendar=True,
    stats=overview,
    workers=[announcement_worker],
)


def create_app(settings: CatalogSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the catalog service's application."""
    return create_service_app(SPEC, settings or CatalogSettings(), clock=clock)
