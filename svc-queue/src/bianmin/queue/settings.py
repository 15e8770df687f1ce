"""Settings of the queue service, read from ``BIANMIN_QUEUE_*`` environment variables."""

from pydantic_settings import SettingsConfigDict

from bianmin.kit.settings import ServiceSettings


class QueueSettings(ServiceSettings):
    """Where the queue service listens and keeps its data."""

    model_config = SettingsConfigDict(env_prefix="BIANMIN_QUEUE_", extra="ignore")

    service_name: str = "queue"
    port: int = 8002
    database_url: str = "sqlite+aiosqlite:///var/queue.db"
