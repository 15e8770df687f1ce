"""The catalog service's wiring: identity, health, migrations and packaging (shared with every service)."""

from pathlib import Path

from bianmin.catalog.models import Base
from bianmin.catalog.settings import CatalogSettings
from bianmin.testing.wiring import ServiceWiringTests


class TestCatalogWiring(ServiceWiringTests):
    service = "catalog"
    settings_class = CatalogSettings
    metadata = Base.metadata
    service_root = Path(__file__).resolve().parents[1]
