"""Background work: close tenders at their bid deadline, and run each remote opening to its schedule.

The close is a checked transition under a row lock (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so
with several replicas each tender is closed, and ``bidding.project.closed`` emitted, exactly once.
The opening starts at ``opening_at`` and finishes when its decryption window closes, by itself: no
clerk has to call it, and a bidder cannot keep the prices unpublished by not decrypting. Starting and
finishing each claim the tender with a conditional update (``domain/opening.py``), so with several
replicas, or a replica and the agent's own call, each happens and is announced exactly once, on
SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI

from bianmin.bidding.domain.opening import finish_due, start_due
from bianmin.bidding.domain.projects import close_due

log = logging.getLogger("bianmin.bidding.workers")


async def close_at_deadline(app: FastAPI) -> None:
    """Loop until cancelled, closing every tender whose deadline has passed."""
    while True:
        try:
            async with app.state.db.sessionmaker() as session:
                closed = await close_due(session, now=app.state.clock.now())
                await session.commit()
            if closed:
                log.info("tenders closed at their deadline", extra={"projects": closed})
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("closing tenders failed; retrying", extra={"error": repr(exc)})
        await asyncio.sleep(app.state.settings.worker_poll_seconds)


async def run_openings(app: FastAPI) -> None:
    """Loop until cancelled, starting the openings whose time has come and finishing those whose window closed."""
    while True:
        try:
            async with app.state.db.sessionmaker() as session:
                started = await start_due(session, now=app.state.clock.now(), settings=app.state.settings)
                await session.commit()
            async with app.state.db.sessionmaker() as session:
                finished = await finish_due(session, now=app.state.clock.now(), settings=app.state.settings)
                await session.commit()
            if started or finished:
                log.info("openings run to their schedule", extra={"started": started, "finished": finished})
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("running the openings failed; retrying", extra={"error": repr(exc)})
        await asyncio.sleep(app.state.settings.worker_poll_seconds)
