"""Background work of the catalog service (``ServiceSpec.workers``): the announcement worker.

It runs a pass at start and then every ``announce_check_seconds``; a pass announces what is due
(:mod:`bianmin.catalog.domain.announcements`: never announced, or last announced ``announce_days``
ago), once across replicas and restarts. It runs only where events are on: with no bus there is no
stream to keep filled, and the first start with events on announces everything.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from fastapi import FastAPI

from bianmin.catalog.domain.announcements import ANNOUNCERS, announce_due

log = logging.getLogger("bianmin.catalog.workers")


async def announcement_pass(app: FastAPI) -> dict[str, int]:
    """Announce, at the app's clock, whatever is due; the events each announcer wrote."""
    return await announce_due(app.state.db.sessionmaker, now=app.state.clock.now(),
                              every=timedelta(days=app.state.settings.announce_days), announcers=ANNOUNCERS)


async def announcement_worker(app: FastAPI) -> None:
    """Run :func:`announcement_pass` at start and every ``announce_check_seconds`` until cancelled."""
    settings = app.state.settings
    if not settings.events_enabled:
        return
    while True:
        try:
            await announcement_pass(app)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("announcement pass failed; trying again later")
        await asyncio.sleep(settings.announce_check_seconds)
