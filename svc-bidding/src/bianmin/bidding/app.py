"""The bidding service's application: its routers, event handlers, figures and workers on the kit's wiring."""

from fastapi import FastAPI

from bianmin.bidding.api import ROUTERS
from bianmin.bidding.domain.stats import figures
from bianmin.bidding.events import HANDLERS
from bianmin.bidding.settings import BiddingSettings
from bianmin.bidding.workers import archive_finished, close_at_deadline, run_openings
from bianmin.kit.app import ServiceSpec, create_service_app
from bianmin.kit.clock import Clock

SPEC = ServiceSpec(
    name="bidding",
    title="Bianmin bidding",
    description="Tenders with sealed bids, remote opening, evaluation, award, supervision and collusion screening.",
    routers=ROUTERS,
    handlers=HANDLERS,
    calendar=True,
    sites=True,
    stats=figures,
    workers=[close_at_deadline, run_openings, archive_finished],
)


def create_app(settings: BiddingSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the bidding service's application."""
    return create_service_app(SPEC, settings or BiddingSettings(), clock=clock)
