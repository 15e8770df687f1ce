"""Settings of the catalog service, read from ``BIANMIN_CATALOG_*`` environment variables."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from bianmin.kit.events.streams import RETENTION_DAYS
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
    announce_days: int = Field(
        default=30, ge=1, le=RETENTION_DAYS // 2,
        description="Days between re-announcements of the calendar (and sites): at most half the stream's retention, "
                    "so the stream always holds a whole announcement for a service started later.")
    announce_check_seconds: float = Field(default=3600, gt=0, le=86400,
                                          description="How often the worker looks whether an announcement is due.")
