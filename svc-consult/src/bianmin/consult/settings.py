"""Settings of the consult service, read from ``BIANMIN_CONSULT_*`` environment variables."""

from pydantic_settings import SettingsConfigDict

from bianmin.kit.settings import ServiceSettings


class ConsultSettings(ServiceSettings):
    """Where the consult service listens and keeps its data."""

    model_config = SettingsConfigDict(env_prefix="BIANMIN_CONSULT_", extra="ignore")

    service_name: str = "consult"
    port: int = 8003
    database_url: str = "sqlite+aiosqlite:///var/consult.db"
