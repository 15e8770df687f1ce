"""A NUL or another control character in any field of any request body is a 422, on PostgreSQL too.

PostgreSQL cannot store NUL in text: before the kit's ``RequestBody``, only queue refused it, and a
NUL in a catalog, credit, guarantee, bidding or webhooks body was a 500 there. Two proofs:
- every field of every request model of every service (nested models and lists included) refuses a
  control character, naming the field (the models are read from the apps' routes, so a new one is
  covered without editing this file);
- through each service's HTTP API on the database under test (PostgreSQL too when
  ``BIANMIN_TEST_POSTGRES_URL`` is set), bodies that schemathesis makes as their schemas allow, with
  a NUL put into one of their strings, are all answered 422 problem+json: a NUL never reaches the
  database (``BIANMIN_FUZZ_EXAMPLES`` scales the bodies per operation).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, get_args

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from pydantic import BaseModel, ValidationError
from schemathesis import GenerationMode
from starlette.testclient import TestClient

from bianmin.contracts.services import SERVICES
from bianmin.kit.schemas import RequestBody
from bianmin.testing.client import DISTRICT_ADMIN, TEST_SECRET, PrincipalAuth
from bianmin.testing.databases import TestDatabases
from bianmin.testing.wiring import body_models

sys.path.insert(0, str(Path(__file__).parent))

from platform_apps import build_app

EXAMPLES = max(3, int(os.environ.get("BIANMIN_FUZZ_EXAMPLES", "1")))
CONTROLS = ("nul\x00", "bell\x07", "esc\x1b[2J", "c1\x9b")


def _models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models(arg)]


def _nested(model: type[BaseModel], seen: set[type[BaseModel]]) -> list[type[BaseModel]]:
    if model in seen:
        return []
    seen.add(model)
    found = [model]
    for field in model.model_fields.values():
        for inner in _models(field.annotation):
            found += _nested(inner, seen)
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_every_field_of_every_request_model_refuses_control_characters(service: str, test_databases: TestDatabases) -> None:
    app = build_app(service, test_databases)
    models: set[type[BaseModel]] = set()
    for _, annotation in body_models(app):
        for model in _models(annotation):
            models.update(_nested(model, set()))
    assert models, service
    wrong = []
    for model in sorted(models, key=lambda m: m.__name__):
        assert issubclass(model, RequestBody), f"{service} {model.__name__} is not a RequestBody"
        for name, field in model.model_fields.items():
            key = field.alias or name
            for value in CONTROLS:
                try:
                    model.model_validate({key: value})
                except ValidationError as exc:
                    if any(e["loc"][:1] == (key,) and "control characters" in e["msg"] for e in exc.errors()):
                        continue
                wrong.append(f"{service} {model.__name__}.{key} took {value!r}")
    assert wrong == []


def _with_control_character(value: Any) -> tuple[Any, bool]:
    """``value`` with a NUL put into its first string (at any depth), and whether there was one."""
    if isinstance(value, str):
        return value + "\x00", True
    if isinstance(value, dict):
        for key, item in value.items():
            changed, done = _with_control_character(item)
            if done:
                return {**value, key: changed}, True
    if isinstance(value, list):
        for index, item in enumerate(value):
            changed, done = _with_control_character(item)
            if done:
                return [*value[:index], changed, *value[index + 1:]], True
    return value, False


@pytest.fixture(params=SERVICES)
def service_app(request: pytest.FixtureRequest, test_databases: TestDatabases, db_backend: str) -> tuple[str, FastAPI]:
    """One service's app on the database under test (built outside the event loop: migrations run their own)."""
    return request.param, build_app(request.param, test_databases, backend=db_backend)


def test_a_control_character_in_a_valid_body_is_refused_on_the_database_under_test(service_app: tuple[str, FastAPI]) -> None:
    """Schemathesis makes bodies its schema allows; a NUL goes into one string of each; the answer is a 4xx.

    A 422 where the body is read; a route that first loads the resource its path names may answer 404
    for one that does not exist. Never a 5xx, so the NUL never reached the database.
    """
    service, app = service_app
    with TestClient(app, base_url="http://service.test", raise_server_exceptions=False) as client:
        client.auth = PrincipalAuth(DISTRICT_ADMIN, TEST_SECRET, service)
        schema = schemathesis.openapi.from_dict(app.openapi())
        results = [_with_a_nul(client, result.ok()) for result in schema.get_all_operations()
                   if result.ok().path.startswith("/v1/") and result.ok().body]
    assert sum(refused for refused, _ in results), f"{service}: no body with a control character reached validation"
    assert [line for _, wrong in results for line in wrong] == []


def _with_a_nul(client: TestClient, operation: Any) -> tuple[int, list[str]]:
    """Send the operation's valid bodies with a NUL in one string; how many got a 422, and what was not a 4xx problem."""
    refused, wrong = 0, []

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True, print_blob=False,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    def run(case: Any) -> None:
        nonlocal refused
        body, changed = _with_control_character(case.body) if isinstance(case.body, dict | list) else (None, False)
        if not changed:
            return
        kwargs = case.as_transport_kwargs(base_url="http://service.test")
        headers = {k: v for k, v in (kwargs.get("headers") or {}).items() if k.lower() != "content-type"}
        response = client.request(kwargs["method"], kwargs["url"], params=kwargs.get("params"), json=body, headers=headers)
        refused += response.status_code == 422
        if not 400 <= response.status_code < 500 or not response.headers.get("content-type", "").startswith(
                "application/problem+json"):
            wrong.append(f"{operation.method.upper()} {operation.path}: {response.status_code} {str(body)[:160]} "
                         f"-> {response.text[:160]}")

    run()
    return refused, wrong
