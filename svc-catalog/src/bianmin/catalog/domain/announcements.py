"""Re-announcing what the catalog owns, so that a service started later (an empty read model) gets all of it.

JetStream keeps an event ``RETENTION_DAYS`` (90, :mod:`bianmin.kit.events.streams`), and a consumer
created later reads its stream from the first message still there. An event older than that is
gone: a service deployed in March would never hear of a year loaded in November. So each
*announcer* re-emits everything it owns every ``announce_days`` (30 by default, well inside the
retention: at any moment the stream holds at least one whole announcement). The catalog's calendar
is one announcer (every year at its current version and every day's override,
:func:`bianmin.catalog.domain.calendar.announce_calendar`); the site registry is another (every
site, open or closed, :func:`bianmin.catalog.domain.sites.announce_sites`). A copy that has it all
already changes nothing: a year travels whole and the newest version wins, an override is set to
what it is, a site is newest-wins by its ``updated_at``.

Each announcer has a row in ``announcement`` saying when it last went out. A row that does not
exist yet is due at once, so the years the migration loaded from the bundled package go out at the
catalog's first start, and an announcer added later goes out at the next start after it is added.
A pass claims an announcer with a conditional update (``announced_at`` older than the period) in
the same transaction as the events it writes to the outbox: with several replicas, or a restart,
exactly one claim succeeds per period (PostgreSQL's row lock makes the second replica's update wait
and then find the row no longer due; SQLite takes its one write lock). An announcer that fails rolls
its claim back with its events, so it is due again at the next pass, and holds back no other.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bianmin.catalog.domain.calendar import announce_calendar
from bianmin.catalog.domain.sites import announce_sites
from bianmin.catalog.models import Announcement

log = logging.getLogger("bianmin.catalog.announcements")

Announcer = Callable[[AsyncSession], Awaitable[int]]
"""Writes everything it owns to the outbox again in the session's transaction; how many events."""

ANNOUNCERS: dict[str, Announcer] = {"calendar": announce_calendar, "sites": announce_sites}


async def claim(session: AsyncSession, name: str, *, now: datetime, every: timedelta) -> bool:
    """Take this period's turn of announcer ``name`` in the session's transaction; False when it is not due or taken."""
    exists = (await session.execute(select(Announcement.name).where(Announcement.name == name))).first()
    if exists is None:
        session.add(Announcement(name=name, announced_at=now, events=0))
        try:
            await session.flush()
        except IntegrityError:  # another replica created it first, and has the turn
            await session.rollback()
            return False
        return True
    taken = await session.execute(update(Announcement).where(
        Announcement.name == name, Announcement.announced_at <= now - every).values(announced_at=now))
    return bool(taken.rowcount)  # type: ignore[attr-defined]


async def announce_due(sessions: async_sessionmaker[AsyncSession], *, now: datetime, every: timedelta,
                       announcers: Mapping[str, Announcer]) -> dict[str, int]:
    """Run each announcer whose turn has come, each in its own transaction; the events each wrote (-1: it failed)."""
    done: dict[str, int] = {}
    for name, announce in announcers.items():
        try:
            async with sessions() as session:
                if not await claim(session, name, now=now, every=every):
                    continue
                count = await announce(session)
                await session.execute(update(Announcement).where(Announcement.name == name).values(events=count))
                await session.commit()
            done[name] = count
            log.info("announced again", extra={"announcer": name, "events": count})
        except Exception:
            log.exception("announcement failed; due again at the next pass", extra={"announcer": name})
            done[name] = -1
    return done
