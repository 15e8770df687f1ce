"""The internal identity: who the gateway says is calling, signed so a service can trust it.

The gateway authenticates the caller (API key or OAuth2 token) and forwards each request with a
short-lived HS256 token in ``X-Bianmin-Identity`` naming the principal: key id, tenant and scopes.
A caller without credentials is forwarded as the anonymous principal, which reaches public routes
only. Every service verifies the token on every ``/v1`` request and answers 401 without a valid
one, so a service reached directly, bypassing the gateway, serves nothing.

A token is bound to one service (its audience, ``bianmin-<service>``): one captured on its way to
the queue service is refused by bidding. It lives :data:`TOKEN_TTL_SECONDS` after it was signed.
Hosts' clocks drift, so a service accepts a token up to ``leeway`` seconds before its ``iat`` and
after its ``exp`` (``BIANMIN_<SERVICE>_IDENTITY_LEEWAY_SECONDS``, :data:`LEEWAY_SECONDS` by
default): a token is thus usable for at most ``ttl + leeway`` seconds, at one service. Each service
estimates how far its clock is from the gateway's from the tokens it receives (:class:`ClockSkew`)
and ``/readyz`` reports it, failing once the skew is beyond the leeway, when every request would be
refused anyway.

The shared secret is only as strong as its value: every process checks it when it starts
(:func:`check_internal_secret`) and refuses one that is short or looks like a template's placeholder,
so a deployment copied from ``deploy/env.example`` without filling it in never comes up.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request

from bianmin.kit import subjects
from bianmin.kit.errors import DistrictOnly, ScopeMissing, TenantMismatch, Unauthorized
from bianmin.kit.sites import within
from bianmin.kit.subjects import Subject

IDENTITY_HEADER = "X-Bianmin-Identity"
ISSUER = "bianmin-gateway"
ALGORITHM = "HS256"
TOKEN_TTL_SECONDS = 15
LEEWAY_SECONDS = 15
DISTRICT = "*"
PUBLIC_EXTRA = "x-bianmin-public"
# Roles whose scopes name a party the key speaks for (``<role>:<code>``): an enterprise by its credit
# code, an issuer by its code. A party is not a site, so tenancy cannot bound them; only a district
# operator grants them (the gateway refuses anyone else), until enterprises and issuers sign in as
# subjects of their own.
PARTY_ROLES = ("bidding:bidder", "guarantee:applicant", "guarantee:beneficiary", "guarantee:issuer")
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
    """The caller: the app (API key or OAuth2 client, its tenant and scopes) and the subject acting, if any.

    ``subject`` is None for an app acting alone (:mod:`bianmin.kit.subjects`); a route decides on the
    subject where the rule depends on who acts, and the app's scopes bound what the app may ask for.
    """

    key_id: str | None
    tenant: str | None
    scopes: frozenset[str] = field(default_factory=frozenset)
    name: str | None = None
    subject: Subject | None = None

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

    @property
    def operator(self) -> bool:
        """A district operator: ``admin`` with the district-wide tenant ``*``.

        Only an operator acts for every party (any enterprise, any issuer) and grants party scopes.
        ``admin`` held by a township key is admin of that township only: it holds every scope, but
        every scope is still bounded by :meth:`may_act_on`, and it never speaks for a party.
        """
        return self.district_wide and "admin" in self.scopes

    def may_act_on(self, tenant: str | None) -> bool:
        """Whether this principal may act on a resource owned by ``tenant``: its own site or one under it."""
        return not self.anonymous and within(tenant, self.tenant)

    def allows(self, scope: str, tenant: str | None) -> bool:
        """Whether this principal holds ``scope`` for a resource owned by ``tenant`` (both must hold)."""
        return self.has_scope(scope) and self.may_act_on(tenant)

    def is_a(self, *kinds: str) -> bool:
        """Whether a subject of one of ``kinds`` acts."""
        return self.subject is not None and self.subject.kind in kinds

    def has_role(self, role: str, site: str | None, department: str | None = None) -> bool:
        """Whether the acting subject holds ``role`` over a resource of ``site`` (and ``department``), within the app's tenancy."""
        return self.subject is not None and self.may_act_on(site) and self.subject.holds(role, site, department)

    def parties(self, role: str) -> frozenset[str]:
        """The parties this principal speaks for in ``role``.

        With a subject, the parties its account was bound to after proof (an enterprise's credit codes,
        an issuer's code); the app's party scopes then count for nothing, so a bidder app acts only for
        the enterprises its signed-in user holds. Without one, the app's party scopes ``<role>:<code>``,
        read literally: ``admin`` or ``bidding:*`` name no party (see :data:`PARTY_ROLES`).
        """
        if self.subject is not None:
            kinds = (subjects.ISSUER,) if role == "guarantee:issuer" else (subjects.ENTERPRISE,)
            return self.subject.parties if self.subject.kind in kinds else frozenset()
        prefix = f"{role}:"
        return frozenset(s.removeprefix(prefix) for s in self.scopes if s.startswith(prefix) and len(s) > len(prefix))

    def acts_for(self, role: str, code: str) -> bool:
        """Whether this principal speaks for the party ``code`` in ``role``: its own party, or an operator's app."""
        return (self.operator and self.subject is None) or code in self.parties(role)


ANONYMOUS = Principal(key_id=None, tenant=None)


def audience_of(service: str) -> str:
    """The audience of the identity tokens one service accepts: a token for queue is refused by bidding."""
    return f"bianmin-{service}"


