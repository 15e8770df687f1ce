"""Schemathesis over every operation of the gateway's merged OpenAPI document, sent through the gateway.

The document is the one clients read (``GET /openapi.json`` of the gateway): the gateway's own routes
(OAuth2 token, admin API for keys and clients, cockpit, health) and every service's ``/v1`` routes as
the gateway routes them. Requests go through the gateway's authentication, rate limits and proxy to
the services, all in one process (``gateway_platform``). Each operation gets ``BIANMIN_FUZZ_EXAMPLES``
valid and as many invalid requests (1 by default so ``make test`` stays quick; ``make fuzz`` runs
more), once with a district admin key and once with a township key holding every service's scopes.
Every answer must be below 500, have a status and a body its operation documents, and every
rejection must be ``application/problem+json``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup
from starlette.testclient import TestClient

from bianmin.gateway.settings import SERVICES
from bianmin.kit.errors import PROBLEM_JSON, Problem
from bianmin.testing.databases import TestDatabases

sys.path.insert(0, str(Path(__file__).parent))

from gateway_platform import build_platform

EXAMPLES = int(os.environ.get("BIANMIN_FUZZ_EXAMPLES", "1"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
BASE_URL = "http://gateway.test"
TOWNSHIP = "330199001"
# The gateway's own routes form one section, each service's routes another.
SECTIONS = ("gateway", *SERVICES)


@dataclass
class Fuzzed:
    """The running platform, its merged document and the keys of both callers."""

    client: TestClient
    schema: Any
    keys: dict[str, str]


@pytest.fixture(scope="module")
def fuzzed(test_databases: TestDatabases) -> Iterator[Fuzzed]:
    """The platform behind the gateway, started once for the module, with an admin and a township key."""
    platform = build_platform(test_databases)
    with TestClient(platform, base_url=BASE_URL, raise_server_exceptions=False) as client:
        keys = {
            "admin": client.portal.call(_issue, platform, "*", ["admin"], "fuzz admin"),  # type: ignore[union-attr]
            "township": client.portal.call(  # type: ignore[union-attr]
                _issue, platform, TOWNSHIP, [*(f"{s}:*" for s in SERVICES), "cockpit:read"], "fuzz township"),
        }
        document = client.get("/openapi.json").json()
        assert not document.get("x-bianmin-missing"), document.get("x-bianmin-missing")
        yield Fuzzed(client=client, schema=schemathesis.openapi.from_dict(document), keys=keys)


async def _issue(platform: Any, tenant: str, scopes: list[str], name: str) -> str:
    return await platform.issue_key(tenant=tenant, scopes=scopes, name=name)


def _section(path: str) -> str:
    first = path.strip("/").split("/", 1)[0]
    return first if first in SERVICES else "gateway"


def _streams(definition: dict[str, Any]) -> bool:
    return any("text/event-stream" in (r.get("content") or {}) for r in definition.get("responses", {}).values())


def test_the_merged_document_covers_the_gateways_own_routes_and_every_service(fuzzed: Fuzzed) -> None:
    paths = {result.ok().path for result in fuzzed.schema.get_all_operations()}
    assert {"/auth/token", "/admin/v1/keys", "/admin/v1/clients", "/cockpit/v1/overview", "/healthz", "/readyz"} <= paths
    assert {_section(p) for p in paths} == set(SECTIONS)


def test_a_path_id_holding_a_newline_reaches_the_service(fuzzed: Fuzzed) -> None:
    # Found by schemathesis: the gateway's own route did not match "%0A" and answered an undocumented 404.
    response = fuzzed.client.put("/catalog/v1/departments/a%0Ab", json={"code": "ab", "name": "部门"},
                                 headers={"Authorization": f"Bearer {fuzzed.keys['admin']}"})
    assert response.status_code == 422
    assert response.json()["instance"].startswith("/v1/departments/")  # the service's own path: the service answered


@pytest.mark.parametrize("caller", ["admin", "township"])
@pytest.mark.parametrize("section", SECTIONS)
def test_no_operation_answers_5xx_or_breaks_its_document(fuzzed: Fuzzed, section: str, caller: str) -> None:
    failures: list[str] = []
    for result in fuzzed.schema.get_all_operations():
        operation = result.ok()
        if _section(operation.path) != section or _streams(operation.definition.raw):
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            problem = _fuzz(fuzzed.client, operation, mode, fuzzed.keys[caller])
            if problem:
                failures.append(f"{operation.method.upper()} {operation.path} [{mode.value}]: {problem}")
    assert not failures, "\n\n".join(failures)


def _fuzz(client: TestClient, operation: Any, mode: GenerationMode, key: str) -> str | None:
    """Run the examples of one operation; the first failure found, shrunk, or None."""

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True, print_blob=False,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        kwargs = case.as_transport_kwargs(base_url=BASE_URL)
        # The caller's own key, whatever credentials the case made up.
        headers = {k: v for k, v in (kwargs.get("headers") or {}).items() if k.lower() not in ("authorization", "x-api-key")}
        kwargs["headers"] = {**headers, "Authorization": f"Bearer {key}"}
        if "data" in kwargs and isinstance(kwargs["data"], bytes | str):
            kwargs["content"] = kwargs.pop("data")
        kwargs.pop("verify", None)
        kwargs.pop("cookies", None)
        response = client.request(**kwargs)
        sent = f"{kwargs['method']} {response.url} {str(kwargs.get('json', kwargs.get('content', '')))[:300]}"
        assert response.status_code < 500, f"{response.status_code} for {sent}: {response.text[:300]}"
        case.validate_response(response, checks=CHECKS)
        if response.status_code >= 400:
            assert response.headers.get("content-type", "").startswith(PROBLEM_JSON), (
                f"{response.status_code} is not problem+json: {response.text[:200]}")
            problem = Problem.model_validate_json(response.content)
            assert problem.status == response.status_code, response.text[:200]

    try:
        run()
    except Unsatisfiable:
        return None  # no invalid request exists for an operation without inputs or constraints
    except (Exception, FailureGroup) as exc:  # schemathesis groups its check failures in a BaseExceptionGroup
        return str(exc)[:1500]
    return None

