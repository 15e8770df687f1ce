"""Endpoints: registration, changes, secrets, and the failing → disabled → enabled life.

An endpoint belongs to the tenant of the key that registered it. A township key sees only its
own endpoints; another tenant's endpoint is a 404, as if it did not exist, so ids reveal nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.contracts.events.webhooks import EndpointDisabled
from bianmin.kit.errors import NotFound, Unprocessable
from bianmin.kit.events.outbox import emit
from bianmin.kit.identity import Principal
from bianmin.webhooks.domain.patterns import pattern_problem
from bianmin.webhooks.domain.signing import SecretBox, new_secret
from bianmin.webhooks.domain.urls import url_problem
from bianmin.webhooks.models import Endpoint
from bianmin.webhooks.schemas import EndpointCreate, EndpointUpdate

MANUAL = "disabled by its owner"


def check_url(url: str) -> None:
    """422 naming ``url`` unless it may be an endpoint."""
    problem = url_problem(url)
    if problem:
        raise Unprocessable.field("url", problem)


def check_patterns(patterns: list[str]) -> list[str]:
    """The patterns without duplicates, in order; 422 naming the first bad one."""
    for index, pattern in enumerate(patterns):
        problem = pattern_problem(pattern)
        if problem:
            raise Unprocessable.field(f"event_types.{index}", f"{pattern!r} {problem}")
    return list(dict.fromkeys(patterns))


async def create(session: AsyncSession, body: EndpointCreate, *, by: Principal, box: SecretBox,
                 now: datetime) -> tuple[Endpoint, str]:
    """Register an endpoint for the caller's tenant; the endpoint and its secret (to show once)."""
    check_url(body.url)
    patterns = check_patterns(body.event_types)
    secret = new_secret()
    endpoint = Endpoint(
        tenant=by.tenant or "*", url=body.url, description=body.description, event_types=patterns,
        site_codes=list(dict.fromkeys(body.site_codes)), project_codes=list(dict.fromkeys(body.project_codes)),
        district_events=body.district_events, secret_ciphertext=box.seal(secret), created_at=now,
        created_by=by.key_id or "anonymous", updated_at=now,
    )
    session.add(endpoint)
    await session.flush()
    return endpoint, secret


async def get_visible(session: AsyncSession, endpoint_id: int, *, by: Principal, lock: bool = False) -> Endpoint:
    """An endpoint the caller may see; 404 for a missing one and for another tenant's."""
    query = select(Endpoint).where(Endpoint.id == endpoint_id)
    if lock:
        query = query.with_for_update()
    endpoint = await session.scalar(query)
    if endpoint is None or not by.may_act_on(endpoint.tenant):
        raise NotFound(f"No endpoint {endpoint_id}.", code="endpoint_not_found")
    return endpoint


async def listing(session: AsyncSession, *, by: Principal, after: int | None, limit: int) -> list[Endpoint]:
    """The caller's endpoints (every tenant's for a district-wide key), by id."""
    query = select(Endpoint).order_by(Endpoint.id).limit(limit)
    if not by.district_wide:
        query = query.where(Endpoint.tenant == by.tenant)
    if after is not None:
        query = query.where(Endpoint.id > after)
    return list((await session.scalars(query)).all())


async def update(session: AsyncSession, endpoint: Endpoint, body: EndpointUpdate, *, now: datetime) -> Endpoint:
    """Apply a change; ``enabled: true`` clears failing and disabled, ``false`` pauses the endpoint."""
    changes: dict[str, Any] = body.model_dump(exclude_unset=True)
    if "url" in changes:
        check_url(changes["url"])
    if "event_types" in changes:
        changes["event_types"] = check_patterns(changes["event_types"])
    for name in ("site_codes", "project_codes"):
        if name in changes:
            changes[name] = list(dict.fromkeys(changes[name]))
    enabled = changes.pop("enabled", None)
    for name, value in changes.items():
        setattr(endpoint, name, value)
    if enabled is True and endpoint.disabled_at is not None:
        endpoint.disabled_at = None
        endpoint.disabled_reason = None
        endpoint.failing_since = None
    elif enabled is False and endpoint.disabled_at is None:
        endpoint.disabled_at = now
        endpoint.disabled_reason = MANUAL
    endpoint.updated_at = now
    await session.flush()
    return endpoint


async def rotate_secret(endpoint: Endpoint, *, box: SecretBox, now: datetime, overlap_seconds: float) -> str:
    """Replace the endpoint's secret; the old one still signs beside it for ``overlap_seconds``."""
    secret = new_secret()
    endpoint.previous_secret_ciphertext = endpoint.secret_ciphertext if overlap_seconds > 0 else None
    endpoint.previous_secret_until = now + timedelta(seconds=overlap_seconds) if overlap_seconds > 0 else None
    endpoint.secret_ciphertext = box.seal(secret)
    endpoint.updated_at = now
    return secret


async def lock(session: AsyncSession, endpoint_id: int) -> Endpoint | None:
    """The endpoint, locked for this transaction and read afresh (two attempts finishing at once take turns)."""
    query = select(Endpoint).where(Endpoint.id == endpoint_id).with_for_update().execution_options(populate_existing=True)
    return await session.scalar(query)


async def record_success(endpoint: Endpoint | None, *, now: datetime) -> None:
    """A 2xx answer: the endpoint is no longer failing."""
    if endpoint is not None and endpoint.failing_since is not None:
        endpoint.failing_since = None
        endpoint.updated_at = now


async def record_failure(session: AsyncSession, endpoint: Endpoint | None, *, delivery_failed: bool, now: datetime,
                         disable_after_seconds: float) -> None:
    """A failed attempt: a failed delivery marks the endpoint failing; failing too long disables it (once)."""
    if endpoint is None or endpoint.disabled_at is not None:
        return
    if endpoint.failing_since is None:
        if not delivery_failed:
            return
        endpoint.failing_since = now
        endpoint.updated_at = now
    if (now - endpoint.failing_since).total_seconds() >= disable_after_seconds:
        endpoint.disabled_at = now
        endpoint.disabled_reason = f"failing since {endpoint.failing_since.isoformat()}"
        endpoint.updated_at = now
        await emit(session, "webhooks.endpoint.disabled", EndpointDisabled(
            endpoint_id=endpoint.id, url=endpoint.url, tenant=endpoint.tenant, failing_since=endpoint.failing_since,
            disabled_at=now, reason=endpoint.disabled_reason), tenant=endpoint.tenant, about=str(endpoint.id))


async def delete(session: AsyncSession, endpoint: Endpoint) -> None:
    """Remove an endpoint; its deliveries and attempts go with it (the foreign keys cascade)."""
    await session.delete(endpoint)
    await session.flush()
