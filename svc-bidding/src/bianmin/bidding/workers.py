"""Background work: close tenders at their bid deadline.

The close is a checked transition under a row lock (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so
with several replicas each tender is closed, and ``bidding.project.closed`` emitted, exactly once.
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI

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
