"""Background work of the queue service: the live threshold alerts."""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI

from bianmin.queue.domain.alerts import check_all

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
