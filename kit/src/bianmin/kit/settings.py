"""Settings shared by every process; each service subclasses with its own env prefix.

A service reads ``BIANMIN_<SERVICE>_DATABASE_URL`` and friends; the values that every process must
agree on come from one unprefixed variable each, so that one environment file serves all:
``BIANMIN_INTERNAL_SECRET``, ``BIANMIN_NATS_URL`` and ``BIANMIN_STREAM_REPLICAS``. Code and tests
may still pass every field by its name.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """What every service process needs to start: where its database, NATS and peers are."""

    model_config = SettingsConfigDict(env_prefix="BIANMIN_", extra="ignore", validate_by_name=True)

    service_name: str = "service"
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = "sqlite+aiosqlite:///var/service.db"
    nats_url: str = Field(
        default="nats://127.0.0.1:4222",
        validation_alias=AliasChoices("BIANMIN_NATS_URL"),
    )
    internal_secret: SecretStr = Field(
        default=SecretStr(""),
        validation_alias=AliasChoices("BIANMIN_INTERNAL_SECRET"),
        description="HMAC secret shared only by the gateway and the services; must be set.",
    )
    stream_replicas: int = Field(
        default=1, ge=1, le=5,
        validation_alias=AliasChoices("BIANMIN_STREAM_REPLICAS"),
        description="Replicas of the streams this service creates (3 on a 3-node JetStream cluster).",
    )
    events_enabled: bool = Field(
        default=True,
        description="Connect to NATS and run the outbox relay and consumers. Off only in tests "
        "that exercise HTTP alone.",
    )
    log_level: str = "INFO"
    log_json: bool = True
    timezone: str = "Asia/Shanghai"
    consumer_max_deliver: int = 5
    consumer_backoff_seconds: list[float] = [1.0, 5.0, 30.0, 120.0]
    relay_batch_size: int = 100
    relay_poll_seconds: float = 1.0
    relay_replay_seconds: float = Field(
        default=86400.0, gt=0,
        description="When this service's stream is found deleted and created again, the events sent to it "
        "in this many seconds before are sent again (consumers drop those they had applied).",
    )
    outbox_check_seconds: float = Field(
        default=5.0, gt=0,
        description="The outbox backlog shown by /readyz and /metrics is counted at most this often.",
    )
    outbox_stuck_seconds: float = Field(
        default=60.0, gt=0,
        description="/readyz fails when unsent events have waited this long with NATS connected and the "
        "relay publishing nothing (a NATS outage alone never fails it).",
    )
    storage_full_seconds: float = Field(
        default=30.0, gt=0,
        description="On PostgreSQL, /readyz fails this long after the database last refused a write for "
        "lack of disk space (SQLite's room is measured instead).",
    )
    max_body_bytes: int = 1_048_576

    def nats_servers(self) -> list[str]:
        """The NATS servers to try, from a comma-separated ``nats_url`` (a cluster lists several)."""
        return [url.strip() for url in self.nats_url.split(",") if url.strip()]
