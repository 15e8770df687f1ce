"""The webhooks service's wiring: identity, health, migrations and packaging (shared with every service)."""

from pathlib import Path

from bianmin.testing.wiring import ServiceWiringTests
from bianmin.webhooks.models import Base
from bianmin.webhooks.settings import WebhooksSettings


class TestWebhooksWiring(ServiceWiringTests):
    service = "webhooks"
    settings_class = WebhooksSettings
    metadata = Base.metadata
    service_root = Path(__file__).resolve().parents[1]
