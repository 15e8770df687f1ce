"""The guarantee service's application: its routers, event handlers, figures and workers on the kit's wiring."""

from fastapi import FastAPI

from bianmin.guarantee.api import ROUTERS
from bianmin.guarantee.domain.stats import figures
from bianmin.guarantee.events import HANDLERS
from bianmin.guarantee.settings import GuaranteeSettings
from bianmin.guarantee.workers import ledger_worker, push_worker
from bianmin.kit.app import ServiceSpec, create_service_app
from bianmin.kit.clock import Clock

SPEC = ServiceSpec(
    name="guarantee",
    title="Bianmin guarantee",
    description="Electronic bid-bond and performance guarantees (电子保函): fees, claims, release, a verifiable ledger.",
    routers=ROUTERS,
    handlers=HANDLERS,
    calendar=True,
    stats=figures,
    workers=[push_worker, ledger_worker],
)


def create_app(settings: GuaranteeSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the guarantee service's application; routes, handlers and workers share one clock."""
    return create_service_app(SPEC, settings or GuaranteeSettings(), clock=clock)