def mint_token(principal: Principal, secret: str, *, audience: str, ttl_seconds: int = TOKEN_TTL_SECONDS,
               now: float | None = None) -> str:
    """Sign a principal for requests to one service (``audience``, see :func:`audience_of`)."""
    issued = int(now if now is not None else time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER, "aud": audience, "iat": issued, "exp": issued + ttl_seconds,
        "jti": uuid.uuid4().hex, "sub": principal.key_id or "anonymous",
        "tenant": principal.tenant, "scopes": sorted(principal.scopes), "name": principal.name,
        "anon": principal.anonymous,
    }
    if principal.subject is not None:
        claims["subj"] = principal.subject.claims()
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


class ClockSkew:
    """How far this host's clock is behind the gateway's, estimated from the identity tokens it receives.

    Each token carries the gateway's signing time (``iat``); ``iat - now`` is the gateway's lead over
    this clock minus the token's age (the gateway reuses a token for a quarter of its lifetime, and
    ``iat`` is whole seconds). The largest value over a minute is the estimate: it comes from the
    freshest token, so it errs low by at most the reuse period plus a second. Positive: this host
    is behind the gateway.
    """

    WINDOW_SECONDS = 60.0

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._window_started = clock()
        self._current: float | None = None
        self._previous: float | None = None

    def observe(self, offset: float) -> None:
        """Record one token's ``iat - now``."""
        now = self._clock()
        if now - self._window_started > self.WINDOW_SECONDS:
            self._previous, self._current, self._window_started = self._current, None, now
        self._current = offset if self._current is None else max(self._current, offset)

    @property
    def seconds(self) -> float | None:
        """The estimate over the last full or current window, or None before any token arrived."""
        return self._current if self._current is not None else self._previous


def verify_token(token: str, secret: str, *, audience: str, leeway_seconds: float = LEEWAY_SECONDS,
                 now: float | None = None, skew: ClockSkew | None = None) -> Principal:
    """The principal a token names, or :class:`Unauthorized` when it is forged, expired, not yet valid,
    for another service, or malformed.

    The signature, issuer and audience are checked first; only then is the token's ``iat`` trusted
    enough to feed ``skew``, before the time checks, so a skew beyond the leeway is still seen.
    """
    if not secret:
        raise Unauthorized("This service has no internal secret configured.", code="identity_unconfigured")
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], audience=audience, issuer=ISSUER,
                            options={"require": ["exp", "iat", "iss", "aud", "sub"], "verify_exp": False,
                                     "verify_iat": False})
        issued, expires = int(claims["iat"]), int(claims["exp"])
    except jwt.InvalidAudienceError as exc:
        raise Unauthorized("The internal identity token was issued for another service.",
                           code="identity_wrong_audience") from exc
    except (jwt.PyJWTError, TypeError, ValueError) as exc:
        raise Unauthorized("The internal identity token is invalid.", code="identity_invalid") from exc
    current = now if now is not None else time.time()
    if skew is not None:
        skew.observe(issued - current)
    if issued > current + leeway_seconds:
        raise Unauthorized(f"The internal identity token was signed {issued - current:.0f} s in this host's future; "
                           "its clock is behind the gateway's by more than the leeway.", code="identity_not_yet_valid")
    if current > expires + leeway_seconds:
        raise Unauthorized("The internal identity token has expired.", code="identity_expired")
    if claims.get("anon"):
        return ANONYMOUS
    scopes = claims.get("scopes")
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise Unauthorized("The internal identity token is invalid.", code="identity_invalid")
    subject = None
    if claims.get("subj") is not None:
        try:
            subject = Subject.from_claims(claims["subj"])
        except ValueError as exc:
            raise Unauthorized("The internal identity token is invalid.", code="identity_invalid") from exc
    return Principal(key_id=str(claims["sub"]), tenant=claims.get("tenant"), scopes=frozenset(scopes),
                     name=claims.get("name"), subject=subject)


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
    settings = request.app.state.settings
    principal = verify_token(token, settings.internal_secret.get_secret_value(),
                             audience=audience_of(settings.service_name), leeway_seconds=settings.identity_leeway_seconds,
                             skew=request.app.state.clock_skew)
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
            raise ScopeMissing(f"This key lacks the scope {', '.join(missing)}.")
        return principal

    check.required_scopes = scopes  # type: ignore[attr-defined]
    return Depends(check)


def district_only() -> Any:
    """A dependency that answers 403 ``district_only`` unless the principal acts district-wide.

    For changes to what the whole district shares (the catalog, the calendar, routing rules, credit
    rules, the expert pool, issuers): a township key, ``admin`` or not, changes its own sites only.
    Declared on the route (read back by :func:`declares_district_only`), so the access matrix can
    prove every such route refuses a township.
    """

    async def check(principal: PrincipalDep) -> Principal:  # async: no thread-pool hop (see authenticate)
        if not principal.district_wide:
            raise DistrictOnly("Only a district-wide key may change what the whole district shares.")
        return principal

    check.district_only = True  # type: ignore[attr-defined]
    return Depends(check)


def _dependency_calls(route: object) -> list[Any]:
    calls: list[Any] = []
    stack = [getattr(route, "dependant", None)]
    while stack:
        dependant = stack.pop()
        if dependant is None:
            continue
        calls.append(dependant.call)
        stack.extend(dependant.dependencies)
    return calls


def declared_scopes(route: object) -> frozenset[str]:
    """The scopes a route requires through :func:`require_scopes` (its own or its dependencies')."""
    return frozenset(s for call in _dependency_calls(route) for s in getattr(call, "required_scopes", ()))


def declares_district_only(route: object) -> bool:
    """Whether a route (or one of its dependencies) declared :func:`district_only`."""
    return any(getattr(call, "district_only", False) for call in _dependency_calls(route))


def ensure_tenant(principal: Principal, tenant: str | None) -> None:
    """403 unless the principal may act on a resource of ``tenant``."""
    if not principal.may_act_on(tenant):
        raise TenantMismatch("This key may not act on another site's resources.")
