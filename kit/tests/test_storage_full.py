"""A database that has no room for writes is a 503 ``storage_full`` with Retry-After, and readiness fails.

Issue 17, finding 8: with SQLite's disk full, 1,227 answers were 500 and ``/readyz`` said ready.
SQLite raises ``database or disk is full`` (SQLITE_FULL) and PostgreSQL ``DiskFull`` (SQLSTATE
53100). The SQLite tests make SQLite really run out of room: once on a small tmpfs that is really
filled (root only: skipped where mounting is refused), and once with ``PRAGMA max_page_count``
capping the database at its current size on the service's own connection, which raises the same
SQLITE_FULL from the same code path and runs anywhere.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import insert
from sqlalchemy.exc import DBAPIError, OperationalError

from bianmin.kit.app import ServiceSpec, create_service_app
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import PROBLEM_JSON
from bianmin.kit.settings import ServiceSettings
from bianmin.kit.storage import StorageWatch, storage_full
from bianmin.kit.tables import idempotency_record
from bianmin.testing import disk
from bianmin.testing.client import TEST_SECRET, client_for, running

router = APIRouter()
NOTE = "记" * 3000  # about 9 KiB: every note needs pages of its own


def note_row(key: str) -> dict[str, object]:
    return {"owner": "notes", "key": key, "method": "POST", "path": "/v1/notes", "request_hash": "0" * 64,
            "status_code": 204, "response_body": NOTE, "created_at": datetime.now(UTC)}


@router.post("/notes/{key}", status_code=204)
async def write_note(key: str, session: SessionDep) -> None:
    """A write that needs new pages of the database."""
    await session.execute(insert(idempotency_record).values(**note_row(key)))
    await session.commit()


class DriverError(Exception):
    """What SQLAlchemy's asyncpg adapter wraps: a message and the server's SQLSTATE."""

    def __init__(self, message: str, sqlstate: str | None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


@router.post("/postgres-full", status_code=204)
async def postgres_full() -> None:
    """Fails as PostgreSQL does when the disk under its data directory is full."""
    raise OperationalError("INSERT INTO note", {}, DriverError(
        'could not extend file "base/16384/16402": No space left on device', "53100"))


def notes_app(database_url: str) -> FastAPI:
    settings = ServiceSettings(service_name="notes", database_url=database_url, internal_secret=TEST_SECRET,
                               events_enabled=False)
    return create_service_app(ServiceSpec(name="notes", title="Notes", description="d", routers=[router]), settings)


def storage_gauge(metrics_text: str) -> float:
    return next(sample.value for family in text_string_to_metric_families(metrics_text)
                for sample in family.samples if sample.name == "bianmin_storage_full")


async def cap_pages(app: FastAPI, pages: int) -> int:
    """Set SQLite's page limit on the service's one write connection (never below the current size)."""
    async with app.state.db.engine.connect() as connection:
        return int((await connection.exec_driver_sql(f"PRAGMA max_page_count = {pages}")).scalar())


async def write_off_the_request_path(app: FastAPI) -> None:
    async with app.state.db.sessionmaker() as session:
        await session.execute(insert(idempotency_record).values(**note_row("background")))
        await session.commit()


def assert_storage_full(answer: object) -> None:
    assert answer.status_code == 503, answer.text  # type: ignore[attr-defined]
    assert answer.headers["content-type"].startswith(PROBLEM_JSON)  # type: ignore[attr-defined]
    assert int(answer.headers["retry-after"]) > 0  # type: ignore[attr-defined]
    assert answer.json()["code"] == "storage_full"  # type: ignore[attr-defined]


@pytest.fixture
def database_url(kit_sqlite: Callable[[str], str]) -> str:
    return kit_sqlite("notes")


async def test_a_full_sqlite_database_is_a_503_and_readiness_fails_until_there_is_room(database_url: str) -> None:
    app = notes_app(database_url)
    async with running(app), client_for(app) as client:
        assert (await client.post("/v1/notes/first")).status_code == 204
        assert (await client.get("/readyz")).json()["checks"]["storage"] == "ok"
        await cap_pages(app, 1)
        # A write off the request path (the relay, a consumer, a worker) is noticed too.
        with pytest.raises(OperationalError) as raised:
            await write_off_the_request_path(app)
        assert storage_full(raised.value)
        unready = await client.get("/readyz")
        answers = [await client.post(f"/v1/notes/{n}") for n in range(5)]
        full_gauge = storage_gauge((await client.get("/metrics")).text)
        await cap_pages(app, 1_000_000)
        ready = await client.get("/readyz")
        after = await client.post("/v1/notes/after")
        room_gauge = storage_gauge((await client.get("/metrics")).text)
    assert unready.status_code == 503
    assert unready.headers["content-type"].startswith(PROBLEM_JSON)
    assert unready.json()["checks"] == {"database": "ok", "storage": "full", "clock": "ok"}
    for answer in answers:
        assert_storage_full(answer)
    assert full_gauge == 1
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "storage": "ok", "clock": "ok"}
    assert after.status_code == 204
    assert room_gauge == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MiB tmpfs of this test alone; skipped where this process may not mount (not root)."""
    try:
        with disk.small_disk(tmp_path / "disk", size_mib=3) as mounted:
            yield mounted
    except disk.MountRefused as refused:
        pytest.skip(str(refused))


