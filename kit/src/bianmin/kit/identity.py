"""The internal identity: who the gateway says is calling, signed so a service can trust it.

The gateway authenticates the caller (API key or OAuth2 token) and forwards each request with a
short-lived HS256 token in ``X-Bianmin-Identity`` naming the principal: key id, tenant and scopes.
A caller without credentials is forwarded as the anonymous principal, which reaches public routes
only. Every service verifies the token on every ``/v1`` request and answers 401 without a valid
one, so a service reached directly, bypassing the gateway, serves nothing.

The shared secret is only as strong as its value: every process checks it when it starts
(:func:`check_internal_secret`) and refuses one that is short or looks like a template's placeholder,
so a deployment copied from ``deploy/env.example`` without filling it in never comes up.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request

from bianmin.kit.errors import Forbidden, Unauthorized

IDENTITY_HEADER = "X-Bianmin-Identity"
ISSUER = "bianmin-gateway"
AUDIENCE = "bianmin-services"
ALGORITHM = "HS256"
DISTRICT = "*"
PUBLIC_EXTRA = "x-bianmin-public"
MIN_SECRET_LENGTH = 32
# Fewer distinct characters than this is a word typed over and over ("secretsecret...", "x" * 40), not
# a random value: 32 random hex characters show fewer than 8 of the 16 with a chance of about 4e-8.
MIN_DISTINCT_CHARACTERS = 8
# What templates and tutorials put where a secret goes; deploy/env.example's values all hold "replace-with".
PLACEHOLDER_MARKERS = ("changeme", "change-me", "change_me", "replace-with", "replace-me", "replaceme", "replace_me",
                       "placeholder", "your-secret", "your_secret", "yoursecret", "<secret>")


class InsecureSecret(RuntimeError):
    """A secret that a process refuses to start with: too short, or a placeholder."""


def check_internal_secret(value: str, name: str = "BIANMIN_INTERNAL_SECRET") -> None:
    """Refuse (InsecureSecret naming ``name``) a secret shorter than 32 characters or that looks like a placeholder.

    Anyone who guesses the internal secret mints identity tokens for any principal, so a weak one is
    a hole in every service at once; failing at start-up is louder than any warning.
    """
    hint = "generate one, e.g. `openssl rand -hex 32`"
    if len(value) < MIN_SECRET_LENGTH:
        raise InsecureSecret(f"{name} must be at least {MIN_SECRET_LENGTH} characters "
                             f"({'it is not set' if not value else f'it has {len(value)}'}): {hint}")
    lowered = value.lower()
    marker = next((m for m in PLACEHOLDER_MARKERS if m in lowered), None)
    if marker is not None:
        raise InsecureSecret(f"{name} looks like a placeholder (it contains {marker!r}): {hint}")
    if len(set(lowered)) < MIN_DISTINCT_CHARACTERS:
        raise InsecureSecret(f"{name} is not random (fewer than {MIN_DISTINCT_CHARACTERS} distinct characters): {hint}")


@dataclass(frozen=True)
class Principal:
    """The caller: an API key or OAuth2 client, its tenant (a site code or ``*``) and its scopes."""

    key_id: str | None
    tenant: str | None
    scopes: frozenset[str] = field(default_factory=frozenset)
    name: str | None = None

    @property
    def anonymous(self) -> bool:
        """True for a caller the gateway did not authenticate (public routes only)."""
        return self.key_id is None

    @property
    def district_wide(self) -> bool:
        """True for a principal that acts on every site of the district."""
        return self.tenant == DISTRICT

    def has_scope(self, scope: str) -> bool:
        """``admin`` holds every scope; ``svc:*`` holds every scope of that service."""
        if "admin" in self.scopes or scope in self.scopes:
            return True
        service = scope.split(":", 1)[0]
        return f"{service}:*" in self.scopes

    def may_act_on(self, tenant: str | None) -> bool:
        """Whether this principal may act on a resource owned by ``tenant``."""
        return not self.anonymous and (self.district_wide or (tenant is not None and tenant == self.tenant))


ANONYMOUS = Principal(key_id=None, tenant=None)


def mint_token(principal: Principal, secret: str, *, ttl_seconds: int = 60, now: float | None = None) -> str:
    """Sign a principal for one forwarded request."""
    issued = int(now if now is not None else time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER, "aud": AUDIENCE, "iat": issued, "exp": issued + ttl_seconds,
        "jti": uuid.uuid4().hex, "sub": principal.key_id or "anonymous",
        "tenant": principal.tenant, "scopes": sorted(principal.scopes), "name": principal.name,
        "anon": principal.anonymous,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(token: str, secret: str, *, leeway_seconds: int = 5) -> Principal:
    """The principal a token names, or :class:`Unauthorized` when it is forged, expired or malformed."""
    if not secret:
        raise Unauthorized("This service has no internal secret configured.", code="identity_unconfigured")
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], audience=AUDIENCE, issuer=ISSUER,
                            leeway=leeway_seconds, options={"require": ["exp", "iat", "iss", "aud", "sub"]})
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("The internal identity token has expired.", code="identity_expired") from exc
    except jwt.PyJWTError as exc:
        raise Unauthorized("The internal identity token is invalid.", code="identity_invalid") from exc
    if claims.get("anon"):
        return ANONYMOUS
    scopes = claims.get("scopes")
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise Unauthorized("The internal identity token is invalid.", code="identity_invalid")
    return Principal(key_id=str(claims["sub"]), tenant=claims.get("tenant"), scopes=frozenset(scopes),
                     name=claims.get("name"))


def public() -> dict[str, Any]:
    """Route keyword arguments that declare a route public: reachable by the anonymous principal."""
    return {"openapi_extra": {PUBLIC_EXTRA: True}}


def is_public_route(route: object) -> bool:
    """Whether a matched route was declared with :func:`public`."""
    extra = getattr(route, "openapi_extra", None) or {}
    return bool(extra.get(PUBLIC_EXTRA))


async def authenticate(request: Request) -> Principal:
    """App-wide dependency: verify the gateway's token; refuse anonymous callers on private routes.

    ``async`` although it awaits nothing: FastAPI runs a plain ``def`` dependency in its thread pool,
    a hand-off to another thread and back on every request for a few microseconds of work.
    """
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    token = request.headers.get(IDENTITY_HEADER)
    if not token:
        raise Unauthorized("Requests must come through the gateway.", code="identity_missing")
    principal = verify_token(token, request.app.state.settings.internal_secret.get_secret_value())
    if principal.anonymous and not is_public_route(request.scope.get("route")):
        raise Unauthorized("This route needs an API key or an access token.", code="credentials_required")
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(authenticate)]


def require_scopes(*scopes: str) -> Any:
    """A dependency that answers 403 unless the principal holds every one of ``scopes`` (see :func:`declared_scopes`)."""

    async def check(principal: PrincipalDep) -> Principal:  # async: no thread-pool hop (see authenticate)
        missing = [s for s in scopes if not principal.has_scope(s)]
        if missing:
            raise Forbidden(f"This key lacks the scope {', '.join(missing)}.", code="scope_missing")
        return principal

    check.required_scopes = scopes  # type: ignore[attr-defined]
    return Depends(check)


def declared_scopes(route: object) -> frozenset[str]:
    """The scopes a route requires through :func:`require_scopes` (its own or its dependencies')."""
    found: set[str] = set()
    stack = [getattr(route, "dependant", None)]
    while stack:
        dependant = stack.pop()
        if dependant is None:
            continue
        found.update(getattr(dependant.call, "required_scopes", ()))
        stack.extend(dependant.dependencies)
    return frozenset(found)


def ensure_tenant(principal: Principal, tenant: str | None) -> None:
    """403 unless the principal may act on a resource of ``tenant``."""
    if not principal.may_act_on(tenant):
        raise Forbidden("This key may not act on another site's resources.", code="tenant_mismatch")
