"""The application wiring every service shares: errors, idempotency, request ids, body limits."""

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Annotated

import pytest
from fastapi import APIRouter, FastAPI, Query
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from bianmin.contracts.events.catalog import ItemChanged
from bianmin.kit.app import ServiceSpec, create_service_app
from bianmin.kit.clock import ClockDep, ReceivedAtDep
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import Conflict, Unprocessable
from bianmin.kit.events import emit
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import ANONYMOUS, PrincipalDep, public
from bianmin.kit.logging import JsonFormatter, request_id_var
from bianmin.kit.settings import ServiceSettings
from bianmin.kit.tables import outbox_event
from bianmin.testing.client import TEST_SECRET, client_for, running


class ItemCreate(BaseModel):
    code: str = Field(min_length=3, max_length=20)
    revision: int = Field(ge=1)


class ItemCreated(BaseModel):
    event_id: str
    code: str


router = APIRouter()


@router.post("/items", status_code=201)
async def create_item(body: ItemCreate, session: SessionDep, idem: IdempotencyDep) -> ItemCreated:
    """Record an item event: the effect that a replay must not repeat."""
    event = await emit(session, "catalog.item.published", ItemChanged(
        code=body.code, basic_code="B", name="事项", department_code="D", status="published",
        revision=body.revision))
    return await idem.finish(session, ItemCreated(event_id=event.id, code=body.code))


@router.get("/public-thing", **public())
async def public_thing(who: PrincipalDep) -> dict[str, bool]:
    """A route the anonymous principal may read."""
    return {"anonymous": who.anonymous}


@router.get("/conflict")
async def conflict() -> None:
    """Always refuses, as a forbidden transition would."""
    raise Conflict("The ticket was already called.", code="ticket_already_called")


@router.get("/field")
async def field(limit: Annotated[int, Query(ge=1)] = 1) -> None:
    """Refuses with one named field."""
    raise Unprocessable.field("hall_code", "no such hall")


@router.get("/boom")
async def boom() -> None:
    """An unexpected failure."""
    raise RuntimeError("unexpected")


@router.get("/locked")
async def locked() -> None:
    """Fails as SQLite does when another writer holds the lock past the busy timeout."""
    raise OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))


@router.get("/bad-sql")
async def bad_sql() -> None:
    """Fails as a wrong statement would: a bug, not a busy database."""
    raise OperationalError("SELECT nothing", {}, Exception("no such table: nothing"))


@router.get("/arrival")
async def arrival(received_at: ReceivedAtDep, clock: ClockDep) -> dict[str, bool]:
    """Whether the arrival stamp precedes the handler's own reading of the clock."""
    return {"before": received_at <= clock.now()}


@router.post("/echo")
async def echo(body: dict[str, str]) -> dict[str, int]:
    """Accepts a body (to test the size limit)."""
    return {"keys": len(body)}


@pytest.fixture
async def app(kit_database_url: str) -> AsyncIterator[FastAPI]:
    settings = ServiceSettings(service_name="test", database_url=kit_database_url, internal_secret=TEST_SECRET,
                               events_enabled=False, max_body_bytes=2000)
    application = create_service_app(ServiceSpec(name="test", title="t", description="d", routers=[router]), settings)
    async with running(application):
        yield application


async def outbox_count(app: FastAPI) -> int:
    async with app.state.db.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(outbox_event)))


