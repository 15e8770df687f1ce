"""The bidding service's wiring: identity, health, migrations and packaging (shared with every service)."""

from pathlib import Path

from bianmin.bidding.models import Base
from bianmin.bidding.settings import BiddingSettings
from bianmin.testing.wiring import ServiceWiringTests


class TestBiddingWiring(ServiceWiringTests):
    service = "bidding"
    settings_class = BiddingSettings
    metadata = Base.metadata
    service_root = Path(__file__).resolve().parents[1]
