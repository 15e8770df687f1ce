"""Claiming due deliveries under a lease, and recording what an attempt came to.

A claim sets ``lease_until`` and a fresh ``lease_token`` on each chosen row in one transaction
(rows locked with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two replicas never take the same
row; SQLite's ``BEGIN IMMEDIATE`` serialises claims). An outcome is applied only while the row
still carries the attempt's token: when a lease expired and another process took the row over, or
a replay re-queued it, the late outcome is still logged as an attempt but changes nothing else.

Per endpoint, at most ``per_endpoint`` deliveries are leased at once (over every replica), and
each endpoint's due rows are taken oldest first, so one slow or backlogged receiver never holds
back another endpoint's deliveries.

A claimed row goes out only if the endpoint's owner may still read its event: the owner may have
changed since the row was queued (another key saved the endpoint) and a replay re-queues old rows,
so the read rule that admitted the event at fan-out is checked again at every claim. A row its
owner may no longer read fails at once with the reason ``not_readable``; nothing is sent.
"""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import ValidationError
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.contracts.envelope import CloudEvent
from bianmin.webhooks.domain.deliveries import FAILED, PENDING, SUCCEEDED, owner_may_read
from bianmin.webhooks.domain.endpoints import lock, record_failure, record_success
from bianmin.webhooks.domain.retry import next_attempt
from bianmin.webhooks.models import Attempt, Delivery, Endpoint


@dataclass(frozen=True)
class Claim:
    """What the deliverer needs to send one delivery, and the token that proves it still owns it."""

    delivery_id: int
    endpoint_id: int
    webhook_id: str
    url: str
    secret_ciphertexts: tuple[str, ...]
    body: str
    token: str


@dataclass(frozen=True)
class Outcome:
    """What one HTTP attempt came to."""

    status_code: int | None
    latency_ms: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        """A 2xx answer."""
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True)
class RetryPolicy:
    """How patient the deliverer is: backoff, retry period, and when a failing endpoint is disabled."""

    base_seconds: float
    max_seconds: float
    period_seconds: float
    disable_after_seconds: float


NOT_READABLE = "not_readable"
REASONS = frozenset({
    "timeout",               # no answer within the connect or read timeout
    "connection_refused",    # nothing listens at the address
    "connection_failed",     # no connection for another reason (unreachable network or host)
    "connection_lost",       # the connection broke before a complete answer
    "tls_error",             # the TLS handshake or the certificate failed
    "dns_error",             # the host name did not resolve
    "address_not_allowed",   # the host is or resolves to an address the deliverer may not reach
    "invalid_url",           # the stored URL cannot be requested
    "secret_unreadable",     # the endpoint's secret cannot be decrypted with this deployment's key
    NOT_READABLE,            # the endpoint's owner may not read the event any more: never sent
})
"""Why an attempt failed, as the registrant is told; besides these, ``http_<status>`` for any answer but 2xx."""
_HTTP_REASON = re.compile(r"http_[1-5][0-9]{2}")


def is_reason(text: str | None) -> bool:
    """Whether ``text`` is a word of the registrant's vocabulary (or None: success)."""
    return text is None or text in REASONS or bool(_HTTP_REASON.fullmatch(text))


def _still_readable(endpoint: Endpoint, delivery: Delivery) -> bool:
    """Whether the endpoint's current owner may read the delivery's event (see the module's docstring)."""
    try:
        event = CloudEvent.model_validate_json(delivery.body)
    except ValidationError:
        return False
    return owner_may_read(endpoint, event)


def _free(now: datetime) -> object:
    return or_(Delivery.lease_until.is_(None), Delivery.lease_until <= now)


