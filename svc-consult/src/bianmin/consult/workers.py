"""Background work of the consult service (``ServiceSpec.workers``): the deadline worker.

Each pass runs three jobs, each in its own transaction so that one failing does not hold back the
others: the consultations' escalation ladder, the suggestion box's ladder, and the closing of answered
consultations whose reopen window has ended. Every job is idempotent and safe with several replicas
(see :mod:`bianmin.consult.domain.escalation` and :func:`bianmin.consult.domain.consultations.close_expired`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sized
from datetime import datetime

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.consult.domain import deadlines
from bianmin.consult.domain.consultations import close_expired
from bianmin.consult.domain.escalation import run_escalations, run_suggestion_escalations
from bianmin.kit.calendar import load_calendar

log = logging.getLogger("bianmin.consult.escalation")
# A job returns what it changed (consultation numbers, or (number, step) pairs); the pass counts them.
Job = Callable[[AsyncSession, datetime, deadlines.Policy], Awaitable[Sized]]


async def _close(session: AsyncSession, now: datetime, policy: deadlines.Policy) -> list[str]:
    return await close_expired(session, now=now, calendar=await load_calendar(session), policy=policy)


JOBS: dict[str, Job] = {
    "consultation escalations": lambda s, now, p: run_escalations(s, now=now, policy=p),
    "suggestion escalations": lambda s, now, p: run_suggestion_escalations(s, now=now, policy=p),
    "closures after the reopen window": _close,
}


async def deadline_pass(app: FastAPI) -> dict[str, int]:
    """Run every job once at the app's clock; how many changes each made (a failed job counts -1)."""
    policy = deadlines.Policy.from_settings(app.state.settings)
    counts: dict[str, int] = {}
    for name, job in JOBS.items():
        try:
            async with app.state.db.sessionmaker() as session:
                done = await job(session, app.state.clock.now(), policy)
                await session.commit()
            counts[name] = len(done)
            if done:
                log.info("deadline work done", extra={"job": name, "count": len(done)})
        except Exception:
            log.exception("deadline job failed", extra={"job": name})
            counts[name] = -1
    return counts


async def escalation_worker(app: FastAPI) -> None:
    """Run :func:`deadline_pass` every ``escalation_interval_seconds`` until cancelled."""
    settings = app.state.settings
    if not settings.escalation_enabled:
        return
    while True:
        await deadline_pass(app)
        await asyncio.sleep(settings.escalation_interval_seconds)
