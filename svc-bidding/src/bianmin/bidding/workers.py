"""Background work: close tenders at their bid deadline, and archive finished projects.

The close is a checked transition under a row lock (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so
with several replicas each tender is closed, and ``bidding.project.closed`` emitted, exactly once.
Archiving takes the archive log's head lock and writes version 1 only when none exists
(``domain/archiving.py``), so each finished project is archived exactly once across replicas.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding.domain.archiving import seal_due
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
