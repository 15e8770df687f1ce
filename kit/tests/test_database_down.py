"""A PostgreSQL restart, as each of its faces reaches a route, answers 503 problem+json, never 500.

The errors are the ones seen while ``pg_ctl restart -m fast`` and ``kill -9`` of the postmaster ran
under load (fault 4 of ``make reliability``, which proves the whole path on a real server).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI
from sqlalchemy.exc import DBAPIError, ProgrammingError

from bianmin.kit.app import ServiceSpec, create_service_app
from bianmin.kit.errors import PROBLEM_JSON
from bianmin.kit.settings import ServiceSettings
from bianmin.testing.client import TEST_SECRET, client_for


class DriverError(Exception):
    """What SQLAlchemy's asyncpg adapter wraps: a message and the server's SQLSTATE."""

    def __init__(self, message: str, sqlstate: str | None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


FAULTS: dict[str, BaseException] = {
    # asyncpg connecting while nothing listens: a bare OSError, not wrapped by SQLAlchemy.
    "refused": ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)"),
    "reset": ConnectionResetError(104, "Connection reset by peer"),
    "shutting-down": DBAPIError("SELECT 1", {}, DriverError("the database system is shutting down", "57P03")),
    "starting-up": DBAPIError("SELECT 1", {}, DriverError("the database system is starting up", "57P03")),
    "admin-shutdown": DBAPIError("INSERT", {}, DriverError("terminating connection due to administrator command", "57P01")),
    "connection-failure": DBAPIError("INSERT", {}, DriverError("connection failure", "08006")),
}
router = APIRouter()


@router.get("/fault/{name}")
async def fault(name: str) -> None:
    """Fails the way the database failed."""
    raise FAULTS[name]


@router.get("/bug")
async def bug() -> None:
    """A wrong statement is a bug to fix, not an outage to wait out."""
    raise ProgrammingError("SELECT nothing", {}, DriverError('relation "nothing" does not exist', "42P01"))


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    settings = ServiceSettings(service_name="things", database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
                               internal_secret=TEST_SECRET, events_enabled=False)
    return create_service_app(ServiceSpec(name="things", title="Things", description="d", routers=[router]), settings)


@pytest.mark.parametrize("name", sorted(FAULTS))
async def test_a_database_going_away_is_a_503_to_retry(app: FastAPI, name: str) -> None:
    async with client_for(app) as client:
        response = await client.get(f"/v1/fault/{name}")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert response.headers["retry-after"] == "1"
    assert response.json()["code"] == "database_unavailable"


async def test_a_bad_statement_on_postgresql_stays_a_500(app: FastAPI) -> None:
    async with client_for(app) as client:
        response = await client.get("/v1/bug")
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
