"""Route policies: who may call, declared on the route, refused with a 403 that says what is missing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import APIRouter, FastAPI

from bianmin.kit.app import ServiceSpec, api_routes, create_service_app
from bianmin.kit.identity import Principal
from bianmin.kit.policy import Allow, app, citizen, declared_policy, policy, staff
from bianmin.kit.settings import ServiceSettings
from bianmin.kit.subjects import Role, Subject
from bianmin.testing.client import TEST_SECRET, client_for, running

router = APIRouter()


@router.post("/tickets/call", dependencies=[policy(staff("clerk", "hall_manager"))])
async def call_next() -> dict[str, str]:
    """Only a clerk or a hall manager calls."""
    return {"called": "A001"}


@router.post("/tickets", dependencies=[policy(citizen(), staff("clerk"), app())])
async def take() -> dict[str, str]:
    """A citizen, a clerk for a walk-in, or a kiosk app takes a ticket."""
    return {"ticket": "A002"}


@router.post("/records/confirm", dependencies=[policy(staff("reviewer", second_factor=True))])
async def confirm() -> dict[str, str]:
    """Confirming needs a second factor."""
    return {"confirmed": "yes"}


def _person(kind: str, *roles: str, second_factor: bool = False) -> Principal:
    return Principal(key_id="web", tenant="*", scopes=frozenset({"admin"}), subject=Subject(
        kind=kind, id=f"acct_{kind}", roles=tuple(Role(r, "330199001") for r in roles), second_factor=second_factor))


KIOSK = Principal(key_id="kiosk", tenant="330199001", scopes=frozenset({"queue:write"}))


@pytest.fixture
async def service(kit_database_url: str) -> AsyncIterator[FastAPI]:
    settings = ServiceSettings(service_name="test", database_url=kit_database_url, internal_secret=TEST_SECRET,
                               events_enabled=False)
    application = create_service_app(ServiceSpec(name="test", title="t", description="d", routers=[router]), settings)
    async with running(application):
        yield application


@pytest.mark.parametrize(("caller", "path", "status", "code"), [
    (_person("staff", "clerk"), "/v1/tickets/call", 200, None),
    (_person("staff", "hall_manager"), "/v1/tickets/call", 200, None),
    (_person("staff", "reviewer"), "/v1/tickets/call", 403, "role_missing"),
    (_person("citizen"), "/v1/tickets/call", 403, "subject_not_allowed"),
    (KIOSK, "/v1/tickets/call", 403, "subject_not_allowed"),
    (Principal(key_id="admin", tenant="*", scopes=frozenset({"admin"})), "/v1/tickets/call", 403, "subject_not_allowed"),
    (_person("citizen"), "/v1/tickets", 200, None),
    (KIOSK, "/v1/tickets", 200, None),
    (_person("expert"), "/v1/tickets", 403, "subject_not_allowed"),
    (_person("staff", "reviewer"), "/v1/records/confirm", 403, "second_factor_required"),
    (_person("staff", "reviewer", second_factor=True), "/v1/records/confirm", 200, None),
])
async def test_a_route_admits_only_what_it_declares(service: FastAPI, caller: Principal, path: str, status: int,
                                                    code: str | None) -> None:
    async with client_for(service, caller) as client:
        response = await client.post(path)
    assert response.status_code == status, response.text
    if code:
        assert response.json()["code"] == code
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_the_policy_is_read_back_and_documented(service: FastAPI) -> None:
    routes = {r.path: r for r in api_routes(service)}
    assert declared_policy(routes["/v1/tickets/call"]) == (Allow("staff", frozenset({"clerk", "hall_manager"})),)
    assert declared_policy(routes["/healthz"]) is None
    document = service.openapi()
    assert document["paths"]["/v1/tickets/call"]["post"]["x-bianmin-policy"] == ["staff (clerk, hall_manager)"]
    assert document["paths"]["/v1/records/confirm"]["post"]["x-bianmin-policy"] == ["staff (reviewer), second factor"]
    assert document["paths"]["/v1/tickets"]["post"]["x-bianmin-policy"] == ["citizen", "staff (clerk)", "app"]
