"""Settings of the webhooks service, read from ``BIANMIN_WEBHOOKS_*`` environment variables.

The retry and disable periods are in seconds so that tests can make them short; production keeps
the defaults (retry a delivery for a day, disable an endpoint that has failed for five days).
"""

import ipaddress
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from bianmin.kit.settings import ServiceSettings, listed


class WebhooksSettings(ServiceSettings):
    """Where the webhooks service listens, how it encrypts secrets, and how patient it is with receivers."""

    model_config = SettingsConfigDict(env_prefix="BIANMIN_WEBHOOKS_", extra="ignore")

    service_name: str = "webhooks"
    port: int = 8007
    database_url: str = "sqlite+aiosqlite:///var/webhooks.db"

    secret_key: SecretStr = Field(
        default=SecretStr(""),
        description="Key material for encrypting endpoint secrets at rest (AES-256-GCM, key derived with HKDF). "
        "Empty: derived from the internal secret. Changing it makes stored secrets unreadable.",
    )
    deliver_enabled: bool = Field(True, description="Run the deliverer in this process.")
    poll_seconds: float = Field(0.5, gt=0, description="Pause between looks for due deliveries when idle.")
    batch_size: int = Field(50, ge=1, le=1000, description="Deliveries claimed per look.")
    max_in_flight: int = Field(64, ge=1, description="Requests this process sends at once, over all endpoints.")
    endpoint_concurrency: int = Field(4, ge=1, le=100, description="Requests in flight per endpoint, over all replicas.")
    connect_timeout_seconds: float = Field(5.0, gt=0)
    read_timeout_seconds: float = Field(15.0, gt=0, description="Time a receiver may take to answer.")
    lease_seconds: float = Field(60.0, gt=0, description="How long a claimed delivery is reserved for its process.")
    backoff_base_seconds: float = Field(5.0, gt=0, description="First retry delay (before jitter); doubles each time.")
    backoff_max_seconds: float = Field(3600.0, gt=0, description="Longest delay between two attempts.")
    retry_period_seconds: float = Field(86_400.0, gt=0, description="How long a delivery is retried before it fails.")
    disable_after_seconds: float = Field(5 * 86_400.0, gt=0, description="How long an endpoint may fail before it is disabled.")
    secret_overlap_seconds: float = Field(
        86_400.0, ge=0, description="After a rotation, how long the old secret still signs beside the new one (0: not at all).")
    log_retention_days: int = Field(30, ge=1, description="Finished deliveries (and their attempts) are kept this long.")
    allowed_networks: Annotated[list[ipaddress.IPv4Network | ipaddress.IPv6Network], NoDecode] = Field(
        default_factory=list,
        description="CIDR ranges the deliverer may reach although they are not public (loopback, private, shared, "
        "link-local), and where plain http is accepted: comma-separated or a JSON list, e.g. "
        "`127.0.0.0/8,::1/128` for development or `10.20.0.0/16` for a township extranet. Empty: public addresses only.")

    @field_validator("allowed_networks", mode="before")
    @classmethod
    def _networks(cls, value: Any) -> Any:
        """Accept ``a,b`` as well as a JSON list, the way operators write lists in environment files."""
        return listed(value)

    @model_validator(mode="after")
    def _lease_outlasts_a_request(self) -> "WebhooksSettings":
        if self.lease_seconds <= self.connect_timeout_seconds + self.read_timeout_seconds:
            raise ValueError("lease_seconds must exceed connect_timeout_seconds + read_timeout_seconds, "
                             "or a slow request would be sent twice by two processes")
        return self

    def encryption_material(self) -> bytes:
        """The key material secrets are encrypted with: the own key, else the internal secret (empty: none)."""
        return (self.secret_key.get_secret_value() or self.internal_secret.get_secret_value()).encode()
