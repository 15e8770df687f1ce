"""The merged OpenAPI document and the offline Swagger UI."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from bianmin.gateway.app import gateway_openapi
from bianmin.gateway.auth import SECURITY_REQUIREMENTS
from bianmin.gateway.domain.openapi_merge import merge
from bianmin.gateway.settings import GatewaySettings
from bianmin.testing.pages import csp_directives, external_references, page_references


def service_document(title: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0", "info": {"title": title, "version": "1"},
        "tags": [{"name": "items", "description": "Service items."}],
        "paths": {
            "/v1/items": {"get": {"operationId": "list_items", "tags": ["items"], "x-bianmin-public": True,
                                  "responses": {"200": {"content": {"application/json": {
                                      "schema": {"$ref": "#/components/schemas/ItemRead"}}}}}}},
            "/healthz": {"get": {"operationId": "healthz", "responses": {"200": {"description": "ok"}}}},
        },
        "components": {"schemas": {
            "ItemRead": {"type": "object", "properties": {"kind": {"$ref": "#/components/schemas/Kind"}},
                         "discriminator": {"propertyName": "kind", "mapping": {"a": "#/components/schemas/Kind"}}},
            "Kind": {"type": "string"},
        }},
    }


def test_merging_prefixes_paths_and_namespaces_schemas_without_clashes() -> None:
    gateway = {"openapi": "3.1.0", "info": {"title": "Bianmin", "version": "1"}, "paths": {"/healthz": {}},
               "components": {"schemas": {"Problem": {"type": "object"}}}}
    merged = merge(gateway, {"catalog": service_document("catalog"), "credit": service_document("credit")},
                   ["queue"], SECURITY_REQUIREMENTS)
    assert set(merged["paths"]) == {"/healthz", "/catalog/v1/items", "/credit/v1/items"}
    schemas = merged["components"]["schemas"]
    assert {"Problem", "FieldProblem", "catalog__ItemRead", "catalog__Kind", "credit__ItemRead", "credit__Kind"} == set(schemas)
    item = schemas["catalog__ItemRead"]
    assert item["properties"]["kind"]["$ref"] == "#/components/schemas/catalog__Kind"
    assert item["discriminator"]["mapping"]["a"] == "#/components/schemas/catalog__Kind"
    op = merged["paths"]["/credit/v1/items"]["get"]
    assert op["operationId"] == "credit__list_items"
    assert op["tags"] == ["credit: items"]
    assert op["security"][0] == {}
    assert op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/credit__ItemRead"
    assert {"429", "503", "504"} <= set(op["responses"])
    assert op["responses"]["503"]["content"] == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    assert merged["x-bianmin-missing"] == ["queue"]
    assert {"name": "credit: items", "description": "Service items."} in merged["tags"]
    refs = re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(merged))
    assert all(ref in schemas for ref in refs)


async def test_openapi_json_merges_the_running_services_and_lists_the_missing(
        settings: GatewaySettings, start_upstream: Any, open_gateway: Any) -> None:
    _, catalog = start_upstream("catalog")
    _, queue = start_upstream("queue")
    async with open_gateway(settings.model_copy(update={"catalog_url": catalog.url, "queue_url": queue.url})) as (_, client):
        response = await client.get("/openapi.json")
        cached = await client.get("/openapi.json")
        own = await client.get("/openapi/gateway.json")
    assert response.status_code == 200
    document = response.json()
    assert cached.json() == document
    paths = document["paths"]
    assert "/catalog/v1/stats/overview" in paths
    assert "/queue/v1/public/echo" in paths
    assert "/admin/v1/keys" in paths
    assert "/auth/token" in paths
    assert not any(p.startswith("/catalog/healthz") for p in paths)
    schemas = document["components"]["schemas"]
    assert "catalog__Overview" in schemas
    assert "queue__Overview" in schemas
    assert "KeyCreated" in schemas
    private = paths["/queue/v1/private/echo/{rest}"]["get"]
    assert private["security"] == SECURITY_REQUIREMENTS
    assert document["x-bianmin-missing"] == ["bidding", "consult", "credit", "guarantee", "webhooks"]
    assert "/catalog/v1/stats/overview" not in own.json()["paths"]


def test_the_gateways_own_document_is_exportable() -> None:
    document = gateway_openapi()
    assert document["info"]["title"] == "Bianmin"
    assert "/auth/token" in document["paths"]
    assert "/cockpit/v1/overview" in document["paths"]
    assert set(document["components"]["securitySchemes"]) == {"ApiKey", "Bearer", "OAuth2", "SubjectToken",
                                                             "CitizenAssertion"}
    for path in ("/auth/login", "/auth/refresh", "/auth/logout", "/auth/oidc", "/admin/v1/accounts",
                 "/admin/v1/keys/{key_id}/citizen-assertion-key"):
        assert path in document["paths"], path
    assert "423" in document["paths"]["/auth/login"]["post"]["responses"]
    assert not any("{path}" in p for p in document["paths"])


async def test_docs_work_offline(settings: GatewaySettings, open_gateway: Any) -> None:
    async with open_gateway(settings) as (_, client):
        page = await client.get("/docs")
        script = await client.get("/docs/assets/swagger-ui-bundle.js")
        css = await client.get("/docs/assets/swagger-ui.css")
        missing = await client.get("/docs/assets/../../etc/passwd")
        unknown = await client.get("/docs/assets/other.js")
    assert page.status_code == 200
    assert "/openapi.json" in page.text
    assert "http://" not in page.text
    assert "https://" not in page.text
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.text
    assert css.headers["content-type"].startswith("text/css")
    assert missing.status_code == 404
    assert unknown.status_code == 404


async def test_docs_run_no_inline_script_under_a_same_origin_policy(settings: GatewaySettings, open_gateway: Any) -> None:
    async with open_gateway(settings) as (_, client):
        page = await client.get("/docs")
        urls, inline = page_references(page.text)
        loaded = {url: await client.get(url) for url in urls}
    assert external_references(page.text) == []
    assert inline == []
    assert {url: r.status_code for url, r in loaded.items()} == dict.fromkeys(urls, 200)
    csp = csp_directives(page.headers["content-security-policy"])
    assert csp["script-src"] == ["'self'"]
    assert csp["connect-src"] == ["'self'"]
    assert '"persistAuthorization": true' in html.unescape(page.text)
