"""Settings of the bidding service, read from ``BIANMIN_BIDDING_*`` environment variables."""

from pydantic_settings import SettingsConfigDict

from bianmin.kit.settings import ServiceSettings


class BiddingSettings(ServiceSettings):
    """Where the bidding service listens and keeps its data."""

    model_config = SettingsConfigDict(env_prefix="BIANMIN_BIDDING_", extra="ignore")

    service_name: str = "bidding"
    port: int = 8004
    database_url: str = "sqlite+aiosqlite:///var/bidding.db"
