"""The credit service's application: its routers, event handlers and figures on the kit's wiring."""

from fastapi import FastAPI

from bianmin.credit.api import ROUTERS
from bianmin.credit.events import HANDLERS
from bianmin.credit.settings import CreditSettings
from bianmin.kit.app import ServiceSpec, create_service_app
from bianmin.kit.clock import Clock

SPEC = ServiceSpec(
    name="credit",
    title="Bianmin credit",
    description="Enterprises, credit records and the five-color credit code (五色码) of every bidding enterprise.",
    routers=ROUTERS,
    handlers=HANDLERS,
)


def create_app(settings: CreditSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the credit service's application."""
    return create_service_app(SPEC, settings or CreditSettings(), clock=clock)
