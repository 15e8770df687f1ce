"""Who is calling: API keys and access tokens turned into a principal, then counted against a rate limit.

Credentials come as ``Authorization: Bearer <key or token>`` or ``X-API-Key: <key>``. A request
without credentials is the anonymous principal (the services decide which routes are public); a
request with wrong, revoked or expired credentials is refused with 401, never downgraded to
anonymous, so a client learns at once that its key is bad. Verified credentials are remembered
for ``auth_cache_seconds`` so that most requests need no database; revoking through the admin API
forgets them at once on this replica, and other replicas within that many seconds.

Failed authentications are counted per client address and per key id (issue 17, finding 7; see
:class:`bianmin.gateway.ratelimit.AuthFailures`). A key that is not in the cache is checked
against those counts before the database is asked, so past the limit a guess gets 429 unchecked.
An access token's signature is checked first instead: that costs no I/O and cannot be guessed, so
a genuine token is never slowed by the counts, and a bad one past the limit gets the same 429.

People (issue 19). A sign-in's access token (``POST /auth/login``) is a bearer token too: the caller
is then the platform's own pages acting for the account's subject, with the scopes its roles ask for.
An app acts for a person by adding a header to its own credentials, and keeps its own key id, tenant
and scopes (they bound what it may ask): ``X-Bianmin-Subject-Token`` carries a signed-in user's access
token; ``X-Bianmin-Citizen-Assertion`` a citizen assertion signed with the key an operator registered
for the app (:mod:`bianmin.gateway.domain.assertions`). A bad header is a 401, never ignored.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import APIKeyHeader, HTTPBearer, OAuth2
from sqlalchemy.exc import IntegrityError

from bianmin.gateway.domain import accounts, assertions, credentials, sessions, tokens
from bianmin.gateway.domain.forwarding import client_ip, parse_networks
from bianmin.gateway.domain.tokens import challenge
from bianmin.gateway.errors import AssertionReplayed, SessionInvalid, SubjectTokenInvalid
from bianmin.gateway.ratelimit import AuthFailures
from bianmin.kit.errors import Forbidden, Unauthorized
from bianmin.kit.identity import ANONYMOUS, Principal
from bianmin.kit.subjects import Subject

api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="ApiKey",
                              description="An API key `bm_<id>_<secret>`.")
bearer_scheme = HTTPBearer(auto_error=False, scheme_name="Bearer",
                           description="An API key, an access token from `POST /auth/token`, or a sign-in's "
                           "access token from `POST /auth/login`.")
SUBJECT_TOKEN_HEADER = "X-Bianmin-Subject-Token"
oauth2_scheme = OAuth2(flows=OAuthFlows(clientCredentials=OAuthFlowClientCredentials(tokenUrl="/auth/token", scopes={})),
                       scheme_name="OAuth2", auto_error=False,
                       description="OAuth2 client credentials: exchange a client id and secret for an access token.")
# An app acting for a person sends one of these beside its own credentials, never alone: they are
# documented as security schemes (added to the gateway's document in app.py) and required together.
ACTING_FOR_SCHEMES: dict[str, dict[str, str]] = {
    "SubjectToken": {"type": "apiKey", "in": "header", "name": "X-Bianmin-Subject-Token",
                     "description": "With an app's key or token: the access token of the signed-in user the app acts for."},
    "CitizenAssertion": {"type": "apiKey", "in": "header", "name": "X-Bianmin-Citizen-Assertion",
                         "description": "With an API key registered for citizens: a JWT it signed (iss = key id, "
                         "sub = the citizen's id at the app, aud = bianmin-gateway, exp at most 5 minutes after iat, "
                         "jti used once; optional id_number)."},
}
SECURITY_REQUIREMENTS: list[dict[str, list[str]]] = [
    {"ApiKey": []}, {"Bearer": []}, {"OAuth2": []},
    {"ApiKey": [], "SubjectToken": []}, {"Bearer": [], "SubjectToken": []}, {"OAuth2": [], "SubjectToken": []},
    {"ApiKey": [], "CitizenAssertion": []}, {"Bearer": [], "CitizenAssertion": []},
]


@dataclass(frozen=True)
class Caller:
    """An authenticated (or anonymous) caller: its principal and what its requests are counted under."""

    principal: Principal
    subject: str
    rate_limit: str | None
    kind: str


class AuthCache:
    """Verified credentials for a few seconds, keyed by a hash of what was presented (or by client id)."""

    def __init__(self, ttl_seconds: float, *, max_entries: int = 10_000) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, Caller]] = {}

    def get(self, key: str) -> Caller | None:
        """A remembered caller, unless it is older than the TTL."""
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            self._entries.pop(key, None)
            return None
        return entry[1]

    def put(self, key: str, caller: Caller) -> None:
        """Remember a verified caller; the cache never grows past ``max_entries``."""
        if self.ttl <= 0:
            return
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + self.ttl, caller)

    def forget(self, credential_id: str) -> None:
        """Forget every entry of a key or client (it was just revoked or changed)."""
        for key, (_, caller) in list(self._entries.items()):
            if caller.principal.key_id == credential_id:
                self._entries.pop(key, None)


def _digest(presented: str) -> str:
    return "key:" + hashlib.sha256(presented.encode()).hexdigest()


def invalid_credentials(detail: str, code: str = "credentials_invalid") -> Unauthorized:
    """A 401 for credentials that were presented but are not good."""
    return Unauthorized(detail, code=code, headers=challenge("invalid_token", detail.rstrip(".")))


async def _key_caller(request: Request, key: str, address: str) -> Caller:
    state = request.app.state
    cache_key = _digest(key)
    cached = state.auth_cache.get(cache_key)
    if cached is not None:
        return cached
    failures: AuthFailures = state.auth_failures
    parts = credentials.parse_key(key)
    key_id = f"key:{parts[0]}" if parts else None
    await failures.guard(address, key_id)
    async with state.db.sessionmaker() as session:
        record = await credentials.verify_key(session, key)
    if record is None:
        await failures.failed(address, key_id)
        raise invalid_credentials("The API key is unknown, wrong or revoked.")
    caller = Caller(credentials.principal_of(record), f"key:{record.id}", record.rate_limit, "key")
    state.auth_cache.put(cache_key, caller)
    return caller


async def _count_failure(request: Request, address: str, credential: str | None) -> None:
    """Count a failed authentication; 429 instead of the caller's 401 once the address or id is past its limit."""
    failures: AuthFailures = request.app.state.auth_failures
    await failures.guard(address, credential)
    await failures.failed(address, credential)


