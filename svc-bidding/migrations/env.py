"""Alembic environment of the bidding service: its own tables plus the kit's."""

from bianmin.bidding.models import Base
from bianmin.bidding.settings import BiddingSettings
from bianmin.kit.migrations import run_env

run_env(Base.metadata, default_url=lambda: BiddingSettings().database_url)
