"""Background work: close tenders at their bid deadline, run each remote opening to its schedule, and
archive finished projects.

The close is a checked transition under a row lock (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so
with several replicas each tender is closed, and ``bidding.project.closed`` emitted, exactly once.
The opening starts at ``opening_at`` and finishes when its decryption window closes, by itself: no
clerk has to call it, and a bidder cannot keep the prices unpublished by not decrypting. Starting and
finishing each claim the tender with a conditional update (``domain/opening.py``), so with several
replicas, or a replica and the agent's own call, each happens and is announced exactly once, on
SQLite and on PostgreSQL. Archiving takes the archive log's head lock and writes version 1 only when
none exists (``domain/archiving.py``), so each finished project is archived exactly once across replicas.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding.domain.archiving import seal_due
from bianmin.bidding.domain.opening import finish_due, start_due
from bianmin.bidding.domain.projects import close_due

log = logging.getLogger("bianmin.bidding.workers")


async def _every_poll(app: FastAPI, step: Callable[[AsyncSession], Awaitable[list[str]]], done: str,
                      failed: str) -> None:
    """Run ``step`` in its own transaction every ``worker_poll_seconds`` until cancelled, logging what it did."""
    while True:
        try:
            async with app.state.db.sessionmaker() as session:
                codes = await step(session)
                await session.commit()
            if codes:
                log.info(done, extra={"projects": codes})
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning(failed, extra={"error": repr(exc)})
        await asyncio.sleep(app.state.settings.worker_poll_seconds)


async def close_at_deadline(app: FastAPI) -> None:
    """Loop until cancelled, closing every tender whose deadline has passed."""
    await _every_poll(app, lambda session: close_due(session, now=app.state.clock.now()),
                      "tenders closed at their deadline", "closing tenders failed; retrying")


async def archive_finished(app: FastAPI) -> None:
    """Loop until cancelled, archiving (signing and logging version 1 of) every finished project not yet archived."""
    await _every_poll(app, lambda session: seal_due(session, now=app.state.clock.now(), settings=app.state.settings),
                      "projects archived", "archiving finished projects failed; retrying")


async def run_openings(app: FastAPI) -> None:
    """Loop until cancelled, starting the openings whose time has come and finishing those whose window closed."""

    async def step(session: AsyncSession) -> list[str]:
        now, settings = app.state.clock.now(), app.state.settings
        started = await start_due(session, now=now, settings=settings)
        await session.commit()  # a started opening is announced even if finishing another fails
        return started + await finish_due(session, now=now, settings=settings)

    await _every_poll(app, step, "openings run to their schedule", "running the openings failed; retrying")
