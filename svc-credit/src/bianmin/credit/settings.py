"""Settings of the credit service, read from ``BIANMIN_CREDIT_*`` environment variables."""

from datetime import time

from pydantic_settings import SettingsConfigDict

from bianmin.kit.settings import ServiceSettings


class CreditSettings(ServiceSettings):
    """Where the credit service listens and keeps its data, and when it recomputes every color."""

    model_config = SettingsConfigDict(env_prefix="BIANMIN_CREDIT_", extra="ignore")

    service_name: str = "credit"
    port: int = 8006
    database_url: str = "sqlite+aiosqlite:///var/credit.db"
    max_body_bytes: int = 16 * 1_048_576
    recompute_enabled: bool = True
    recompute_at: time = time(1, 0)
    recompute_poll_seconds: float = 60.0
