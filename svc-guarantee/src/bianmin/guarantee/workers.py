"""Background work: push deliveries; expire guarantees, lapse suspended demands and seal the ledger."""

from __future__ import annotations

import asyncio
import logging

import httpx
from fastapi import FastAPI

from bianmin.guarantee.domain import claims, delivery, guarantees, ledger
from bianmin.guarantee.domain.keys import KeyRing, key_password
from bianmin.guarantee.settings import GuaranteeSettings

log = logging.getLogger("bianmin.guarantee.workers")


async def push_worker(app: FastAPI) -> None:
    """Deliver queued pushes to the provincial platform until cancelled."""
    settings: GuaranteeSettings = app.state.settings
    if not settings.push_url:
        return
    problem = delivery.push_url_problem(settings.push_url)
    if problem:
        log.error("push disabled", extra={"reason": problem})
        return
    async with httpx.AsyncClient(timeout=settings.push_timeout_seconds) as client:
        while True:
            try:
                await delivery.send_round(
                    app.state.db.sessionmaker, client, url=settings.push_url, origin=settings.ledger_origin,
                    password=key_password(settings), clock=app.state.clock, base=settings.push_backoff_base_seconds,
                    cap=settings.push_backoff_max_seconds, limit=settings.push_batch_size)
            except Exception as exc:
                log.warning("push round failed", extra={"error": repr(exc)})
            await asyncio.sleep(settings.push_poll_seconds)


async def ledger_round(app: FastAPI) -> None:
    """One round: expire guarantees past their expiry, lapse ended suspensions, sign an unsigned head."""
    keyring = KeyRing.from_settings(app.state.settings)
    async with app.state.db.sessionmaker() as session:
        now = app.state.clock.now()
        await guarantees.expire_due(session, keyring, now=now)
        await claims.lapse_suspensions(session, now=now)
        await ledger.seal(session, keyring, now=now)
        await session.commit()


async def ledger_worker(app: FastAPI) -> None:
    """Run :func:`ledger_round` periodically until cancelled."""
    settings: GuaranteeSettings = app.state.settings
    while True:
        try:
            await ledger_round(app)
        except Exception as exc:
            log.warning("ledger round failed", extra={"error": repr(exc)})
        await asyncio.sleep(settings.expiry_poll_seconds)
