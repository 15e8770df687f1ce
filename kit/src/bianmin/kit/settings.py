"""Settings shared by every process; each service subclasses with its own env prefix.

A service reads ``BIANMIN_<SERVICE>_DATABASE_URL`` and friends; the values that every process must
agree on come from one unprefixed variable each, so that one environment file serves all:
``BIANMIN_INTERNAL_SECRET``, ``BIANMIN_NATS_URL`` and ``BIANMIN_STREAM_REPLICAS``. Code and tests
may still pass every field by its name. The NATS credentials are each service's own
(``BIANMIN_<SERVICE>_NATS_NKEY_SEED``): sharing them would let one service speak as another.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from bianmin.kit.identity import LEEWAY_SECONDS


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
    nats_nkey_seed: SecretStr = Field(
        default=SecretStr(""),
        description="This service's NATS user NKEY seed (SU...; BIANMIN_<SERVICE>_NATS_NKEY_SEED), whose public key "
        "nats-server's configuration names with the permissions of this service. Empty: no credentials, for a NATS "
        "without authorization only.",
    )
    nats_credentials_file: str = Field(
        default="",
        description="A NATS credentials file (.creds: user JWT and seed) instead of the seed, for a NATS run with "
        "accounts and JWTs (nsc).",
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
    inbox_retention_days: int = Field(
        default=100, ge=91, description="Days an inbox row is kept: longer than JetStream keeps an event (90), so a "
        "redelivery from a recreated consumer is still recognised (bianmin.kit.maintenance).")
    outbox_retention_days: int = Field(
        default=7, ge=2, description="Days a sent outbox row is kept: longer than the relay's replay window.")
    maintenance_seconds: float = Field(default=3600.0, gt=0, description="Seconds between passes of the pruning worker.")
    identity_leeway_seconds: float = Field(
        default=LEEWAY_SECONDS, ge=0, le=120,
        description="How far this host's clock may be from the gateway's before identity tokens are refused "
        "(bianmin.kit.identity); /readyz reports the skew it sees.",
    )

    # How the process's HTTP server treats its clients (bianmin.kit.serving says why each exists).
    http_header_timeout_seconds: float = Field(
        20.0, gt=0, description="Time a request head may take, from the connection being ready for it; then 408 and closed.")
    http_idle_timeout_seconds: float = Field(
        15.0, gt=0, description="Time a connection may stay silent between requests (and before its first); then closed. "
        "Longer than the keep-alive expiry of the usual client pools (httpx: 5 s), so a client never reuses a "
        "connection at the instant the server closes it (a reset on a request already sent).")
    http_body_timeout_seconds: float = Field(
        30.0, gt=0, description="Longest silence within a request body while the server reads it; then closed.")
    http_max_header_bytes: int = Field(
        32_768, ge=1024, description="Request line and headers together, in bytes; past it 431.")
    http_max_headers: int = Field(100, ge=10, description="Header lines in one request; past it 431.")
    http_max_connections: int = Field(
        4096, ge=1, description="Open connections in all; past it 503. Kept below the open-file limit at start.")
    http_max_connections_per_client: int = Field(
        512, ge=1, description="Open connections from one peer address; past it 429. A service's callers are the "
        "gateway's replicas, whose pools hold up to 200 connections each.")

    def nats_servers(self) -> list[str]:
        """The NATS servers to try, from a comma-separated ``nats_url`` (a cluster lists several)."""
        return [url.strip() for url in self.nats_url.split(",") if url.strip()]


S = TypeVar("S", bound=ServiceSettings)


def listed(value: Any) -> Any:
    """A list setting as operators write it in environment files: ``a,b`` or a JSON list (a ``before`` validator)."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


def settings_dependency(settings_class: type[S]) -> Any:
    """``Annotated[<Service>Settings, Depends(...)]``: the running application's settings, for a route.

    Each service names it once (``SettingsDep = settings_dependency(QueueSettings)`` in ``api/deps.py``).
    ``async`` so FastAPI does not hand it to its thread pool.
    """

    async def settings_of(request: Request) -> S:
        settings = request.app.state.settings
        assert isinstance(settings, settings_class)
        return settings

    return Annotated[settings_class, Depends(settings_of)]