@pytest.fixture
def database_on_small_disk(small_disk: Path, kit_sqlite: Callable[[str], str]) -> str:
    """The kit's tables in a SQLite file on the small disk."""
    made = Path(kit_sqlite("notes").split("///", 1)[1])
    database = small_disk / "notes.db"
    database.write_bytes(made.read_bytes())
    return f"sqlite+aiosqlite:///{database}"


async def test_a_really_full_disk_is_a_503_never_a_500_and_readiness_fails_until_space_returns(
        small_disk: Path, database_on_small_disk: str) -> None:
    app = notes_app(database_on_small_disk)
    async with running(app), client_for(app) as client:
        assert (await client.post("/v1/notes/first")).status_code == 204
        disk.fill(small_disk)
        with pytest.raises(OSError, match="No space left") as refused:
            (small_disk / "one-more").write_bytes(b"\0" * 4096)
        assert refused.value.errno == errno.ENOSPC
        statuses = []
        for n in range(300):
            answer = await client.post(f"/v1/notes/{n}")
            statuses.append(answer.status_code)
            if answer.status_code == 503:
                assert_storage_full(answer)
                break
        unready = await client.get("/readyz")
        still_unready = await client.get("/readyz")
        disk.free(small_disk)
        ready = await client.get("/readyz")
        after = await client.post("/v1/notes/after")
    assert 500 not in statuses
    assert statuses[-1] == 503
    assert unready.status_code == 503
    assert unready.json()["checks"]["storage"] == "full"
    assert still_unready.status_code == 503
    assert ready.status_code == 200
    assert after.status_code == 204


async def test_postgresql_disk_full_is_a_503_storage_full(database_url: str) -> None:
    app = notes_app(database_url)
    async with running(app), client_for(app) as client:
        answer = await client.post("/v1/postgres-full")
        ready = await client.get("/readyz")
    assert_storage_full(answer)
    # The app's own database is SQLite with room to spare: its readiness measures that room.
    assert ready.status_code == 200


def test_without_a_way_to_measure_room_readiness_fails_for_the_hold_after_the_last_full_error() -> None:
    now = [1000.0]
    watch = StorageWatch(hold_seconds=30, room=None, clock=lambda: now[0])
    full = DBAPIError("INSERT", {}, DriverError("could not extend file: No space left on device", "53100"))
    assert not watch.note(DBAPIError("SELECT", {}, DriverError("relation does not exist", "42P01")))
    assert watch.note(full)
    states = []
    for at in (1000.0, 1029.0, 1031.0):
        now[0] = at
        states.append(watch.held())
    watch.note(full)
    now[0] = 1040.0
    states.append(watch.held())
    assert states == [True, True, False, True]


@pytest.mark.parametrize(("error", "expected"), [
    (OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full")), True),
    (OperationalError("INSERT", {}, DriverError("could not write to file: No space left on device", "53100")), True),
    (OperationalError("INSERT", {}, DriverError("database is locked", None)), False),
    (OperationalError("INSERT", {}, DriverError("out of memory", "53200")), False),
    (ConnectionRefusedError(111, "Connect call failed"), False),
])
def test_storage_full_is_told_apart_from_other_database_errors(error: BaseException, expected: bool) -> None:
    assert storage_full(error) is expected
