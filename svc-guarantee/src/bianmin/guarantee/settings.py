"""Settings of the guarantee service, read from ``BIANMIN_GUARANTEE_*`` environment variables."""

from pydantic_settings import SettingsConfigDict

from bianmin.kit.settings import ServiceSettings


class GuaranteeSettings(ServiceSettings):
    """Where the guarantee service listens and keeps its data."""

    model_config = SettingsConfigDict(env_prefix="BIANMIN_GUARANTEE_", extra="ignore")

    service_name: str = "guarantee"
    port: int = 8005
    database_url: str = "sqlite+aiosqlite:///var/guarantee.db"
