"""The gateway's application: its own routes, the proxy for the services, and the wiring between them.

The lifespan creates what lives as long as the process: the database engine, one pooled HTTP
client per upstream with its circuit breaker, the rate limiter and the OpenAPI cache. The gateway
refuses to start without a strong internal secret (the kit's check: 32 characters, no placeholder), since
every service would refuse what it forwards, and a guessable one lets anyone mint identities.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from bianmin.gateway.api import accounts, admin, cockpit, docs, health, login, pages, proxy, token
from bianmin.gateway.auth import ACTING_FOR_SCHEMES, AuthCache
from bianmin.gateway.domain.oidc import OidcVerifier
from bianmin.gateway.domain.sealing import TotpSealer
from bianmin.gateway.errors import OAuthError
from bianmin.gateway.forward import IdentityTokens
from bianmin.gateway.metrics import GatewayMetrics
from bianmin.gateway.openapi import OpenApiAggregator
from bianmin.gateway.ratelimit import AuthFailures, RateLimiter, parse_rate
from bianmin.gateway.settings import GatewaySettings
from bianmin.gateway.timing import ServerTimingMiddleware
from bianmin.gateway.upstreams import TransportFactory, aiohttp_transport, build_upstreams
from bianmin.kit.db import Database
from bianmin.kit.errors import PROBLEM_JSON, install_error_handlers
from bianmin.kit.identity import check_internal_secret
from bianmin.kit.middleware import RequestContextMiddleware

log = logging.getLogger("bianmin.gateway")
VERSION = "0.1.0"
DESCRIPTION = (
    "The one door of the Bianmin platform. Services are reached under `/<service>/v1/...`; "
    "authenticate with an API key (`Authorization: Bearer bm_...` or `X-API-Key`) or an OAuth2 "
    "access token from `POST /auth/token`; people sign in with `POST /auth/login` and send its access token. An app "
    "acts for a person with `X-Bianmin-Subject-Token` (the user's access token) or, for citizens, "
    "`X-Bianmin-Citizen-Assertion` (a JWT signed with its registered key). Errors are `application/problem+json` with a stable `code`."
)
TAGS = [
    {"name": "auth", "description": "OAuth2 client credentials; people's sign-in (password and TOTP, or an OIDC ID token), "
     "refresh and logout."},
    {"name": "admin", "description": "API keys, OAuth2 clients and accounts (scope `admin`)."},
    {"name": "cockpit", "description": "The data cockpit (数据驾驶舱): every service's figures at once."},
    {"name": "health", "description": "Liveness and readiness."},
]


async def _oauth_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OAuthError)
    body = {"type": "about:blank", "title": exc.title, "status": exc.status, "code": exc.code, "detail": exc.detail,
            "instance": request.url.path, "error": exc.code, "error_description": exc.detail}
    headers = {"Cache-Control": "no-store", **exc.headers}
    return JSONResponse(body, status_code=exc.status, media_type=PROBLEM_JSON, headers=headers)


def _token_secret(settings: GatewaySettings) -> str:
    configured = settings.token_signing_secret.get_secret_value()
    if configured:
        return configured
    log.warning("BIANMIN_GATEWAY_TOKEN_SIGNING_SECRET is not set: access tokens are signed with a random "
                "secret of this process and die with it; set it when running several replicas")
    return secrets.token_urlsafe(48)


def _citizen_secret(settings: GatewaySettings, token_secret: str) -> bytes:
    """The key of citizens' ID-number hashes: its own setting, else derived from the token secret (labelled, one-way)."""
    configured = settings.citizen_id_secret.get_secret_value()
    if configured:
        return configured.encode()
    return hmac.new(token_secret.encode(), b"bianmin citizen id", hashlib.sha256).digest()


