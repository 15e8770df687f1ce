"""A database with no room for writes: how to recognise it, and how readiness knows when it has passed.

SQLite says ``database or disk is full`` (SQLITE_FULL: the file system is full, or the database
reached ``max_page_count``); PostgreSQL says ``DiskFull`` (SQLSTATE 53100). Either way every write
fails while reads still work, so the database answers its ping and, before issue 17, ``/readyz``
said ready while 1,227 writes answered 500. Now such an error answers 503 ``storage_full``
(:mod:`bianmin.kit.errors`), and readiness fails while writes cannot land.

How readiness knows, without a write of its own: a probe write in a rolled-back transaction proves
nothing (SQLite keeps an uncommitted transaction in its page cache and never touches the disk; a
committed probe would land in WAL space freed by the last checkpoint and succeed on a full disk).
So the evidence is the failed writes themselves: :class:`StorageWatch` sees every database error
of the process (an engine hook, so the relay's, the consumers' and the workers' writes count as
much as requests') and remembers a storage-full one. Then:

- on SQLite, where the room is cheap to measure exactly (the file system's free space and the
  pages left below ``max_page_count``), readiness stays failed until that room is at least
  :data:`ROOM_BYTES`, and recovers as soon as space returns, not one write later;
- on PostgreSQL, whose disk this process cannot see, readiness stays failed for ``hold_seconds``
  after the last storage-full error; once it passes, the next write tells again. An orchestrator
  that took the replica out sends nothing meanwhile, so readiness returns after the hold and fails
  again at the first write if the disk is still full: a few 503s a cycle, never a 500.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger("bianmin.storage")

# Below this much room a SQLite database that refused a write still counts as full: enough for the
# transactions of a request, so readiness does not come back for a room that the next write fills.
ROOM_BYTES = 1 << 20
POSTGRES_DISK_FULL = "53100"
_MESSAGES = ("database or disk is full", "no space left on device")


def storage_full(exc: BaseException) -> bool:
    """Whether an error (SQLAlchemy's or the driver's) says the database has no room for a write."""
    driver = getattr(exc, "orig", None) or exc
    if getattr(driver, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
        return True
    if str(getattr(driver, "sqlstate", None) or getattr(driver, "pgcode", None) or "") == POSTGRES_DISK_FULL:
        return True
    message = str(driver).lower()
    return any(marker in message for marker in _MESSAGES)


class StorageWatch:
    """Remembers the database refusing a write for lack of room, and says when writes land again."""

    def __init__(self, *, hold_seconds: float, room: Callable[[], Awaitable[int]] | None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.hold_seconds = hold_seconds
        self.room = room
        self.clock = clock
        self.full_at: float | None = None

    def note(self, exc: BaseException) -> bool:
        """Remember the error if it says the database is full; whether it did."""
        if not storage_full(exc):
            return False
        if self.full_at is None:
            log.error("the database has no room for writes", extra={"error": repr(exc)[:300]})
        self.full_at = self.clock()
        return True

    def held(self) -> bool:
        """Whether a storage-full error was seen within the last ``hold_seconds``."""
        return self.full_at is not None and self.clock() - self.full_at < self.hold_seconds

    async def full(self) -> bool:
        """Whether writes cannot land: measured where the room can be (SQLite), else :meth:`held`."""
        if self.full_at is None:
            return False
        full = self.held() if self.room is None else await self.room() < ROOM_BYTES
        if not full:
            log.warning("the database has room for writes again")
            self.full_at = None
        return full
