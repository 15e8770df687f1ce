"""The application factory every service uses: one wiring, so a domain only adds its parts.

A service describes itself in a :class:`ServiceSpec` (routers, event handlers, stats, workers) and
calls :func:`create_service_app`. Everything under ``/v1`` requires the gateway's identity token;
health, metrics and the docs do not. ``/metrics`` is meant for the platform's own network only:
the gateway does not route it, and deployments keep a service's port off the public network.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute

from bianmin.kit.access_log import access_log_router
from bianmin.kit.calendar import calendar_router
from bianmin.kit.clock import Clock, SystemClock
from bianmin.kit.db import Database
from bianmin.kit.docs import docs_router
from bianmin.kit.errors import install_error_handlers
from bianmin.kit.events.bus import EventBus
from bianmin.kit.events.consumer import Handler
from bianmin.kit.health import router as health_router
from bianmin.kit.idempotency import IdempotentReplay
from bianmin.kit.identity import ClockSkew, authenticate, check_internal_secret, declared_scopes
from bianmin.kit.maintenance import maintenance_worker
from bianmin.kit.metrics import Metrics
from bianmin.kit.middleware import RequestContextMiddleware
from bianmin.kit.policy import POLICY_EXTRA, declared_policy
from bianmin.kit.settings import ServiceSettings
from bianmin.kit.site_registry import site_registry_router
from bianmin.kit.stats import StatsFn, stats_router

Worker = Callable[[FastAPI], Awaitable[None]]


@dataclass
class ServiceSpec:
    """What makes a service itself; everything else is the kit's."""

    name: str
    title: str
    description: str
    version: str = "0.1.0"
    routers: list[APIRouter] = field(default_factory=list)
    handlers: list[Handler] = field(default_factory=list)
    stats: StatsFn | None = None
    workers: list[Worker] = field(default_factory=list)
    tags: list[dict[str, str]] = field(default_factory=list)
    calendar: bool = False
    """Whether the service counts working days: it then shows its copy of the calendar and its coverage."""
    sites: bool = False
    """Whether the service keeps a copy of the site registry: it then shows it (``/v1/site-registry``)."""


def api_routes(app: FastAPI) -> list[Any]:
    """Every API route of an app, those inside included routers too (FastAPI keeps them as effective candidates)."""

    def walk(routes: Any) -> Any:
        for route in routes:
            if isinstance(route, APIRoute) or (getattr(route, "dependant", None) is not None
                                               and getattr(route, "methods", None)):
                yield route
            elif hasattr(route, "effective_candidates"):
                yield from walk(route.effective_candidates())

    return list(walk(app.routes))


def _documented_policies(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """``app.openapi`` with each operation's declared policy (``x-bianmin-policy``) and scopes in the document."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = build()
        for route in api_routes(app):
            allowed, scopes = declared_policy(route), declared_scopes(route)
            for method in route.methods:
                operation = document.get("paths", {}).get(route.path, {}).get(method.lower())
                if operation is None:
                    continue
                if allowed is not None:
                    operation[POLICY_EXTRA] = [a.describe() for a in allowed]
                if scopes:
                    operation["x-bianmin-scopes"] = sorted(scopes)
        app.openapi_schema = document
        return document

    return openapi


async def _replay(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, IdempotentReplay)
    return exc.response()


def create_service_app(spec: ServiceSpec, settings: ServiceSettings, *, clock: Clock | None = None) -> FastAPI:
    """Build a service's FastAPI application from its spec and settings."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        check_internal_secret(settings.internal_secret.get_secret_value())
        db = Database(settings.database_url, storage_full_seconds=settings.storage_full_seconds)
        app.state.db = db
        app.state.bus = None

        async def storage_gauge() -> None:
            app.state.metrics.storage_full.labels(spec.name).set(1 if await db.storage.full() else 0)

        app.state.metrics.refreshers.append(storage_gauge)
        if settings.events_enabled:
            app.state.bus = EventBus(settings, db, app.state.metrics, spec.handlers, clock=app.state.clock,
                                     state=app.state)
            await app.state.bus.start()
        tasks = [asyncio.create_task(worker(app), name=f"{spec.name}-worker")
                 for worker in (*spec.workers, maintenance_worker)]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            if app.state.bus is not None:
                await app.state.bus.stop()
            app.state.metrics.refreshers.remove(storage_gauge)
            await db.dispose()

    # FastAPI's own /docs and /redoc load from a CDN; the kit serves Swagger UI itself (bianmin.kit.docs).
    app = FastAPI(title=spec.title, description=spec.description, version=spec.version,
                  lifespan=lifespan, openapi_tags=spec.tags or None, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.clock = clock or SystemClock()
    app.state.clock_skew = ClockSkew()
    app.state.metrics = Metrics(spec.name)
    app.state.service = spec
    install_error_handlers(app)
    app.add_exception_handler(IdempotentReplay, _replay)
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics,
                       max_body_bytes=settings.max_body_bytes)
    app.include_router(health_router)
    app.include_router(docs_router(openapi_url="/openapi.json", title=f"{spec.title} API"))
    app.add_route("/metrics", app.state.metrics.endpoint, include_in_schema=False)
    kit_routers = [stats_router(spec.name, spec.stats, calendar=spec.calendar), access_log_router(),
                   *([calendar_router()] if spec.calendar else []), *([site_registry_router()] if spec.sites else [])]
    for router in [*spec.routers, *kit_routers]:
        app.include_router(router, prefix="/v1", dependencies=[Depends(authenticate)])
    app.openapi = _documented_policies(app)  # type: ignore[method-assign]
    return app
