"""The credit service's application: its routers, event handlers, figures and the daily recompute."""

from fastapi import FastAPI

from bianmin.credit.api import ROUTERS
from bianmin.credit.domain.stats import figures
from bianmin.credit.events import HANDLERS
from bianmin.credit.settings import CreditSettings
from bianmin.credit.workers import daily_worker
from bianmin.kit.app import ServiceSpec, create_service_app
from bianmin.kit.clock import Clock

SPEC = ServiceSpec(
    name="credit",
    title="Bianmin credit",
    description="Enterprises, credit records and the five-color credit code (五色码) of every bidding enterprise.",
    routers=ROUTERS,
    handlers=HANDLERS,
    stats=figures,
    workers=[daily_worker],
    tags=[
        {"name": "enterprises", "description": "Enterprises by credit code, their color, eligibility and history."},
        {"name": "records", "description": "Bad records, bonus items and credit repair."},
        {"name": "rules", "description": "The scoring rules as versioned data."},
        {"name": "stats", "description": "Figures for the cockpit."},
    ],
)


def create_app(settings: CreditSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the credit service's application; its event handlers tell time by ``clock``."""
    return create_service_app(SPEC, settings or CreditSettings(), clock=clock)
