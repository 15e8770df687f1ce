"""Background work of the queue service: the hall worker (alerts, end-of-day expiry) and the stream watcher."""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI

from bianmin.kit.workdays import local_date
from bianmin.queue.domain.alerts import check_all
from bianmin.queue.domain.calling import expire_stale
from bianmin.queue.domain.halls import call_seqs

log = logging.getLogger("bianmin.queue.workers")


async def hall_worker(app: FastAPI) -> None:
    """Check every hall's waiting threshold and expire past days' open tickets, periodically; safe with replicas."""
    if not app.state.settings.hall_worker_enabled:
        return
    interval = app.state.settings.alert_check_seconds
    while True:
        try:
            async with app.state.db.sessionmaker() as session:
                now = app.state.clock.now()
                expired = await expire_stale(session, local_date(now))
                changes = await check_all(session, now)
                await session.commit()
            if expired:
                log.info("tickets of past days expired", extra={"count": expired})
            if changes:
                log.info("hall alerts changed", extra={"changes": changes})
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("alert check failed; retrying next tick")
        await asyncio.sleep(interval)


async def stream_watcher(app: FastAPI) -> None:
    """Notice calls made by other replicas for the halls with open streams here, every poll interval."""
    notifier = app.state.call_notifier
    interval = app.state.settings.stream_poll_seconds
    while True:
        await asyncio.sleep(interval)
        halls = notifier.watched()
        if not halls:
            continue
        try:
            async with app.state.db.sessionmaker() as session:
                rows = await call_seqs(session, halls)
                await session.rollback()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("stream watcher could not read the halls; retrying")
            continue
        for code, seq in rows:
            notifier.observed(code, seq)
