"""Push to the provincial guarantee platform: a delivery table drained by a worker until a 2xx.

Every issued or released guarantee queues a delivery in the same transaction as the change (an
outbox of its own). The worker claims due deliveries in a short transaction — pushing their next
attempt a lease into the future, with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL so replicas never
claim the same row — then POSTs each body outside any transaction, signed with the ledger's
Ed25519 key (header ``X-Bianmin-Signature: keyid=<name>, signature=<base64>`` over the exact body
bytes), with ``Idempotency-Key: delivery-<id>`` so the platform can drop a repeat. A 2xx marks it
delivered; anything else is retried with exponential backoff (base × 2^attempts, capped). Every
attempt is logged with its answer or error. The URL must be HTTPS; plain HTTP is allowed only to
a loopback host, for tests.
"""

from __future__ import annotations

import base64
import logging
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bianmin.guarantee.domain.keys import log_key, private_key
from bianmin.guarantee.models import Delivery, DeliveryAttempt
from bianmin.kit.clock import Clock
from bianmin.kit.pagination import PageParams, paginate

log = logging.getLogger("bianmin.guarantee.delivery")
LEASE = timedelta(seconds=60)
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def push_url_problem(url: str) -> str | None:
    """Why a push URL is refused, or None when it is HTTPS (or HTTP to loopback)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname in LOOPBACK:
        return None
    return "the provincial platform must be reached over HTTPS"


def backoff(attempts: int, *, base: float, cap: float) -> timedelta:
    """The wait after the ``attempts``-th failure: base × 2^(attempts − 1), at most ``cap`` seconds."""
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


async def claim_due(session: AsyncSession, *, now: datetime, limit: int) -> list[Delivery]:
    """Claim due deliveries for one round (their next attempt moves a lease ahead)."""
    statement = (select(Delivery).where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
                 .order_by(Delivery.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    due = list((await session.execute(statement)).scalars())
    for delivery in due:
        delivery.next_attempt_at = now + LEASE
    await session.flush()
    return due


async def listed(session: AsyncSession, page: PageParams, *, number: str | None = None
                 ) -> tuple[list[tuple[Delivery, list[DeliveryAttempt]]], str | None]:
    """One page of the delivery log (optionally one guarantee's), each push with its attempts in order."""
    statement = select(Delivery)
    if number:
        statement = statement.where(Delivery.guarantee_number == number)
    rows, cursor = await paginate(session, statement, page, keys=[Delivery.id])
    attempts = (await session.execute(select(DeliveryAttempt).where(
        DeliveryAttempt.delivery_id.in_([r.id for r in rows])).order_by(DeliveryAttempt.id))).scalars().all()
    return [(r, [a for a in attempts if a.delivery_id == r.id]) for r in rows], cursor


async def send_round(sessionmaker: async_sessionmaker[AsyncSession], client: httpx.AsyncClient, *, url: str,
                     origin: str, password: bytes, clock: Clock, base: float, cap: float, limit: int) -> int:
    """Claim and attempt the due deliveries once; the number delivered."""
    async with sessionmaker() as session:
        due = await claim_due(session, now=clock.now(), limit=limit)
        key = await log_key(session, origin=origin, password=password, now=clock.now()) if due else None
        work = [(d.id, d.body, d.attempts) for d in due]
        await session.commit()
    if key is None:
        return 0
    signer = private_key(key, password)
    delivered = 0
    for delivery_id, body, attempts in work:
        payload = body.encode("utf-8")
        signature = base64.b64encode(signer.sign(payload)).decode()
        started = time.monotonic()
        status_code: int | None = None
        error: str | None = None
        try:
            response = await client.post(url, content=payload, headers={
                "Content-Type": "application/json", "Idempotency-Key": f"delivery-{delivery_id}",
                "X-Bianmin-Signature": f"keyid={key.name}, signature={signature}"})
            status_code = response.status_code
            if not 200 <= status_code < 300:
                error = f"HTTP {status_code}: {response.text[:200]}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        elapsed = int((time.monotonic() - started) * 1000)
        async with sessionmaker() as session:
            delivery = await session.get(Delivery, delivery_id)
            assert delivery is not None
            now = clock.now()
            delivery.attempts = attempts + 1
            delivery.signature = signature
            session.add(DeliveryAttempt(delivery_id=delivery_id, at=now, status_code=status_code, error=error,
                                        duration_ms=elapsed, detail={"url": url}))
            if error is None:
                delivery.status, delivery.delivered_at, delivery.last_error = "delivered", now, None
                delivered += 1
            else:
                delivery.last_error = error
                delivery.next_attempt_at = now + backoff(delivery.attempts, base=base, cap=cap)
                log.warning("delivery failed; will retry", extra={"delivery": delivery_id, "error": error})
            await session.commit()
    return delivered