async def test_a_replayed_post_returns_the_first_answer_and_changes_nothing(app: FastAPI) -> None:
    async with client_for(app) as client:
        first = await client.post("/v1/items", json={"code": "ABC", "revision": 1}, headers={"Idempotency-Key": "k1"})
        again = await client.post("/v1/items", json={"code": "ABC", "revision": 1}, headers={"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await outbox_count(app) == 1


async def test_the_same_key_with_another_body_is_422_and_changes_nothing(app: FastAPI) -> None:
    async with client_for(app) as client:
        await client.post("/v1/items", json={"code": "ABC", "revision": 1}, headers={"Idempotency-Key": "k2"})
        other = await client.post("/v1/items", json={"code": "XYZ", "revision": 1}, headers={"Idempotency-Key": "k2"})
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert await outbox_count(app) == 1


async def test_concurrent_requests_with_one_key_apply_once(app: FastAPI) -> None:
    async with client_for(app) as client:
        answers = await asyncio.gather(*(
            client.post("/v1/items", json={"code": "SAME", "revision": 1}, headers={"Idempotency-Key": "k3"})
            for _ in range(8)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["event_id"] for a in answers}) == 1
    assert await outbox_count(app) == 1


async def test_keys_belong_to_their_principal(app: FastAPI) -> None:
    from bianmin.kit.identity import Principal

    other = Principal(key_id="someone-else", tenant="*", scopes=frozenset({"admin"}))
    async with client_for(app) as mine, client_for(app, principal=other) as theirs:
        await mine.post("/v1/items", json={"code": "ABC", "revision": 1}, headers={"Idempotency-Key": "shared"})
        await theirs.post("/v1/items", json={"code": "ABC", "revision": 1}, headers={"Idempotency-Key": "shared"})
    assert await outbox_count(app) == 2


async def test_posts_without_a_key_are_not_deduplicated(app: FastAPI) -> None:
    async with client_for(app) as client:
        for _ in range(2):
            await client.post("/v1/items", json={"code": "ABC", "revision": 1})
    assert await outbox_count(app) == 2


async def test_validation_errors_name_each_field_and_reason(app: FastAPI) -> None:
    async with client_for(app) as client:
        response = await client.post("/v1/items", json={"code": "A", "revision": 0})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "validation_failed"
    assert {e["field"] for e in problem["errors"]} == {"code", "revision"}
    assert await outbox_count(app) == 0


async def test_a_malformed_json_body_is_a_422_problem(app: FastAPI) -> None:
    async with client_for(app) as client:
        response = await client.post("/v1/items", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"


async def test_domain_errors_keep_their_status_and_code(app: FastAPI) -> None:
    async with client_for(app) as client:
        conflict = await client.get("/v1/conflict")
        field = await client.get("/v1/field")
        missing = await client.get("/v1/nothing-here")
    assert (conflict.status_code, conflict.json()["code"]) == (409, "ticket_already_called")
    assert field.json()["errors"] == [{"field": "hall_code", "reason": "no such hall"}]
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


async def test_an_unexpected_error_is_a_problem_without_internals(app: FastAPI) -> None:
    async with client_for(app) as client:
        response = await client.get("/v1/boom")
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert "unexpected" not in response.text


async def test_a_busy_database_is_a_503_to_retry_and_a_bad_statement_stays_a_500(app: FastAPI) -> None:
    async with client_for(app) as client:
        busy = await client.get("/v1/locked")
        bug = await client.get("/v1/bad-sql")
    assert busy.status_code == 503
    assert busy.headers["retry-after"] == "1"
    assert busy.json()["code"] == "database_unavailable"
    assert bug.status_code == 500


async def test_requests_carry_their_arrival_time(app: FastAPI) -> None:
    async with client_for(app) as client:
        assert (await client.get("/v1/arrival")).json() == {"before": True}


async def test_public_routes_admit_the_anonymous_principal(app: FastAPI) -> None:
    async with client_for(app, principal=ANONYMOUS) as client:
        response = await client.get("/v1/public-thing")
    assert response.json() == {"anonymous": True}


async def test_request_ids_are_kept_or_made(app: FastAPI) -> None:
    async with client_for(app) as client:
        kept = await client.get("/healthz", headers={"X-Request-ID": "township-7f3a"})
        made = await client.get("/healthz")
        unsafe = await client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert kept.headers["x-request-id"] == "township-7f3a"
    assert len(made.headers["x-request-id"]) == 32
    assert unsafe.headers["x-request-id"] != "bad id\twith spaces"


async def test_a_body_over_the_limit_is_413_without_reading_it_all(app: FastAPI) -> None:
    async with client_for(app) as client:
        declared = await client.post("/v1/echo", json={"x": "y" * 5000})

        async def chunks() -> AsyncIterator[bytes]:
            yield b'{"x": "'
            for _ in range(10):
                yield b"y" * 500
            yield b'"}'

        streamed = await client.post("/v1/echo", content=chunks(), headers={"content-type": "application/json"})
    assert declared.status_code == streamed.status_code == 413
    assert declared.json()["code"] == "body_too_large"


def test_json_log_lines_carry_the_request_id() -> None:
    record = logging.LogRecord("bianmin.test", logging.INFO, __file__, 1, "call %s", ("A023",), None)
    record.hall = "330199001"
    token = request_id_var.set("req-1")
    try:
        line = json.loads(JsonFormatter("queue").format(record))
    finally:
        request_id_var.reset(token)
    assert line["message"] == "call A023"
    assert line["request_id"] == "req-1"
    assert line["service"] == "queue"
    assert line["hall"] == "330199001"


@pytest.mark.parametrize(("behind", "status", "ready", "clock"), [
    (0, 200, "ready", "ok"),
    (6, 200, "ready", "ok"),
    (10, 200, "degraded", r"skewed: about (9|10) s behind the gateway \(leeway 15 s\)"),
    (20, 401, None, r"refusing tokens: about (19|20) s behind the gateway \(leeway 15 s\)"),
])
async def test_a_host_behind_the_gateway_serves_within_the_leeway_and_readiness_reports_it(
        app: FastAPI, behind: int, status: int, ready: str | None, clock: str) -> None:
    """Tokens signed ``behind`` seconds in this host's future, as a gateway ahead of it signs them (``iat`` is
    whole seconds, so the skew seen may be a second less)."""
    import re
    import time

    from bianmin.kit.identity import IDENTITY_HEADER, audience_of, mint_token
    from bianmin.testing.client import DISTRICT_ADMIN

    token = mint_token(DISTRICT_ADMIN, TEST_SECRET, audience=audience_of("test"), now=time.time() + behind)
    async with client_for(app, None) as client:
        answer = await client.get("/v1/public-thing", headers={IDENTITY_HEADER: token})
        readiness = await client.get("/readyz")
    assert answer.status_code == status, answer.text
    assert re.fullmatch(clock, readiness.json()["checks"]["clock"]), readiness.json()
    if ready is None:
        assert answer.json()["code"] == "identity_not_yet_valid"
        assert readiness.status_code == 503
    else:
        assert readiness.json()["status"] == ready
