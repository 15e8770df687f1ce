"""Settings of the gateway, read from ``BIANMIN_GATEWAY_*`` environment variables.

Each upstream's address has its own variable (``BIANMIN_GATEWAY_CATALOG_URL`` and so on) so that an
operator moves one service without restating the others. The internal secret is shared with the
services (``BIANMIN_INTERNAL_SECRET``); the access-token signing secret is the gateway's alone and
must differ from it, so that a service holding the internal secret cannot mint client tokens.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from bianmin.contracts.services import SERVICES
from bianmin.kit.identity import TOKEN_TTL_SECONDS
from bianmin.kit.settings import ServiceSettings


class OidcIssuer(BaseModel):
    """An external OpenID Connect issuer the gateway trusts (the province's unified identity, 统一身份认证)."""

    issuer: str = Field(description="The `iss` its ID tokens carry.")
    audience: str = Field(description="The `aud` they must carry: the gateway's client id at that issuer.")
    jwks: str = Field(description="Its JWKS: an https:// URL, or a local file path for machines without the internet.")
    kind: Literal["staff", "citizen"] = Field(
        "staff", description="`staff`: the claim names an account's username; `citizen`: a resident ID number.")
    claim: str = Field("preferred_username", description="The claim that names the account or the ID number.")
    name_claim: str = Field("name", description="The claim with the person's name.")


class GatewaySettings(ServiceSettings):
    """Where the gateway listens, where each service is, and how patient and strict it is with them."""

    model_config = SettingsConfigDict(env_prefix="BIANMIN_GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    port: int = 8000
    database_url: str = "sqlite+aiosqlite:///var/gateway.db"
    events_enabled: bool = False

    catalog_url: str = "http://127.0.0.1:8001"
    queue_url: str = "http://127.0.0.1:8002"
    consult_url: str = "http://127.0.0.1:8003"
    bidding_url: str = "http://127.0.0.1:8004"
    guarantee_url: str = "http://127.0.0.1:8005"
    credit_url: str = "http://127.0.0.1:8006"
    webhooks_url: str = "http://127.0.0.1:8007"

    connect_timeout_seconds: float = Field(0.5, gt=0, description="Time to open a connection to an upstream.")
    read_timeout_seconds: float = Field(30.0, gt=0, description="Time an upstream may take to answer (then 504).")
    write_timeout_seconds: float = Field(10.0, gt=0)
    pool_timeout_seconds: float = Field(1.0, gt=0, description="Time to wait for a free pooled connection.")
    stream_read_timeout_seconds: float = Field(
        300.0, gt=0, description="Longest silence tolerated on a server-sent event stream.")
    max_connections: int = Field(200, ge=1, description="Pooled connections per upstream.")
    max_keepalive_connections: int = Field(50, ge=0)
    retry_attempts: int = Field(2, ge=0, le=5, description="Extra attempts of an idempotent request on connection errors.")
    retry_backoff_seconds: float = Field(0.05, ge=0, description="First pause between attempts; doubles each time.")
    breaker_failure_threshold: int = Field(5, ge=1, description="Consecutive failures that open a circuit.")
    breaker_reset_seconds: float = Field(10.0, gt=0, description="Cool-down before an open circuit lets a trial through.")

    internal_token_ttl_seconds: int = Field(TOKEN_TTL_SECONDS, ge=5, le=600)
    token_signing_secret: SecretStr = Field(
        default=SecretStr(""),
        description="HS256 secret of the OAuth2 access tokens; the gateway's alone. Empty: a random "
        "secret per process (tokens then die with the process; set it when running replicas).",
    )
    access_token_ttl_seconds: int = Field(900, ge=30, le=86_400)
    session_token_ttl_seconds: int = Field(
        900, ge=30, le=3600, description="Lifetime of a sign-in's access token; a refresh token gives the next.")
    session_ttl_seconds: int = Field(
        43_200, ge=300, description="How long a sign-in lasts at most: its refresh tokens stop working after it.")
    sign_in_max_failures: int = Field(5, ge=1, le=100, description="Consecutive failed sign-ins that lock an account.")
    sign_in_lock_minutes: float = Field(15.0, gt=0, description="How long a locked account refuses every sign-in.")
    citizen_id_secret: SecretStr = Field(
        default=SecretStr(""),
        description="HMAC key of citizens' ID numbers: the same person from two apps is one citizen, and the "
        "number never leaves the gateway. Empty: derived from the token signing secret (set one of them).")
    oidc_issuers: list[OidcIssuer] = Field(
        default_factory=list, description="External OpenID Connect issuers whose ID tokens sign people in (JSON list).")
    auth_cache_seconds: float = Field(5.0, ge=0, description="How long a verified key is trusted without the database.")

    rate_limit_storage_url: str = Field(
        "memory://", description="memory:// (counts per replica) or redis://host:port/db (shared by every replica)")
    replicas: int = Field(
        1, ge=1, description="Gateway replicas the deployment runs. With memory:// rate limits and more than one, "
        "each key gets that many times its limit: the gateway warns at start and /readyz says degraded.")
    default_rate_limit: str = Field("600/minute", description="Per key or client unless the key sets its own.")
    anonymous_rate_limit: str = Field("120/minute", description="Per client IP for callers without credentials.")
    token_rate_limit: str = Field("30/minute", description="Per client IP on POST /auth/token.")
    auth_failure_rate_limit: str = Field(
        "20/minute", description="Failed authentications per client IP; past it 429 before any credential is checked.")
    auth_failure_credential_rate_limit: str = Field(
        "10/minute", description="Failed authentications per presented key id or client id, from any address.")
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Addresses or networks of proxies in front of the gateway whose X-Forwarded-For is believed.",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    http_max_connections_per_client: int = Field(
        64, ge=1, description="Open connections from one address; past it 429. Trusted proxies have the global cap only.")

    cockpit_timeout_seconds: float = Field(2.0, gt=0)
    openapi_cache_seconds: float = Field(60.0, ge=0)
    openapi_fetch_timeout_seconds: float = Field(5.0, gt=0, description="A large document takes a busy service a moment.")
    probe_timeout_seconds: float = Field(0.5, gt=0)

    internal_secret: SecretStr = Field(
        default=SecretStr(""),
        validation_alias=AliasChoices("internal_secret", "BIANMIN_INTERNAL_SECRET", "BIANMIN_GATEWAY_INTERNAL_SECRET"),
        description="HMAC secret shared only by the gateway and the services; must be set.",
    )

    @field_validator("trusted_proxies", "cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _distinct_secrets(self) -> GatewaySettings:
        token = self.token_signing_secret.get_secret_value()
        if token and token == self.internal_secret.get_secret_value():
            raise ValueError("token_signing_secret must differ from the internal secret")
        return self

    def upstream_urls(self) -> dict[str, str]:
        """Each routed service's base URL, by the name it is reached under (``/<name>/v1/...``)."""
        return {name: getattr(self, f"{name}_url").rstrip("/") for name in SERVICES}
