"""Settings of the catalog service, read from ``BIANMIN_CATALOG_*`` environment variables."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from bianmin.kit.settings import ServiceSettings


class CatalogSettings(ServiceSettings):
    """Where the catalog service listens and keeps its data."""

    model_config = SettingsConfigDict(env_prefix="BIANMIN_CATALOG_", extra="ignore")

    service_name: str = "catalog"
    port: int = 8001
    database_url: str = "sqlite+aiosqlite:///var/catalog.db"
    rectification_contact_days: int = Field(default=1, ge=0, le=30,
                                            description="Working days to contact the citizen after a bad review.")
    rectification_days: int = Field(default=15, ge=1, le=120, description="Working days to fix after a bad review.")
