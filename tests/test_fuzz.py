"""Schemathesis over every operation of every service's OpenAPI document, in process.

Each operation gets ``BIANMIN_FUZZ_EXAMPLES`` valid and as many invalid requests (1 by default so
``make test`` stays quick; ``make fuzz`` runs a few hundred), sent as a district admin and as a
township key holding every scope of the service. Every answer must be below 500, match the schema
its operation declares for that status, and every rejection must be ``application/problem+json``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance
from starlette.testclient import TestClient

from bianmin.kit.errors import Problem
from bianmin.kit.identity import Principal
from bianmin.kit.testing.client import DISTRICT_ADMIN, identity_headers
from bianmin.kit.testing.databases import TestDatabases

sys.path.insert(0, str(Path(__file__).parent))

from platform_apps import SERVICES, build_app

EXAMPLES = int(os.environ.get("BIANMIN_FUZZ_EXAMPLES", "1"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def township(service: str) -> Principal:
    """A township key holding every scope of ``service``."""
    return Principal(key_id="key-fuzz-township", tenant="330199001", scopes=frozenset({f"{service}:*"}), name="township")


@pytest.fixture(params=SERVICES)
def service_app(request: pytest.FixtureRequest, test_databases: TestDatabases) -> tuple[str, FastAPI]:
    """One service's app over a fresh migrated database."""
    return request.param, build_app(request.param, test_databases)


def _streams(definition: dict[str, Any]) -> bool:
    return any("text/event-stream" in (r.get("content") or {}) for r in definition.get("responses", {}).values())


@pytest.mark.parametrize("caller", ["admin", "township"])
def test_no_operation_answers_5xx_or_breaks_its_schema(service_app: tuple[str, FastAPI], caller: str) -> None:
    service, app = service_app
    principal = DISTRICT_ADMIN if caller == "admin" else township(service)
    schema = schemathesis.openapi.from_dict(app.openapi())
    failures: list[str] = []
    with TestClient(app, base_url="http://service.test", raise_server_exceptions=False) as client:
        for result in schema.get_all_operations():
            operation = result.ok()
            if not operation.path.startswith("/v1/") or _streams(operation.definition.raw):
                continue
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                problem = _fuzz(client, operation, mode, principal)
                if problem:
                    failures.append(f"{operation.method.upper()} {operation.path} [{mode.value}]: {problem}")
    assert not failures, "\n\n".join(failures)


def _fuzz(client: TestClient, operation: Any, mode: GenerationMode, principal: Principal) -> str | None:
    """Run the examples of one operation; the first failure found, shrunk, or None."""

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True, print_blob=False,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        kwargs = case.as_transport_kwargs(base_url="http://service.test", headers=identity_headers(principal))
        if "data" in kwargs and isinstance(kwargs["data"], bytes | str):
            kwargs["content"] = kwargs.pop("data")
        kwargs.pop("verify", None)
        kwargs.pop("cookies", None)
        response = client.request(**kwargs)
        if response.status_code < 400:
            case.validate_response(response, checks=CHECKS)
            return
        # FastAPI documents its 422 as application/json (HTTPValidationError); the kit answers every
        # rejection as problem+json, so rejections are checked against the Problem model instead.
        assert response.status_code < 500, f"{response.status_code}: {response.text[:300]}"
        assert response.headers.get("content-type", "").startswith("application/problem+json"), (
            f"{response.status_code} is not problem+json: {response.text[:200]}")
        problem = Problem.model_validate_json(response.content)
        assert problem.status == response.status_code, response.text[:200]

    try:
        run()
    except Unsatisfiable:
        return None  # no invalid request exists for an operation without inputs or constraints
    except Exception as exc:
        return str(exc)[:1500]
    return None
