"""Background work of the queue service: the live threshold alerts and the call-stream watcher."""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI
from sqlalchemy import select

from bianmin.queue.domain.alerts import check_all
from bianmin.queue.models import Hall

log = logging.getLogger("bianmin.queue.workers")


async def alert_worker(app: FastAPI) -> None:
    """Check every hall's waiting threshold periodically until cancelled; safe with several replicas."""
    if not app.state.settings.alerts_enabled:
        return
    interval = app.state.settings.alert_check_seconds
    while True:
        try:
            async with app.state.db.sessionmaker() as session:
                changes = await check_all(session, app.state.clock.now())
                await session.commit()
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
                rows = (await session.execute(select(Hall.code, Hall.call_seq).where(Hall.code.in_(halls)))).all()
                await session.rollback()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("stream watcher could not read the halls; retrying")
            continue
        for code, seq in rows:
            notifier.observed(code, seq)
