"""The consult service's wiring: identity, health, migrations and packaging (shared with every service)."""

from pathlib import Path

from bianmin.consult.models import Base
from bianmin.consult.settings import ConsultSettings
from bianmin.testing.wiring import ServiceWiringTests


class TestConsultWiring(ServiceWiringTests):
    service = "consult"
    settings_class = ConsultSettings
    metadata = Base.metadata
    service_root = Path(__file__).resolve().parents[1]