async def claim(session: AsyncSession, *, now: datetime, limit: int, per_endpoint: int,
                lease_seconds: float) -> list[Claim]:
    """Lease up to ``limit`` due deliveries, at most ``per_endpoint`` in flight per endpoint."""
    # One statement, so one snapshot: the rows leased now take the first ranks of their endpoint,
    # and only free due rows ranked within the limit behind them are chosen.
    leased = Delivery.lease_until > now
    rank = func.row_number().over(
        partition_by=Delivery.endpoint_id,
        order_by=(case((leased, 0), else_=1), Delivery.next_attempt_at, Delivery.id)).label("rank")
    ranked = (select(Delivery.id, leased.label("leased"), rank)
              .join(Endpoint, Endpoint.id == Delivery.endpoint_id)
              .where(Delivery.status == PENDING, Endpoint.disabled_at.is_(None),
                     or_(leased, and_(Delivery.next_attempt_at <= now, _free(now))))
              .subquery())
    chosen = list((await session.scalars(
        select(ranked.c.id).where(ranked.c.rank <= per_endpoint, ranked.c.leased.is_not(True))
        .order_by(ranked.c.rank, ranked.c.id).limit(limit))).all())
    if not chosen:
        return []
    rows = (await session.execute(
        select(Delivery, Endpoint).join(Endpoint, Endpoint.id == Delivery.endpoint_id)
        .where(Delivery.id.in_(chosen), Delivery.status == PENDING, _free(now))
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .with_for_update(of=Delivery, skip_locked=True))).all()
    claims = []
    until = now + timedelta(seconds=lease_seconds)
    for delivery, endpoint in rows:
        if not _still_readable(endpoint, delivery):
            delivery.status = FAILED
            delivery.last_error = NOT_READABLE
            delivery.lease_until = None
            delivery.lease_token = None
            continue
        delivery.lease_until = until
        delivery.lease_token = uuid.uuid4().hex
        secrets = [endpoint.secret_ciphertext]
        if endpoint.previous_secret_ciphertext and endpoint.previous_secret_until and endpoint.previous_secret_until > now:
            secrets.append(endpoint.previous_secret_ciphertext)
        claims.append(Claim(delivery_id=delivery.id, endpoint_id=delivery.endpoint_id, webhook_id=delivery.webhook_id,
                            url=endpoint.url, secret_ciphertexts=tuple(secrets), body=delivery.body,
                            token=delivery.lease_token))
    await session.flush()
    return claims


async def finish(session: AsyncSession, claim: Claim, outcome: Outcome, *, now: datetime, policy: RetryPolicy,
                 rng: random.Random | None = None) -> str | None:
    """Log the attempt and, if the claim still owns the delivery, move it on; its new status or None."""
    # Locks in one order everywhere, endpoint then delivery, so that PostgreSQL never deadlocks
    # with a replay (which locks the endpoint, then updates its deliveries).
    endpoint = await lock(session, claim.endpoint_id)
    session.add(Attempt(delivery_id=claim.delivery_id, attempted_at=now, status_code=outcome.status_code,
                        latency_ms=outcome.latency_ms, error=outcome.error))
    delivery = await session.scalar(select(Delivery).where(Delivery.id == claim.delivery_id).with_for_update()
                                     .execution_options(populate_existing=True))
    if delivery is None or delivery.lease_token != claim.token:
        await session.flush()
        return None
    delivery.attempts += 1
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error
    delivery.lease_until = None
    delivery.lease_token = None
    if outcome.ok:
        delivery.status = SUCCEEDED
        delivery.delivered_at = now
        await record_success(endpoint, now=now)
    else:
        delivery.window_failures += 1
        due = next_attempt(failures=delivery.window_failures, window_started_at=delivery.window_started_at, now=now,
                           base=policy.base_seconds, cap=policy.max_seconds, period=policy.period_seconds, rng=rng)
        if due is None:
            delivery.status = FAILED
        else:
            delivery.next_attempt_at = due
        await record_failure(session, endpoint, delivery_failed=due is None, now=now,
                             disable_after_seconds=policy.disable_after_seconds)
    await session.flush()
    return delivery.status


async def release(session: AsyncSession, claims: list[Claim], *, now: datetime) -> None:
    """Give back the leases of claims this process will not finish (a graceful stop), so they go out at once elsewhere."""
    for claim in claims:
        delivery = await session.get(Delivery, claim.delivery_id)
        if delivery is not None and delivery.lease_token == claim.token:
            delivery.lease_until = now
            delivery.lease_token = None
    await session.flush()
