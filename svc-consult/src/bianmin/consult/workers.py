"""Background work of the consult service (``ServiceSpec.workers``): the escalation ladder."""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI

from bianmin.consult.domain import deadlines
from bianmin.consult.domain.escalation import run_escalations

log = logging.getLogger("bianmin.consult.escalation")


async def escalation_worker(app: FastAPI) -> None:
    """Run the ladder every ``escalation_interval_seconds`` until cancelled; a failed pass is retried."""
    settings = app.state.settings
    if not settings.escalation_enabled:
        return
    policy = deadlines.Policy.from_settings(settings)
    while True:
        try:
            async with app.state.db.sessionmaker() as session:
                taken = await run_escalations(session, now=app.state.clock.now(), policy=policy)
                await session.commit()
            if taken:
                log.info("escalations taken", extra={"count": len(taken)})
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("escalation pass failed")
        await asyncio.sleep(settings.escalation_interval_seconds)
