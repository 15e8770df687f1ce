"""Deliveries: fan-out of an event to the endpoints that want it, the log, and replays.

Fan-out runs inside the consumer's inbox transaction and only inserts rows, so a redelivered
event inserts nothing twice and consuming never waits for a receiver. Tenancy: an endpoint of a
township receives the events whose envelope ``tenant`` is that township, and district-wide
(``*``) events only when it asked for them (``district_events``); a district-wide endpoint
receives every tenant's events. Filters narrow further: ``site_codes`` against the payload's
``site_code`` (else the envelope ``tenant``), ``project_codes`` against the payload's
``project_code`` (else the envelope ``subject``); an event that carries neither does not pass a
filter that is set. Last, the endpoint's owner must be allowed to read the event through the
publishing service's API (``domain/read_rules.py``); an endpoint without a recorded owner (saved
before owners were recorded) receives nothing until it is saved again.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.contracts.envelope import CloudEvent
from bianmin.kit.identity import Principal
from bianmin.kit.pagination import PageParams, paginate
from bianmin.webhooks.domain.endpoints import manages, owner_of
from bianmin.webhooks.domain.errors import DeliveryNotFound, EndpointIsDisabled, EndpointWithoutOwner
from bianmin.webhooks.domain.patterns import matches_any
from bianmin.webhooks.domain.read_rules import may_read
from bianmin.webhooks.models import Attempt, Delivery, Endpoint

PENDING, SUCCEEDED, FAILED = "pending", "succeeded", "failed"
TEST_TYPE = "bianmin.webhooks.test.v1"


def new_webhook_id() -> str:
    """A delivery's ``webhook-id``: unique, minted once, sent on every attempt and replay."""
    return f"msg_{uuid.uuid4().hex}"


