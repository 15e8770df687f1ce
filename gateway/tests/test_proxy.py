"""Routing to the services: paths, the signed identity, the headers that cross and those that don't."""

from __future__ import annotations

import re
from typing import Any

from bianmin.gateway.settings import GatewaySettings
from bianmin.kit.identity import Principal, audience_of, mint_token

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def headers_of(body: dict[str, Any]) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {}
    for name, value in body["headers"]:
        seen.setdefault(name, []).append(value)
    return seen


async def test_a_request_reaches_the_named_service_with_the_callers_signed_identity(
        settings: GatewaySettings, start_upstream: Any, open_gateway: Any, make_key: Any) -> None:
    _, catalog = start_upstream("catalog")
    _, queue = start_upstream("queue")
    settings = settings.model_copy(update={"catalog_url": catalog.url, "queue_url": queue.url})
    async with open_gateway(settings) as (app, client):
        key = await make_key(app, ["queue:write"], tenant="huaqiao", name="township clerk")
        response = await client.post("/queue/v1/private/echo/tickets?hall=H1&line=A", content=b'{"x":1}',
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    assert response.status_code == 200
    body = response.json()
    assert body["service"] == "queue"
    assert body["method"] == "POST"
    assert body["path"] == "/v1/private/echo/tickets"
    assert body["query"] == "hall=H1&line=A"
    assert body["body"] == '{"x":1}'
    key_id = key.split("_")[1]
    assert body["principal"] == {"key_id": key_id, "tenant": "huaqiao", "scopes": ["queue:write"], "anonymous": False}


async def test_a_caller_without_credentials_is_forwarded_as_anonymous(
        settings: GatewaySettings, start_upstream: Any, open_gateway: Any) -> None:
    _, catalog = start_upstream("catalog")
    async with open_gateway(settings.model_copy(update={"catalog_url": catalog.url})) as (_, client):
        public = await client.get("/catalog/v1/public/echo")
        private = await client.get("/catalog/v1/private/echo/x")
    assert public.status_code == 200
    assert public.json()["principal"]["anonymous"] is True
    assert private.status_code == 401
    assert private.json()["code"] == "credentials_required"


async def test_a_forged_identity_header_from_a_client_is_replaced(
        settings: GatewaySettings, start_upstream: Any, open_gateway: Any) -> None:
    _, catalog = start_upstream("catalog")
    root = Principal(key_id="root", tenant="*", scopes=frozenset({"admin"}))
    forged = mint_token(root, "a-guessed-secret-that-is-long-enough-for-hs256", audience=audience_of("catalog"))
    async with open_gateway(settings.model_copy(update={"catalog_url": catalog.url})) as (_, client):
        response = await client.get("/catalog/v1/public/echo", headers={"X-Bianmin-Identity": forged})
    body = response.json()
    assert body["principal"]["anonymous"] is True
    assert headers_of(body)["x-bianmin-identity"] != [forged]


async def test_request_id_trace_and_forwarding_headers_cross_and_credentials_do_not(
        settings: GatewaySettings, start_upstream: Any, open_gateway: Any, make_key: Any) -> None:
    _, catalog = start_upstream("catalog")
    async with open_gateway(settings.model_copy(update={"catalog_url": catalog.url})) as (app, client):
        key = await make_key(app, [])
        response = await client.get("/catalog/v1/public/echo", headers={
            "X-Request-ID": "req-42", "traceparent": TRACEPARENT, "X-API-Key": key,
            "X-Forwarded-For": "6.6.6.6", "Connection": "keep-alive, X-Secret-Hop", "X-Secret-Hop": "1",
            "X-Custom": "kept"})
    assert response.headers["x-request-id"] == "req-42"
    seen = headers_of(response.json())
    assert seen["x-request-id"] == ["req-42"]
    assert seen["traceparent"] == [TRACEPARENT]
    assert seen["x-forwarded-for"] == ["127.0.0.1"]
    assert seen["x-forwarded-proto"] == ["http"]
    assert seen["x-forwarded-host"] == ["gateway.test"]
    assert seen["x-custom"] == ["kept"]
    assert "x-api-key" not in seen
    assert "authorization" not in seen
    assert "x-secret-hop" not in seen


async def test_a_generated_request_id_is_returned_and_forwarded(
        settings: GatewaySettings, start_upstream: Any, open_gateway: Any) -> None:
    _, catalog = start_upstream("catalog")
    async with open_gateway(settings.model_copy(update={"catalog_url": catalog.url})) as (_, client):
        response = await client.get("/catalog/v1/public/echo")
    generated = response.headers["x-request-id"]
    seen = headers_of(response.json())
    assert seen["x-request-id"] == [generated]
    assert re.match(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$", seen["traceparent"][0])


async def test_forwarded_for_is_appended_only_behind_a_trusted_proxy(
        settings: GatewaySettings, start_upstream: Any, open_gateway: Any) -> None:
    _, catalog = start_upstream("catalog")
    trusting = settings.model_copy(update={"catalog_url": catalog.url, "trusted_proxies": ["127.0.0.0/8"]})
    async with open_gateway(trusting) as (_, client):
        response = await client.get("/catalog/v1/public/echo", headers={"X-Forwarded-For": "203.0.113.7"})
    assert headers_of(response.json())["x-forwarded-for"] == ["203.0.113.7, 127.0.0.1"]


async def test_server_timing_reports_the_gateway_and_the_upstream(
        settings: GatewaySettings, start_upstream: Any, open_gateway: Any) -> None:
    _, catalog = start_upstream("catalog")
    async with open_gateway(settings.model_copy(update={"catalog_url": catalog.url})) as (_, client):
        proxied = await client.get("/catalog/v1/public/echo")
        own = await client.get("/healthz")
    assert re.fullmatch(r"gateway;dur=\d+\.\d{2}, upstream;dur=\d+\.\d{2}", proxied.headers["server-timing"])
    assert re.fullmatch(r"gateway;dur=\d+\.\d{2}", own.headers["server-timing"])


async def test_upstream_problems_and_repeated_headers_pass_through_unchanged(
        settings: GatewaySettings, start_upstream: Any, open_gateway: Any) -> None:
    _, catalog = start_upstream("catalog")
    async with open_gateway(settings.model_copy(update={"catalog_url": catalog.url})) as (_, client):
        problem = await client.get("/catalog/v1/problem")
        cookies = await client.get("/catalog/v1/cookies")
    assert problem.status_code == 409
    assert problem.headers["content-type"] == "application/problem+json"
    assert problem.json()["code"] == "ticket_already_called"
    assert problem.json()["instance"] == "/v1/problem"
    assert cookies.headers.get_list("set-cookie") == ["a=1", "b=2"]
    assert len(cookies.headers.get_list("x-request-id")) == 1


async def test_an_unknown_service_is_404(settings: GatewaySettings, open_gateway: Any) -> None:
    async with open_gateway(settings) as (_, client):
        response = await client.get("/nosuch/v1/things")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_service"


async def test_a_body_over_the_limit_is_413(settings: GatewaySettings, start_upstream: Any, open_gateway: Any) -> None:
    upstream, catalog = start_upstream("catalog")
    limited = settings.model_copy(update={"catalog_url": catalog.url, "max_body_bytes": 1000})
    async with open_gateway(limited) as (_, client):
        response = await client.post("/catalog/v1/public/echo", content=b"x" * 2000)
    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"
    assert upstream.hits == 0


async def test_a_request_the_upstream_hop_cannot_carry_is_a_400_not_a_500(
        settings: GatewaySettings, start_upstream: Any, open_gateway: Any) -> None:
    upstream, catalog = start_upstream("catalog")
    async with open_gateway(settings.model_copy(update={"catalog_url": catalog.url})) as (_, client):
        response = await client.get("/catalog/v1/public/echo", headers={"X-Bad": "line\nbreak"})
    assert response.status_code == 400
    assert response.json()["code"] == "request_not_forwardable"
    assert upstream.hits == 0
