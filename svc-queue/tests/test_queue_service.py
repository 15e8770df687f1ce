"""The queue service's wiring: identity, health, migrations and packaging (shared with every service)."""

from pathlib import Path

from bianmin.queue.models import Base
from bianmin.queue.settings import QueueSettings
from bianmin.testing.wiring import ServiceWiringTests


class TestQueueWiring(ServiceWiringTests):
    service = "queue"
    settings_class = QueueSettings
    metadata = Base.metadata
    service_root = Path(__file__).resolve().parents[1]