def _text(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    return value if isinstance(value, str) else None


def wants(endpoint: Endpoint, event: CloudEvent) -> bool:
    """Whether an active endpoint receives an event: tenancy, patterns, filters, then its owner's right to read it."""
    if endpoint.tenant != "*":
        if event.tenant == "*":
            if not endpoint.district_events:
                return False
        elif event.tenant != endpoint.tenant:
            return False
    if not matches_any(endpoint.event_types, event.nats_subject):
        return False
    if endpoint.site_codes and (_text(event.data, "site_code") or event.tenant) not in endpoint.site_codes:
        return False
    if endpoint.project_codes:
        project = _text(event.data, "project_code") or event.subject
        if project not in endpoint.project_codes:
            return False
    return owner_may_read(endpoint, event)


def owner_may_read(endpoint: Endpoint, event: CloudEvent) -> bool:
    """Whether the endpoint's owner could read this event through the API (a test ping is always its own)."""
    if event.type == TEST_TYPE:
        return owner_of(endpoint) is not None
    return may_read(owner_of(endpoint), event.nats_subject, tenant=event.tenant, data=event.data)


def _delivery(endpoint: Endpoint, event: CloudEvent, now: datetime) -> Delivery:
    return Delivery(endpoint_id=endpoint.id, webhook_id=new_webhook_id(), event_id=event.id, event_type=event.type,
                    event_time=event.time, tenant=event.tenant, body=event.model_dump_json(), status=PENDING,
                    attempts=0, window_failures=0, next_attempt_at=now, window_started_at=now, created_at=now)


def _tenancy(event: CloudEvent) -> ColumnElement[bool]:
    """In SQL, the endpoints whose tenancy may admit the event (``wants`` decides the rest)."""
    if event.tenant == "*":
        return or_(Endpoint.tenant == "*", Endpoint.district_events.is_(True))
    return Endpoint.tenant.in_(("*", event.tenant))


async def fan_out(session: AsyncSession, event: CloudEvent, *, now: datetime) -> int:
    """Insert one pending delivery per enabled endpoint that wants the event; how many."""
    endpoints = (await session.scalars(select(Endpoint).where(Endpoint.disabled_at.is_(None), _tenancy(event))
                                       .order_by(Endpoint.id))).all()
    rows = [_delivery(endpoint, event, now) for endpoint in endpoints if wants(endpoint, event)]
    session.add_all(rows)
    await session.flush()
    return len(rows)


async def enqueue_test(session: AsyncSession, endpoint: Endpoint, *, now: datetime, by: Principal) -> Delivery:
    """A ``webhooks.test`` ping to one endpoint, sent by the deliverer like any event."""
    if endpoint.disabled_at is not None:
        raise EndpointIsDisabled("The endpoint is disabled; enable it before testing it.")
    if owner_of(endpoint) is None:
        raise EndpointWithoutOwner("The endpoint was saved before owners were recorded and receives nothing; "
                                   "save it again (PATCH) to make your key its owner.")
    event = CloudEvent(source="/bianmin/webhooks", type=TEST_TYPE, subject=str(endpoint.id), time=now,
                       tenant=endpoint.tenant,
                       data={"endpoint_id": endpoint.id, "requested_by": by.key_id, "message": "Bianmin webhook test"})
    delivery = _delivery(endpoint, event, now)
    session.add(delivery)
    await session.flush()
    return delivery


async def get_owned(session: AsyncSession, delivery_id: int, *, by: Principal) -> Delivery:
    """A delivery of an endpoint the caller manages (``endpoints.manages``); 404 otherwise."""
    row = (await session.execute(select(Delivery, Endpoint).join(Endpoint, Endpoint.id == Delivery.endpoint_id)
                                 .where(Delivery.id == delivery_id))).first()
    if row is None or not manages(by, row[1]):
        raise DeliveryNotFound(delivery_id)
    return row[0]


def may_see_body(by: Principal, delivery: Delivery) -> bool:
    """Whether the caller itself could read the delivered event through the API (another key of the
    township manages the endpoint but may hold fewer scopes than its owner)."""
    event = CloudEvent.model_validate_json(delivery.body)
    if event.type == TEST_TYPE:
        return True
    return may_read(by, event.nats_subject, tenant=event.tenant, data=event.data)


async def attempts_of(session: AsyncSession, delivery_id: int) -> list[Attempt]:
    """A delivery's attempts, oldest first."""
    query = select(Attempt).where(Attempt.delivery_id == delivery_id).order_by(Attempt.id)
    return list((await session.scalars(query)).all())


async def listing(session: AsyncSession, endpoint_id: int, page: PageParams, *, status: str | None,
                  event_type: str | None) -> tuple[list[Delivery], str | None]:
    """One page of an endpoint's deliveries, newest first (by id), optionally of one status or CloudEvents type."""
    query = select(Delivery).where(Delivery.endpoint_id == endpoint_id)
    if status is not None:
        query = query.where(Delivery.status == status)
    if event_type is not None:
        query = query.where(Delivery.event_type == event_type)
    return await paginate(session, query, page, keys=[Delivery.id], descending=True)


def _requeue_values(now: datetime) -> dict[str, Any]:
    # A new retry window; the lease is dropped so that an attempt still in flight no longer owns
    # the row (its outcome is logged, and the delivery goes out again: at least once).
    return {"status": PENDING, "next_attempt_at": now, "window_started_at": now, "window_failures": 0,
            "lease_until": None, "lease_token": None}


async def replay_one(session: AsyncSession, delivery: Delivery, *, now: datetime) -> Delivery:
    """Send a delivery again with the same ``webhook-id``, with a fresh retry period."""
    for name, value in _requeue_values(now).items():
        setattr(delivery, name, value)
    await session.flush()
    return delivery


async def replay_range(session: AsyncSession, endpoint: Endpoint, *, start: datetime, end: datetime,
                       now: datetime) -> int:
    """Queue again every delivery of an endpoint created in ``[start, end)``; how many."""
    result = await session.execute(
        update(Delivery).where(Delivery.endpoint_id == endpoint.id, Delivery.created_at >= start,
                               Delivery.created_at < end).values(**_requeue_values(now)))
    return int(result.rowcount or 0)


async def purge_finished(session: AsyncSession, *, before: datetime) -> int:
    """Delete succeeded and failed deliveries created before ``before`` (their attempts cascade); how many."""
    result = await session.execute(delete(Delivery).where(Delivery.status.in_((SUCCEEDED, FAILED)),
                                                          Delivery.created_at < before))
    return int(result.rowcount or 0)
