"""Async SQLAlchemy for SQLite (the default) and PostgreSQL (when the URL says so).

SQLite runs in WAL mode with foreign keys on and a busy timeout, and every transaction starts
with ``BEGIN IMMEDIATE``: a transaction that reads and then writes would otherwise fail at once
with "database is locked" when another writer got there first, instead of waiting its turn.

Since every transaction takes SQLite's one write lock, a process gains nothing from more than one
connection to its file, and loses much: waiters on the lock poll it in SQLite's busy handler,
sleeping up to 100 ms between tries, so under 32 concurrent requests the lock sat free while the
next writer slept (measured: p99 of 2-4 s for transactions of about 10 ms). A file database
therefore gets one pooled connection, and the process's transactions queue for it in arrival
order inside the event loop (:class:`SerialPool`); the busy timeout still arbitrates between
processes (a migration, the command line). A transaction waiting longer than ``busy_seconds``
fails as SQLite's busy timeout does, so the API answers 503 with Retry-After.

Routes that only read take :data:`ReadSessionDep` instead: on a SQLite file it opens a deferred
``BEGIN`` on a small pool of separate, ``query_only`` connections, so reads neither queue behind
writers nor hold the write lock, and WAL gives each one a consistent snapshot (a write attempted
there fails loudly). On PostgreSQL both dependencies give sessions of the same engine.
Domain functions flush but never commit; the router (or the idempotency helper) commits, so that
a change, its outbox event and its stored answer land in one transaction.

Every database error of either engine passes :attr:`Database.storage`, which remembers one saying
the database is full (:mod:`bianmin.kit.storage`) for readiness.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
import sqlite3
import stat
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, ClassVar

from fastapi import Depends, Request
from sqlalchemy import MetaData, Numeric, String, event, text
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry
from sqlalchemy.types import DateTime, TypeDecorator

from bianmin.kit.storage import StorageWatch

log = logging.getLogger("bianmin.db")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    """A MetaData with the naming convention, so migrations name constraints alike on both databases."""
    return MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware datetime stored as UTC; naive values are refused, never guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store timezone-aware times")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Money(TypeDecorator[Decimal]):
    """Yuan as NUMERIC(18, 2): exact on PostgreSQL, and kept exact on SQLite as a decimal string."""

    impl = Numeric(18, 2, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(Numeric(18, 2, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Any) -> Any:
        if value is None:
            return None
        quantized = Decimal(value).quantize(Decimal("0.01"))
        return str(quantized) if dialect.name == "sqlite" else quantized

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def make_base() -> type[DeclarativeBase]:
    """A declarative base of a service's own, with its own MetaData under the naming convention."""

    class Base(DeclarativeBase):
        metadata = new_metadata()
        type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime(), Decimal: Money()}

    return Base


