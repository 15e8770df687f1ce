"""The guarantee service's application: its routers, event handlers, figures and workers on the kit's wiring."""

import dataclasses

from fastapi import FastAPI

from bianmin.guarantee.api import ROUTERS
from bianmin.guarantee.domain.keys import KeyRing
from bianmin.guarantee.domain.stats import figures
from bianmin.guarantee.events import make_handlers
from bianmin.guarantee.settings import GuaranteeSettings
from bianmin.guarantee.workers import ledger_worker, push_worker
from bianmin.kit.app import ServiceSpec, create_service_app
from bianmin.kit.clock import Clock, SystemClock

SPEC = ServiceSpec(
    name="guarantee",
    title="Bianmin guarantee",
    description="Electronic bid-bond and performance guarantees (电子保函): fees, claims, release, a verifiable ledger.",
    routers=ROUTERS,
    stats=figures,
    workers=[push_worker, ledger_worker],
)


def create_app(settings: GuaranteeSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the guarantee service's application; routes, handlers and workers share one clock."""
    settings = settings or GuaranteeSettings()
    clock = clock or SystemClock()
    spec = dataclasses.replace(SPEC, handlers=make_handlers(clock, KeyRing.from_settings(settings)))
    return create_service_app(spec, settings, clock=clock)
