"""Settings of the credit service, read from ``BIANMIN_CREDIT_*`` environment variables."""

from pydantic_settings import SettingsConfigDict

from bianmin.kit.settings import ServiceSettings


class CreditSettings(ServiceSettings):
    """Where the credit service listens and keeps its data."""

    model_config = SettingsConfigDict(env_prefix="BIANMIN_CREDIT_", extra="ignore")

    service_name: str = "credit"
    port: int = 8006
    database_url: str = "sqlite+aiosqlite:///var/credit.db"
