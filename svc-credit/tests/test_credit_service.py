"""The credit service's wiring: identity, health, migrations and packaging (shared with every service)."""

from pathlib import Path

from bianmin.credit.models import Base
from bianmin.credit.settings import CreditSettings
from bianmin.testing.wiring import ServiceWiringTests


class TestCreditWiring(ServiceWiringTests):
    service = "credit"
    settings_class = CreditSettings
    metadata = Base.metadata
    service_root = Path(__file__).resolve().parents[1]