async def _token_caller(request: Request, token: str, address: str) -> Caller:
    state = request.app.state
    try:
        claims = tokens.verify(token, state.token_secret)
    except Unauthorized:
        await _count_failure(request, address, None)
        raise
    cache_key = f"client:{claims.client_id}"
    client = state.auth_cache.get(cache_key)
    if client is None:
        async with state.db.sessionmaker() as session:
            record = await credentials.live_client(session, claims.client_id)
        if record is None:
            await _count_failure(request, address, f"client:{claims.client_id}")
            raise invalid_credentials("The client of this access token was revoked.", code="client_revoked")
        client = Caller(credentials.principal_of(record), f"client:{record.id}", record.rate_limit, "client")
        state.auth_cache.put(cache_key, client)
    principal = Principal(key_id=claims.client_id, tenant=client.principal.tenant,
                          scopes=claims.scopes & client.principal.scopes, name=client.principal.name)
    return Caller(principal, client.subject, client.rate_limit, "client")


async def _session_caller(request: Request, token: str, address: str) -> Caller:
    """The caller a sign-in's access token names: checked against its session row (cached like keys)."""
    state = request.app.state
    try:
        session_id = sessions.verify_access(token, state.token_secret)
    except Unauthorized:
        await _count_failure(request, address, None)
        raise
    cache_key = f"session:{session_id}"
    cached = state.auth_cache.get(cache_key)
    if cached is not None:
        return cached
    async with state.db.sessionmaker() as session:
        row = await sessions.live(session, session_id, now=datetime.now(UTC))
        principal = await accounts.session_principal(session, row) if row is not None else None
    if principal is None or principal.subject is None:
        await _count_failure(request, address, cache_key)
        raise SessionInvalid("The session of this access token has ended: sign in again.",
                             headers=challenge("invalid_token", "The session has ended"))
    caller = Caller(principal, f"subject:{principal.subject.id}", None, "session")
    state.auth_cache.put(cache_key, caller)
    return caller


