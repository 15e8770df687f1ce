"""Who may manage webhooks: apps only, declared on every route; a person signed in is refused, naming why."""

from __future__ import annotations

from fastapi import FastAPI

from bianmin.kit.app import api_routes
from bianmin.kit.policy import APP, declared_policy
from bianmin.testing.client import client_for, person


def test_every_route_declares_who_may_call_it(app: FastAPI) -> None:
    undeclared = [f"{sorted(r.methods)} {r.path}" for r in api_routes(app)
                  if r.path.startswith("/v1/") and declared_policy(r) is None]
    assert not undeclared


def test_endpoints_belong_to_apps_only(app: FastAPI) -> None:
    for route in api_routes(app):
        if "/endpoints" in route.path or "/deliveries" in route.path:
            assert [a.kind for a in declared_policy(route) or ()] == [APP], route.path


async def test_a_person_signed_in_cannot_register_an_endpoint(app: FastAPI) -> None:
    async with client_for(app, person("operator", "operator")) as client:
        response = await client.post("/v1/endpoints", json={"url": "https://hooks.example.com/in", "event_types": [">"]})
    assert response.status_code == 403
    assert response.json()["code"] == "subject_not_allowed"
