"""Settings of the catalog service, read from ``BIANMIN_CATALOG_*`` environment variables."""

from pydantic_settings import SettingsConfigDict

from bianmin.kit.settings import ServiceSettings


class CatalogSettings(ServiceSettings):
    """Where the catalog service listens and keeps its data."""

    model_config = SettingsConfigDict(env_prefix="BIANMIN_CATALOG_", extra="ignore")

    service_name: str = "catalog"
    port: int = 8001
    database_url: str = "sqlite+aiosqlite:///var/catalog.db"