async def _acting_for(request: Request, caller: Caller, address: str) -> Caller:
    """The app's caller with the person it acts for, when it sends a subject token or a citizen assertion."""
    subject_token = request.headers.get(SUBJECT_TOKEN_HEADER)
    assertion = request.headers.get(assertions.HEADER)
    if subject_token is None and assertion is None:
        return caller
    if caller.kind not in ("key", "client"):
        raise Unauthorized(f"{SUBJECT_TOKEN_HEADER} and {assertions.HEADER} come with an app's own credentials.",
                           code="credentials_required" if caller.kind == "anonymous" else "subject_not_expected",
                           headers=challenge())
    if subject_token is not None and assertion is not None:
        raise Unauthorized("Send a subject token or a citizen assertion, not both.", code="subject_ambiguous")
    if subject_token is not None:
        try:
            user = await _session_caller(request, subject_token.strip(), address)
        except Unauthorized as exc:
            raise SubjectTokenInvalid(f"{SUBJECT_TOKEN_HEADER}: {exc.detail}", headers=exc.headers) from exc
        subject = user.principal.subject
    else:
        if caller.kind != "key":
            raise Unauthorized("Only an API key registered for citizens sends citizen assertions.",
                               code="app_not_registered_for_citizens")
        subject = await _citizen(request, caller, assertion or "", address)
    return dataclasses.replace(caller, principal=dataclasses.replace(caller.principal, subject=subject))


async def _citizen(request: Request, caller: Caller, assertion: str, address: str) -> Subject:
    state = request.app.state
    key_id = str(caller.principal.key_id)
    try:
        async with state.db.sessionmaker() as session:
            subject = await assertions.verify(session, assertion.strip(), key_id=key_id, secret=state.citizen_secret,
                                              now=datetime.now(UTC))
            await session.commit()
    except IntegrityError as exc:  # the same jti committed meanwhile by another replica
        raise AssertionReplayed("This assertion's jti was already used.") from exc
    except Unauthorized:
        await _count_failure(request, address, f"key:{key_id}")
        raise
    return subject


def presented_credential(request: Request) -> str | None:
    """The key or token a request presents, or None; 401 when the ``Authorization`` header is malformed."""
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthorized("Send credentials as 'Authorization: Bearer <key or token>'.",
                               code="credentials_malformed", headers=challenge("invalid_request"))
        return value.strip()
    api_key = request.headers.get("x-api-key")
    if api_key is not None:
        if not credentials.looks_like_key(api_key.strip()):
            raise invalid_credentials("X-API-Key carries API keys (bm_...) only.")
        return api_key.strip()
    return None


def request_client_ip(request: Request) -> str:
    """The client's address as far as the configured trusted proxies let the gateway believe."""
    settings = request.app.state.settings
    peer = request.client.host if request.client else None
    return client_ip(peer, request.headers.get("x-forwarded-for"), parse_networks(tuple(settings.trusted_proxies)))


async def identify(request: Request) -> Caller:
    """The caller of this request, from its credentials (or anonymous, per client IP)."""
    cached = getattr(request.state, "caller", None)
    if cached is not None:
        return cached
    address = request_client_ip(request)
    try:
        presented = presented_credential(request)
    except Unauthorized:
        await _count_failure(request, address, None)
        raise
    if presented is None:
        caller = Caller(ANONYMOUS, f"ip:{address}", request.app.state.settings.anonymous_rate_limit, "anonymous")
    elif credentials.looks_like_key(presented):
        caller = await _key_caller(request, presented, address)
    elif sessions.is_session_token(presented):
        caller = await _session_caller(request, presented, address)
    else:
        caller = await _token_caller(request, presented, address)
    caller = await _acting_for(request, caller, address)
    request.state.caller = caller
    return caller


async def admit(
    request: Request,
    _api_key: Annotated[Any, Depends(api_key_scheme)],
    _bearer: Annotated[Any, Depends(bearer_scheme)],
    _oauth2: Annotated[Any, Depends(oauth2_scheme)],
) -> Caller:
    """Identify the caller and count the request against its rate limit (429 past it)."""
    caller = await identify(request)
    if not getattr(request.state, "rate_counted", False):
        request.state.rate_counted = True
        await request.app.state.limiter.hit(caller.subject, caller.rate_limit, caller=caller.kind)
    return caller


CallerDep = Annotated[Caller, Depends(admit)]


def require_scope(scope: str) -> Any:
    """A dependency: 401 for anonymous callers, 403 unless the principal holds ``scope``; gives the principal."""

    async def check(caller: CallerDep) -> Principal:
        """The caller's principal, if it holds the scope."""
        if caller.principal.anonymous:
            raise Unauthorized("This route needs an API key or an access token.", code="credentials_required",
                               headers=challenge())
        if not caller.principal.has_scope(scope):
            raise Forbidden(f"This key lacks the scope {scope}.", code="scope_missing")
        return caller.principal

    return Depends(check)


AdminDep = Annotated[Principal, require_scope("admin")]
CockpitDep = Annotated[Principal, require_scope("cockpit:read")]
MetricsDep = Annotated[Principal, require_scope("metrics:read")]