def is_sqlite(url: str) -> bool:
    """Whether a database URL names SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def _prepare_sqlite(engine: AsyncEngine, busy_seconds: float, *, read_only: bool = False) -> None:
    busy_ms = int(busy_seconds * 1000)

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


class SerialPool(AsyncAdaptedQueuePool):
    """One SQLite connection, handed to waiting transactions first come, first served.

    Waiting for it past the pool timeout raises what SQLite raises past its busy timeout, an
    ``OperationalError`` saying the database is busy, so callers (and the API's 503) treat both alike.
    """

    def __init__(self, creator: Any, **kw: Any) -> None:
        super().__init__(creator, **{**kw, "pool_size": 1, "max_overflow": 0})

    def _do_get(self) -> ConnectionPoolEntry:
        try:
            return super()._do_get()
        except PoolTimeout as exc:
            busy = sqlite3.OperationalError(f"database is busy: no turn within {self._timeout:g} s")
            raise OperationalError("waiting for the database connection", None, busy) from exc


def make_private_file(path: Path) -> None:
    """Create a SQLite file (and a missing folder) readable by this user only, or make an existing one so.

    A service's database holds personal data (names, ID numbers, phones), sealed bids and keys, so
    it must not come out world-readable under the usual umask of 0022. SQLite gives its ``-wal`` and
    ``-shm`` files the mode of the database file, so creating the file first, as 0600, covers them.
    """
    try:
        if not path.parent.exists():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not path.exists():
            with contextlib.suppress(FileExistsError):  # another process created it meanwhile: narrowed below
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        if path.is_file() and stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(0o600)
    except OSError as exc:
        # Not a file, a read-only disk, someone else's file: SQLite says what is wrong when it opens it
        # (readiness then reports the database down), so this only warns.
        log.warning("could not make the database file private", extra={"path": str(path), "error": repr(exc)})


def create_engine(url: str, *, pool_size: int = 10, busy_seconds: float = 10.0) -> AsyncEngine:
    """An engine for either database: SQLite with its pragmas (a file on one serial connection), PostgreSQL pooled with pre-ping."""
    if is_sqlite(url):
        path = make_url(url).database
        serial: dict[str, Any] = {}
        if path and path != ":memory:":
            make_private_file(Path(path))
            serial = {"poolclass": SerialPool, "pool_timeout": busy_seconds}
        engine = create_async_engine(url, connect_args={"timeout": busy_seconds}, **serial)
        _prepare_sqlite(engine, busy_seconds)
        return engine
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def _is_sqlite_file(url: str) -> bool:
    path = make_url(url).database if is_sqlite(url) else None
    return bool(path) and path != ":memory:"


def create_reader_engine(url: str, *, readers: int, busy_seconds: float) -> AsyncEngine:
    """Read-only connections to a SQLite file, ``readers`` of them at most, each in deferred transactions."""
    engine = create_async_engine(url, connect_args={"timeout": busy_seconds}, pool_size=readers, max_overflow=0,
                                 pool_timeout=busy_seconds)
    _prepare_sqlite(engine, busy_seconds, read_only=True)
    return engine


class Database:
    """A service's engine and session factory, with hooks that run after each commit."""

    def __init__(self, url: str, *, busy_seconds: float = 10.0, readers: int = 4,
                 storage_full_seconds: float = 30.0) -> None:
        self.url = url
        self.engine = create_engine(url, busy_seconds=busy_seconds)
        self.reader = (create_reader_engine(url, readers=readers, busy_seconds=busy_seconds)
                       if _is_sqlite_file(url) else self.engine)
        self.after_commit: list[Callable[[Session], None]] = []
        self._folder = Path(make_url(url).database or "").absolute().parent if _is_sqlite_file(url) else None
        self.storage = StorageWatch(hold_seconds=storage_full_seconds,
                                    room=self.sqlite_room if is_sqlite(url) else None)
        for engine in {self.engine, self.reader}:
            event.listen(engine.sync_engine, "handle_error", self._on_error)

        class _Session(Session):
            """This database's session class, so commit hooks stay local to it."""

        event.listen(_Session, "after_commit", self._run_after_commit)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False,
                                               sync_session_class=_Session)
        self.read_sessionmaker = async_sessionmaker(self.reader, expire_on_commit=False)

    def _run_after_commit(self, session: Session) -> None:
        for hook in self.after_commit:
            hook(session)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    async def ping(self) -> None:
        """Raise unless the database answers a trivial query."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    def _on_error(self, context: ExceptionContext) -> None:
        self.storage.note(context.original_exception)

    async def sqlite_room(self) -> int:
        """Bytes a SQLite database can still grow by: pages left below ``max_page_count``, and disk space."""
        async with self.engine.connect() as connection:
            pragmas = {name: int((await connection.exec_driver_sql(f"PRAGMA {name}")).scalar() or 0)
                       for name in ("page_size", "page_count", "freelist_count", "max_page_count")}
        room = (pragmas["max_page_count"] - pragmas["page_count"] + pragmas["freelist_count"]) * pragmas["page_size"]
        if self._folder is not None:
            room = min(room, shutil.disk_usage(self._folder).free)
        return room

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
        if self.reader is not self.engine:
            await self.reader.dispose()


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request; whatever the handler did not commit is rolled back."""
    async with request.app.state.db.sessionmaker() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One read-only session per request (see the module docstring); it is rolled back at the end."""
    async with request.app.state.db.read_sessionmaker() as session:
        yield session


ReadSessionDep = Annotated[AsyncSession, Depends(get_read_session, scope="function")]
