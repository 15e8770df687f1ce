"""The personal-data access log: an unmasked read is recorded with who, what and why; supervisors read it."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from fastapi import APIRouter, FastAPI

from bianmin.kit.access_log import record_access
from bianmin.kit.app import ServiceSpec, create_service_app
from bianmin.kit.db import SessionDep
from bianmin.kit.identity import Principal, PrincipalDep
from bianmin.kit.settings import ServiceSettings
from bianmin.testing.client import DISTRICT_ADMIN, TEST_SECRET, client_for, person, running

router = APIRouter()
AT = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


@router.get("/applications/{number}/applicant")
async def applicant(number: str, session: SessionDep, principal: PrincipalDep) -> dict[str, str]:
    """An approver reads the applicant's ID number unmasked, and the read is logged."""
    await record_access(session, principal, at=AT, action="GET /applications/{number}/applicant",
                        resource=f"application:{number}", fields=["id_number", "name", "name"],
                        purpose="approval", site="330199001")
    await session.commit()
    return {"id_number": "330199199001011234"}


@pytest.fixture
async def service(kit_database_url: str) -> AsyncIterator[FastAPI]:
    settings = ServiceSettings(service_name="test", database_url=kit_database_url, internal_secret=TEST_SECRET,
                               events_enabled=False)
    application = create_service_app(ServiceSpec(name="test", title="t", description="d", routers=[router]), settings)
    async with running(application):
        yield application


async def test_an_unmasked_read_is_logged_and_a_supervisor_reads_who_what_and_why(service: FastAPI) -> None:
    approver = person("staff", "approver", site="330199001")
    async with client_for(service, approver) as client:
        assert (await client.get("/v1/applications/A1/applicant")).status_code == 200
    async with client_for(service, person("supervisor", "supervisor")) as client:
        answer = await client.get("/v1/access-log")
    assert answer.status_code == 200
    (row,) = answer.json()["items"]
    assert row["subject_kind"] == "staff"
    assert row["subject_id"] == approver.subject.id  # type: ignore[union-attr]
    assert row["resource"] == "application:A1"
    assert row["fields"] == ["id_number", "name"]
    assert row["purpose"] == "approval"
    assert "330199199001011234" not in answer.text  # the log names the read, never the data


@pytest.mark.parametrize(("caller", "code"), [
    (person("staff", "approver", site="330199001"), "subject_not_allowed"),
    (person("citizen"), "subject_not_allowed"),
    (Principal(key_id="township", tenant="330199001", scopes=frozenset({"admin"})), "district_only"),
])
async def test_nobody_but_supervisors_and_operators_reads_the_log(service: FastAPI, caller: Principal, code: str) -> None:
    async with client_for(service, caller) as client:
        answer = await client.get("/v1/access-log")
    assert answer.status_code == 403
    assert answer.json()["code"] == code


async def test_a_district_operator_key_reads_the_log(service: FastAPI) -> None:
    async with client_for(service, DISTRICT_ADMIN) as client:
        assert (await client.get("/v1/access-log")).json() == {"items": [], "next_cursor": None}
