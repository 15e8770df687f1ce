"""The credit service's background loop: the daily recompute, and the recompute after each rule edit.

Daily: at or after ``recompute_at`` (Shanghai time) each replica tries to claim today's run
(:func:`~bianmin.credit.domain.recompute.run_day`); exactly one wins and runs the batch. A rule
edit wakes this replica's loop at once (:func:`wakeup_event`); the loop also looks every
``recompute_poll_seconds`` for rule-edit runs that no replica finished.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, time

from fastapi import FastAPI

from bianmin.credit.domain.recompute import run_day, run_rule_edits
from bianmin.kit.waits import until_set
from bianmin.kit.workdays import SHANGHAI, local_date

log = logging.getLogger("bianmin.credit.recompute")


def due(now: datetime, at: time) -> bool:
    """Whether today's run is due: the Shanghai time of day has reached ``at``."""
    return now.astimezone(SHANGHAI).time() >= at


async def daily_worker(app: FastAPI) -> None:
    """Run the daily recompute once per day on one replica, and each rule edit's recompute as soon as it
    is asked for (``app.state.credit_recompute_wakeup``) or found unfinished; look every poll interval."""
    settings = app.state.settings
    if not settings.recompute_enabled:
        return
    wakeup = wakeup_event(app)
    done: date | None = None
    while True:
        now = app.state.clock.now()
        try:
            await run_rule_edits(app.state.db.sessionmaker, app.state.clock)
            if (done != local_date(now) and due(now, settings.recompute_at)
                    and await run_day(app.state.db.sessionmaker, app.state.clock) is not None):
                done = local_date(now)
        except Exception:
            log.exception("recompute failed; it will be tried again")
        await until_set(wakeup, settings.recompute_poll_seconds)
        wakeup.clear()


def wakeup_event(app: FastAPI) -> asyncio.Event:
    """The event that wakes this replica's worker when a rule edit asks for a recompute."""
    if not hasattr(app.state, "credit_recompute_wakeup"):
        app.state.credit_recompute_wakeup = asyncio.Event()
    event: asyncio.Event = app.state.credit_recompute_wakeup
    return event
