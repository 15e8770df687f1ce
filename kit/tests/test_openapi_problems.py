"""Every error a service's OpenAPI document lists is documented as the problem+json the kit sends."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from fastapi import APIRouter, FastAPI, Query
from pydantic import BaseModel, Field

from bianmin.kit.app import ServiceSpec, create_service_app
from bianmin.kit.errors import PROBLEM_JSON, Problem, document_problems, problem_responses
from bianmin.kit.identity import public
from bianmin.kit.settings import ServiceSettings
from bianmin.testing.client import DISTRICT_ADMIN, TEST_SECRET, client_for, running


class ThingCreate(BaseModel):
    code: str = Field(min_length=3)


class ThingRead(BaseModel):
    code: str


router = APIRouter()


@router.post("/things", status_code=201, responses=problem_responses(401, 403, 409, 422))
async def create_thing(body: ThingCreate) -> ThingRead:
    """A route with a body: FastAPI adds its own 422 to it."""
    return ThingRead(code=body.code)


@router.get("/things", **public())
async def list_things(limit: Annotated[int, Query(ge=1, le=10)] = 5) -> list[ThingRead]:
    """A route with a query parameter and no declared errors: FastAPI's 422 only."""
    return [ThingRead(code="abc")] * limit


def _error_responses(document: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """``(path, method, status, response)`` for every 4xx, 5xx and default response of the document."""
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, response in operation.get("responses", {}).items():
                if status == "default" or status[0] in "45":
                    found.append((path, method, status, response))
    return found


@pytest.fixture
def app(tmp_path: Any) -> FastAPI:
    settings = ServiceSettings(service_name="things", database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
                               internal_secret=TEST_SECRET, events_enabled=False)
    spec = ServiceSpec(name="things", title="Things", description="A service of things.", routers=[router])
    return create_service_app(spec, settings)


def test_no_operation_documents_an_error_as_plain_json(app: FastAPI) -> None:
    document = app.openapi()
    errors = _error_responses(document)
    assert {(p, m, s) for p, m, s, _ in errors} >= {("/v1/things", "post", "422"), ("/v1/things", "get", "422"),
                                                   ("/v1/things", "post", "409"), ("/v1/things", "post", "400"),
                                                   ("/readyz", "get", "503")}
    for path, method, status, response in errors:
        assert list(response["content"]) == [PROBLEM_JSON], (path, method, status, response)
        assert response["content"][PROBLEM_JSON]["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_fastapis_validation_error_schemas_are_gone_and_the_problem_schema_is_there(app: FastAPI) -> None:
    document = app.openapi()
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert "ValidationError" not in schemas
    assert "HTTPValidationError" not in str(document)
    assert set(schemas["Problem"]["required"]) == {"title", "status", "code"}
    assert schemas["Problem"]["properties"]["errors"]["anyOf"][0]["items"] == {"$ref": "#/components/schemas/FieldProblem"}
    assert "FieldProblem" in schemas


def test_the_rewrite_is_idempotent_and_keeps_other_media_types_and_specific_problem_schemas() -> None:
    document = {"paths": {"/x": {"get": {"responses": {
        "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}},
        "404": {"description": "page", "content": {"text/html": {"schema": {"type": "string"}},
                                                   "application/json": {"schema": {"type": "object"}}}},
        "400": {"description": "oauth", "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/OAuthProblem"}}}},
        "default": {"description": "anything"},
    }}}}}
    once = document_problems(document)
    twice = document_problems(once)
    responses = twice["paths"]["/x"]["get"]["responses"]
    assert responses["200"]["content"] == {"application/json": {"schema": {"type": "object"}}}
    assert set(responses["404"]["content"]) == {"text/html", PROBLEM_JSON}
    assert responses["400"]["content"][PROBLEM_JSON]["schema"] == {"$ref": "#/components/schemas/OAuthProblem"}
    assert responses["default"]["content"] == {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}


async def test_the_documented_422_and_400_are_what_the_service_sends(app: FastAPI) -> None:
    async with running(app), client_for(app, DISTRICT_ADMIN) as client:
        invalid = await client.post("/v1/things", json={"code": "x"})
        unparseable = await client.post("/v1/things", content=b"\xff\xfe{", headers={"content-type": "application/json"})
    assert invalid.status_code == 422
    assert invalid.headers["content-type"].startswith(PROBLEM_JSON)
    assert Problem.model_validate_json(invalid.content).errors[0].field == "code"  # type: ignore[index]
    assert unparseable.status_code == 400
    assert "400" in app.openapi()["paths"]["/v1/things"]["post"]["responses"]
    assert unparseable.headers["content-type"].startswith(PROBLEM_JSON)
