"""Endpoints: registration, changes, secrets, and the failing → disabled → enabled life.

Who manages an endpoint (reads it, changes it, rotates its secret, tests and replays it, reads its
log): the organisation that registered it. A township is one organisation, so every key of the
township manages the township's endpoints. The district tenant ``*`` is not: district staff,
bidders, issuers and third-party apps all hold keys with tenant ``*``, so a district-wide endpoint
is managed by the key that registered it alone. ``Principal.may_act_on`` would let any ``*`` key
act on every township's endpoint, which is how a bidder's key with ``webhooks:write`` could change
a township's URL and rotate its secret; ownership is therefore checked here, by :func:`manages`,
and every route loads its endpoint through :func:`get_owned` (``api/deps.py``). Anything else is a
404, as if it did not exist, so ids reveal nothing.

Whose authority an endpoint receives events with: its owner principal, the key that last saved
it (registered or changed it), with that key's scopes at the time (``domain/read_rules.py``).
Saving it with another key of the township hands it that key's authority, never more.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.contracts.events.webhooks import EndpointDisabled
from bianmin.kit.errors import Unprocessable
from bianmin.kit.events.outbox import emit
from bianmin.kit.identity import Principal
from bianmin.kit.pagination import PageParams, paginate
from bianmin.webhooks.domain.addresses import IPNetwork
from bianmin.webhooks.domain.errors import EndpointNotFound, TenantMissing
from bianmin.webhooks.domain.patterns import pattern_problem
from bianmin.webhooks.domain.signing import SecretBox, new_secret
from bianmin.webhooks.domain.urls import url_problem
from bianmin.webhooks.models import Endpoint
from bianmin.webhooks.schemas import EndpointCreate, EndpointUpdate

MANUAL = "disabled by its owner"


def check_url(url: str, allowed: Sequence[IPNetwork]) -> None:
    """422 naming ``url`` unless it may be an endpoint, given the ranges the operator allowed."""
    problem = url_problem(url, allowed)
    if problem:
        raise Unprocessable.field("url", problem)


def check_patterns(patterns: list[str]) -> list[str]:
    """The patterns without duplicates, in order; 422 naming the first bad one."""
    for index, pattern in enumerate(patterns):
        problem = pattern_problem(pattern)
        if problem:
            raise Unprocessable.field(f"event_types.{index}", f"{pattern!r} {problem}")
    return list(dict.fromkeys(patterns))


def owner_of(endpoint: Endpoint) -> Principal | None:
    """The principal an endpoint receives events as; None for a row saved before owners were recorded."""
    if endpoint.owner_key_id is None or endpoint.owner_scopes is None:
        return None
    return Principal(key_id=endpoint.owner_key_id, tenant=endpoint.tenant, scopes=frozenset(endpoint.owner_scopes))


def _record_owner(endpoint: Endpoint, by: Principal) -> None:
    endpoint.owner_key_id = by.key_id
    endpoint.owner_scopes = sorted(by.scopes)


def manages(by: Principal, endpoint: Endpoint) -> bool:
    """Whether ``by`` manages the endpoint: same township, or for a district-wide one, the key that registered it."""
    if by.anonymous or by.tenant is None or endpoint.tenant != by.tenant:
        return False
    return not by.district_wide or endpoint.created_by == by.key_id


def _managed_by(by: Principal) -> ColumnElement[bool]:
    """:func:`manages` in SQL, for lists."""
    if by.district_wide:
        return and_(Endpoint.tenant == by.tenant, Endpoint.created_by == (by.key_id or ""))
    return Endpoint.tenant == (by.tenant or "")


async def create(session: AsyncSession, body: EndpointCreate, *, by: Principal, box: SecretBox,
                 now: datetime, allowed: Sequence[IPNetwork] = ()) -> tuple[Endpoint, str]:
    """Register an endpoint for the caller's tenant, owned by the caller; the endpoint and its secret (to show once)."""
    if by.anonymous or by.tenant is None:
        # A key without a tenant used to register a district-wide ("*") endpoint: never widen by default.
        raise TenantMissing("This key has no tenant to register an endpoint for.")
    check_url(body.url, allowed)
    patterns = check_patterns(body.event_types)
    secret = new_secret()
    endpoint = Endpoint(
        tenant=by.tenant, url=body.url, description=body.description, event_types=patterns,
        site_codes=list(dict.fromkeys(body.site_codes)), project_codes=list(dict.fromkeys(body.project_codes)),
        district_events=body.district_events, secret_ciphertext=box.seal(secret), created_at=now,
        created_by=by.key_id or "anonymous", updated_at=now,
    )
    _record_owner(endpoint, by)
    session.add(endpoint)
    await session.flush()
    return endpoint, secret


async def get_owned(session: AsyncSession, endpoint_id: int, *, by: Principal, lock: bool = False) -> Endpoint:
    """An endpoint the caller manages; 404 for a missing one and for anybody else's."""
    query = select(Endpoint).where(Endpoint.id == endpoint_id)
    if lock:
        query = query.with_for_update()
    endpoint = await session.scalar(query)
    if endpoint is None or not manages(by, endpoint):
        raise EndpointNotFound(endpoint_id)
    return endpoint


async def listing(session: AsyncSession, page: PageParams, *, by: Principal) -> tuple[list[Endpoint], str | None]:
    """One page of the endpoints the caller manages, oldest first (by id), and the next page's cursor."""
    return await paginate(session, select(Endpoint).where(_managed_by(by)), page, keys=[Endpoint.id])


async def update(session: AsyncSession, endpoint: Endpoint, body: EndpointUpdate, *, by: Principal,
                 now: datetime, allowed: Sequence[IPNetwork] = ()) -> Endpoint:
    """Apply a change, which makes ``by`` the owner; ``enabled: true`` clears failing and disabled, ``false`` pauses."""
    changes: dict[str, Any] = body.model_dump(exclude_unset=True)
    if "url" in changes:
        check_url(changes["url"], allowed)
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
    # Whoever saves the endpoint lends it their authority from now on, never more than they hold.
    _record_owner(endpoint, by)
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
