"""Background work: push deliveries, and expire guarantees and sign checkpoints on schedule."""

from __future__ import annotations

import asyncio
import logging

import httpx
from fastapi import FastAPI

from bianmin.guarantee.domain import delivery, guarantees, ledger
from bianmin.guarantee.domain.keys import key_password
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


async def ledger_worker(app: FastAPI) -> None:
    """Expire guarantees past their expiry and sign a checkpoint of the current size, periodically."""
    settings: GuaranteeSettings = app.state.settings
    while True:
        try:
            async with app.state.db.sessionmaker() as session:
                await guarantees.expire_due(session, now=app.state.clock.now())
                await ledger.latest_checkpoint(session, origin=settings.ledger_origin,
                                               password=key_password(settings), now=app.state.clock.now())
                await session.commit()
        except Exception as exc:
            log.warning("ledger round failed", extra={"error": repr(exc)})
        await asyncio.sleep(settings.expiry_poll_seconds)
