"""The guarantee service's wiring: identity, health, migrations and packaging (shared with every service)."""

from pathlib import Path

from bianmin.guarantee.models import Base
from bianmin.guarantee.settings import GuaranteeSettings
from bianmin.testing.wiring import ServiceWiringTests


class TestGuaranteeWiring(ServiceWiringTests):
    service = "guarantee"
    settings_class = GuaranteeSettings
    metadata = Base.metadata
    service_root = Path(__file__).resolve().parents[1]
