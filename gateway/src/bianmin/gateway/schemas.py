"""Request and response models of the gateway's own API: keys, clients, tokens and the cockpit."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from bianmin.gateway.domain.credentials import SCOPE_PATTERN, TENANT_PATTERN
from bianmin.gateway.ratelimit import valid_rate
from bianmin.kit.stats import Overview, Period

Tenant = Annotated[str, StringConstraints(pattern=TENANT_PATTERN),
                   Field(description="A site code (township, village) or `*` for the whole district.", examples=["*"])]
Scope = Annotated[str, StringConstraints(pattern=SCOPE_PATTERN, max_length=64)]
Rate = Annotated[str | None, AfterValidator(valid_rate),
                 Field(description="Own rate limit, e.g. `100/minute` or `10/second;1000/hour`; null: the default.",
                       examples=["100/minute"])]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]


class CredentialCreate(BaseModel):
    """What a new key or client is called, whose it is and what it may do."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    tenant: Tenant
    scopes: list[Scope] = Field(default_factory=list, max_length=50, examples=[["queue:write", "cockpit:read"]])
    rate_limit: Rate = None


class KeyCreate(CredentialCreate):
    """A new API key."""


class ClientCreate(CredentialCreate):
    """A new OAuth2 client of the client-credentials grant."""


class CredentialUpdate(BaseModel):
    """A rename or a new rate limit; omitted fields stay, ``rate_limit: null`` returns to the default."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    rate_limit: Rate = None


class KeyRead(BaseModel):
    """An API key as listed: everything but its secret, which is never shown again."""

    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="The key's public id, the part after `bm_`.")
    name: str
    tenant: str
    scopes: list[str]
    rate_limit: str | None
    created_at: datetime
    revoked_at: datetime | None


class KeyCreated(KeyRead):
    """A new API key with its secret: shown this once."""

    key: str = Field(description="The whole key, `bm_<id>_<secret>`. Store it now: it is never shown again.")


class KeyPage(BaseModel):
    """A page of API keys."""

    items: list[KeyRead]
    next_cursor: str | None = None


class ClientRead(BaseModel):
    """An OAuth2 client as listed: everything but its secret."""

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    client_id: str = Field(validation_alias="id")
    name: str
    tenant: str
    scopes: list[str]
    rate_limit: str | None
    created_at: datetime
    revoked_at: datetime | None


class ClientCreated(ClientRead):
    """A new OAuth2 client with its secret: shown this once."""

    client_secret: str = Field(description="Store it now: it is never shown again.")


class ClientPage(BaseModel):
    """A page of OAuth2 clients."""

    items: list[ClientRead]
    next_cursor: str | None = None


class TokenResponse(BaseModel):
    """An access token of the client-credentials grant (RFC 6749 §5.1)."""

    access_token: str
    token_type: str = "Bearer"
    expires_in: int
    scope: str


class CockpitWarning(BaseModel):
    """A warning a service raised, e.g. its working-day calendar ending within 60 days; ``services`` that raised it."""

    text: str
    services: list[str]


class CockpitOverview(BaseModel):
    """Every service's figures for a period; services that did not answer in time are listed as missing."""

    period: Period
    parts: list[Overview]
    missing: list[str] = Field(description="Services whose figures are absent from this answer.")
    reasons: dict[str, str] = Field(default_factory=dict, description="Why each missing service is missing.")
    warnings: list[CockpitWarning] = Field(default_factory=list,
                                           description="What the services ask an operator to see to (once per text).")


class UpstreamStatus(BaseModel):
    """What the gateway knows of one upstream right now."""

    url: str
    circuit: str
    health: str


class Readiness(BaseModel):
    """The gateway's readiness: its database decides; the upstreams are reported for information."""

    status: str = Field(description="`ready`, or `degraded` when memory rate limits run on several replicas.")
    checks: dict[str, str]
    upstreams: dict[str, UpstreamStatus]
    rate_limits: str = Field(description="`shared (redis)`, or `per-replica (memory)`: each replica counts alone.")


class SignIn(BaseModel):
    """A password sign-in, with the TOTP code when the account's roles need one."""

    model_config = ConfigDict(extra="forbid")

    username: Annotated[str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True, to_lower=True)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]
    totp: Annotated[str, StringConstraints(pattern=r"^[0-9]{6,8}$")] | None = Field(
        None, description="The current code of the authenticator app; required for roles that approve, confirm, "
        "decrypt or score.")


