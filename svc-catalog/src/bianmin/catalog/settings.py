"""Settings of the catalog service, read from ``BIANMIN_CATALOG_*`` environment variables."""

import re
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from bianmin.kit.events.streams import RETENTION_DAYS
from bianmin.kit.settings import ServiceSettings, listed

COUNTY_CODE = re.compile(r"^\d{6}$")


class CatalogSettings(ServiceSettings):
    """Where the catalog service listens and keeps its data, and which districts it serves."""

    model_config = SettingsConfigDict(env_prefix="BIANMIN_CATALOG_", extra="ignore")

    service_name: str = "catalog"
    port: int = 8001
    database_url: str = "sqlite+aiosqlite:///var/catalog.db"
    districts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="The 6-digit county codes (GB/T 2260) of the districts this deployment serves, comma-separated or "
        "a JSON list (`BIANMIN_CATALOG_DISTRICTS=330199,320583`). A new site's code must begin with one of them. "
        "Empty (the default): the deployment names no district and refuses every new site, so a production "
        "deployment must name its own; `make run` and the tests name the demo district 330199.")
    rectification_contact_days: int = Field(default=1, ge=0, le=30,
                                            description="Working days to contact the citizen after a bad review.")
    rectification_days: int = Field(default=15, ge=1, le=120, description="Working days to fix after a bad review.")
    announce_days: int = Field(
        default=30, ge=1, le=RETENTION_DAYS // 2,
        description="Days between re-announcements of the calendar (and sites): at most half the stream's retention, "
                    "so the stream always holds a whole announcement for a service started later.")
    announce_check_seconds: float = Field(default=3600, gt=0, le=86400,
                                          description="How often the worker looks whether an announcement is due.")

    @field_validator("districts", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        """Accept ``a,b`` as well as a JSON list, the way operators write lists in environment files."""
        return listed(value)

    @field_validator("districts")
    @classmethod
    def _county_codes(cls, value: list[str]) -> list[str]:
        """Each a 6-digit county code (GB/T 2260), each once, in the order given."""
        wrong = [code for code in value if not COUNTY_CODE.match(code)]
        if wrong:
            raise ValueError(f"not 6-digit county codes (GB/T 2260): {', '.join(wrong)}")
        return list(dict.fromkeys(value))
