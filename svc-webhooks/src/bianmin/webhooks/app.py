"""The webhooks service's application: its routers, the fan-out handlers, figures and the deliverer."""

from fastapi import FastAPI

from bianmin.kit.app import ServiceSpec, create_service_app
from bianmin.kit.clock import Clock
from bianmin.webhooks.api import ROUTERS
from bianmin.webhooks.domain.signing import SecretBox
from bianmin.webhooks.domain.stats import figures
from bianmin.webhooks.events import HANDLERS
from bianmin.webhooks.settings import WebhooksSettings
from bianmin.webhooks.workers import DeliveryMetrics, deliver_worker

SPEC = ServiceSpec(
    name="webhooks",
    title="Bianmin webhooks",
    description="Signed HTTP deliveries (Standard Webhooks) of the platform's events to integrators' endpoints.",
    routers=ROUTERS,
    handlers=HANDLERS,
    stats=figures,
    workers=[deliver_worker],
    tags=[
        {"name": "endpoints", "description": "Receivers: URL, event patterns, filters, secret, test and replay."},
        {"name": "deliveries", "description": "The delivery log with every attempt, and replay of one delivery."},
        {"name": "stats", "description": "Figures for the cockpit."},
    ],
)


def create_app(settings: WebhooksSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the webhooks service's application; its handlers and deliverer tell time by ``clock``."""
    settings = settings or WebhooksSettings()
    app = create_service_app(SPEC, settings, clock=clock)
    material = settings.encryption_material()
    app.state.secret_box = SecretBox(material) if material else None
    app.state.delivery_metrics = DeliveryMetrics(app.state.metrics.registry)
    return app