class RefreshRequest(BaseModel):
    """A refresh token to spend for the next pair."""

    model_config = ConfigDict(extra="forbid")

    refresh_token: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class OidcSignIn(BaseModel):
    """An ID token of a trusted OpenID Connect issuer."""

    model_config = ConfigDict(extra="forbid")

    id_token: Annotated[str, StringConstraints(min_length=1, max_length=16_384)]


class SessionTokens(BaseModel):
    """A sign-in's tokens: send the access token as `Authorization: Bearer`; spend the refresh token for the next."""

    access_token: str
    token_type: str = "Bearer"
    expires_in: int = Field(description="Seconds the access token lives.")
    refresh_token: str = Field(description="Opaque; each use gives a new one, and a used one shown again ends the session.")
    second_factor: bool = Field(description="Whether this sign-in checked a second factor.")


Username = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.@-]{1,63}$", to_lower=True, strip_whitespace=True),
                     Field(description="Lower-case letters, digits and `_.@-`, 2 to 64 characters.", examples=["wang.clerk"])]
Password = Annotated[str, StringConstraints(min_length=12, max_length=1024),
                     Field(description="At least 12 characters. Omit it to have the gateway generate one, shown once.")]
RoleSite = Annotated[str, StringConstraints(pattern=r"^(\*|[0-9]{6}([0-9]{3}){0,2}([A-Z][A-Z0-9]{0,5})?)$"),
                     Field(description="A site code (330199001, 330199001001, 330199B01) or `*` for every site.")]


class RoleHeld(BaseModel):
    """A role held at a site, optionally for one department."""

    model_config = ConfigDict(extra="forbid")

    role: Annotated[str, StringConstraints(min_length=1, max_length=40)] = Field(examples=["clerk"])
    site: RoleSite
    department: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None


class AccountCreate(BaseModel):
    """A new account: who it is, the roles it holds, and optionally its first password."""

    model_config = ConfigDict(extra="forbid")

    username: Username
    kind: Literal["staff", "enterprise", "expert", "custodian", "issuer", "supervisor", "operator"]
    display_name: Name
    password: Password | None = None
    roles: list[RoleHeld] = Field(default_factory=list, max_length=50)


class RolesUpdate(BaseModel):
    """An account's roles, replacing the ones it held."""

    model_config = ConfigDict(extra="forbid")

    roles: list[RoleHeld] = Field(max_length=50)


class PasswordReset(BaseModel):
    """A new password; omitted: the gateway generates one and shows it once."""

    model_config = ConfigDict(extra="forbid")

    password: Password | None = None


class PartyBind(BaseModel):
    """A party an enterprise (credit code) or issuer (issuer code) account speaks for, and the proof an operator checked."""

    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True, to_upper=True)]
    evidence: Annotated[str, StringConstraints(min_length=1, max_length=500)] = Field(
        description="What was verified: e.g. the business licence seen and the legal representative's call-back.")


class PartyRead(BaseModel):
    """A bound party: who verified it, and when."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    verified_by: str
    evidence: str
    verified_at: datetime


class AccountRead(BaseModel):
    """An account as an admin sees it: never its password hash or TOTP secret."""

    id: str
    username: str
    kind: str
    display_name: str
    roles: list[RoleHeld]
    parties: list[PartyRead]
    totp_enrolled: bool
    locked_until: datetime | None
    disabled_at: datetime | None
    created_at: datetime


class AccountCreated(AccountRead):
    """A new account with its first password when the gateway generated it: shown this once."""

    password: str | None = Field(None, description="The generated password; null when the admin chose it.")


class AccountPage(BaseModel):
    """A page of accounts."""

    items: list[AccountRead]
    next_cursor: str | None = None


class PasswordIssued(BaseModel):
    """The generated password of a reset, shown this once (null when the admin chose it)."""

    password: str | None


class TotpEnrolment(BaseModel):
    """A TOTP secret just enrolled: scan the URI into an authenticator app now; it is never shown again."""

    otpauth_uri: str
    secret: str


class CitizenKeyRegister(BaseModel):
    """The public key an app signs citizen assertions with."""

    model_config = ConfigDict(extra="forbid")

    algorithm: Literal["EdDSA", "ES256"] = Field(description="`EdDSA` (Ed25519) or `ES256` (P-256).")
    public_key: Annotated[str, StringConstraints(min_length=1, max_length=4000)] = Field(description="PEM, SubjectPublicKeyInfo.")


class CitizenKeyRead(BaseModel):
    """An app's registered citizen-assertion key."""

    model_config = ConfigDict(from_attributes=True)

    key_id: str
    algorithm: str
    public_key: str
    registered_by: str
    created_at: datetime
