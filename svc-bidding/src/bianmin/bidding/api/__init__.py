"""The bidding service's routers, one module per resource; ``ROUTERS`` is mounted under ``/v1``."""

from fastapi import APIRouter

from bianmin.bidding.api import (
    archive,
    auction,
    bids,
    complaints,
    escrow,
    evaluation,
    experts,
    filings,
    opendata,
    opening,
    projects,
    supervision,
)

ROUTERS: list[APIRouter] = [projects.router, bids.router, opening.router, escrow.router, evaluation.router,
                            experts.router, filings.router, complaints.router, auction.router,
                            opendata.router, archive.router, supervision.router]