def _warn_about_memory_limits(settings: GatewaySettings, limiter: RateLimiter) -> None:
    if limiter.remote:
        return
    if settings.replicas > 1:
        log.warning("rate limits are counted in memory, per replica: with %d replicas each key, address and "
                    "failed-authentication limit is multiplied by the number of replicas; set "
                    "BIANMIN_GATEWAY_RATE_LIMIT_STORAGE_URL to a Redis shared by every replica", settings.replicas)
    else:
        log.warning("rate limits are counted in this process's memory: right for one replica only; before running "
                    "more (BIANMIN_GATEWAY_REPLICAS), set BIANMIN_GATEWAY_RATE_LIMIT_STORAGE_URL to a shared Redis")


def create_app(settings: GatewaySettings | None = None, *, transport_factory: TransportFactory = aiohttp_transport) -> FastAPI:
    """Build the gateway's application; ``transport_factory`` swaps the HTTP client used for upstreams."""
    settings = settings or GatewaySettings()
    metrics = GatewayMetrics(settings.service_name)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """Open the database, the upstream pools, the rate limiter and the OpenAPI cache; close them at the end."""
        internal = settings.internal_secret.get_secret_value()
        # Unset, short or a placeholder: refused, as the services refuse it (they would trust any token signed with it).
        check_internal_secret(internal)
        for rate in (settings.default_rate_limit, settings.anonymous_rate_limit, settings.token_rate_limit):
            parse_rate(rate)
        app.state.internal_secret = internal
        app.state.totp_sealer = TotpSealer(internal)
        app.state.identity_tokens = IdentityTokens(internal, settings.internal_token_ttl_seconds)
        app.state.token_secret = _token_secret(settings)
        app.state.citizen_secret = _citizen_secret(settings, app.state.token_secret)
        app.state.oidc = OidcVerifier(settings.oidc_issuers)
        app.state.db = Database(settings.database_url)
        app.state.upstreams = build_upstreams(settings, metrics, transport_factory)
        app.state.limiter = RateLimiter(settings.rate_limit_storage_url, default_rate=settings.default_rate_limit,
                                        metrics=metrics)
        _warn_about_memory_limits(settings, app.state.limiter)
        app.state.auth_cache = AuthCache(settings.auth_cache_seconds)
        app.state.auth_failures = AuthFailures(app.state.limiter, per_address=settings.auth_failure_rate_limit,
                                               per_credential=settings.auth_failure_credential_rate_limit)
        app.state.openapi = OpenApiAggregator(app.state.upstreams, app.openapi, ttl_seconds=settings.openapi_cache_seconds,
                                              fetch_timeout_seconds=settings.openapi_fetch_timeout_seconds)
        try:
            yield
        finally:
            for upstream in app.state.upstreams.values():
                await upstream.aclose()
            await app.state.limiter.aclose()
            await app.state.db.dispose()

    app = FastAPI(title="Bianmin", description=DESCRIPTION, version=VERSION, lifespan=lifespan, openapi_tags=TAGS,
                  openapi_url=None, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.metrics = metrics
    install_error_handlers(app)
    app.add_exception_handler(OAuthError, _oauth_error)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"],
                           allow_headers=["*"], expose_headers=["X-Request-ID", "Retry-After", "Server-Timing"])
    app.add_middleware(ServerTimingMiddleware)
    app.add_middleware(RequestContextMiddleware, metrics=metrics, max_body_bytes=settings.max_body_bytes)
    for module in (health, docs, pages, token, login, admin, accounts, cockpit, proxy):
        app.include_router(module.router)
    app.openapi = _with_acting_for_schemes(app)  # type: ignore[method-assign]
    return app


def _with_acting_for_schemes(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """The app's OpenAPI builder, adding the headers with which an app acts for a person (no route declares them)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        document = build()
        document.setdefault("components", {}).setdefault("securitySchemes", {}).update(ACTING_FOR_SCHEMES)
        return document

    return openapi


def gateway_openapi(settings: GatewaySettings | None = None) -> dict[str, Any]:
    """The gateway's own OpenAPI document (without the services'), e.g. for ``contracts/openapi/gateway.json``."""
    return create_app(settings).openapi()
