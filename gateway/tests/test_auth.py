"""Authentication: API keys shown once and stored hashed, the admin API, OAuth2 client credentials."""

from __future__ import annotations

import base64
import time
from typing import Any

import pytest
from sqlalchemy import text

from bianmin.gateway.domain import tokens
from bianmin.gateway.settings import GatewaySettings


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_missing_or_wrong_credentials_on_own_routes_are_401_with_a_challenge(
        settings: GatewaySettings, open_gateway: Any, make_key: Any) -> None:
    async with open_gateway(settings) as (app, client):
        key = await make_key(app, ["admin"])
        wrong_secret = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
        missing = await client.get("/admin/v1/keys")
        wrong = await client.get("/admin/v1/keys", headers=bearer(wrong_secret))
        garbage = await client.get("/admin/v1/keys", headers={"X-API-Key": "bm_nothing"})
        malformed = await client.get("/admin/v1/keys", headers={"Authorization": "Token abc"})
        right = await client.get("/admin/v1/keys", headers={"X-API-Key": key})
    for refused in (missing, wrong, garbage, malformed):
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["www-authenticate"].startswith('Bearer realm="bianmin"')
    assert missing.json()["code"] == "credentials_required"
    assert wrong.json()["code"] == "credentials_invalid"
    assert 'error="invalid_token"' in wrong.headers["www-authenticate"]
    assert right.status_code == 200


async def test_a_wrong_key_on_a_proxied_route_is_401_not_anonymous(
        settings: GatewaySettings, start_upstream: Any, open_gateway: Any) -> None:
    upstream, catalog = start_upstream("catalog")
    async with open_gateway(settings.model_copy(update={"catalog_url": catalog.url})) as (_, client):
        response = await client.get("/catalog/v1/public/echo", headers=bearer("bm_0123456789ab_" + "x" * 43))
    assert response.status_code == 401
    assert upstream.hits == 0


async def test_a_key_without_the_scope_is_403(settings: GatewaySettings, open_gateway: Any, make_key: Any) -> None:
    async with open_gateway(settings) as (app, client):
        clerk = await make_key(app, ["queue:write"])
        keys = await client.get("/admin/v1/keys", headers=bearer(clerk))
        cockpit = await client.get("/cockpit/v1/overview", headers=bearer(clerk))
    assert keys.status_code == 403
    assert keys.json()["code"] == "scope_missing"
    assert cockpit.status_code == 403


async def test_a_key_is_shown_once_and_stored_only_as_a_hash(
        settings: GatewaySettings, open_gateway: Any, make_key: Any) -> None:
    async with open_gateway(settings) as (app, client):
        admin = await make_key(app, ["admin"])
        created = await client.post("/admin/v1/keys", headers=bearer(admin), json={
            "name": "华侨镇 window app", "tenant": "huaqiao", "scopes": ["queue:write", "queue:read"],
            "rate_limit": "100/minute"})
        assert created.status_code == 201
        body = created.json()
        key = body["key"]
        key_id, secret = key.split("_")[1], key.split("_")[2]
        listed = await client.get("/admin/v1/keys", headers=bearer(admin))
        one = await client.get(f"/admin/v1/keys/{key_id}", headers=bearer(admin))
        works = await client.get("/admin/v1/keys", headers=bearer(key))
        async with app.state.db.engine.connect() as connection:
            rows = (await connection.execute(text("SELECT * FROM api_key"))).all()
    assert key.startswith(f"bm_{body['id']}_")
    assert len(secret) == 43
    assert body["scopes"] == ["queue:read", "queue:write"]
    assert works.status_code == 403  # authenticated (not 401) but without the admin scope
    assert all("key" not in item for item in listed.json()["items"])
    assert key not in listed.text
    assert secret not in one.text
    dumped = repr(rows)
    assert secret not in dumped
    assert key not in dumped
    assert len(rows) == 2


async def test_a_revoked_key_is_refused_at_once(settings: GatewaySettings, open_gateway: Any, make_key: Any) -> None:
    async with open_gateway(settings) as (app, client):
        admin = await make_key(app, ["admin"])
        other = await make_key(app, ["admin"])
        assert (await client.get("/admin/v1/keys", headers=bearer(other))).status_code == 200
        revoked = await client.post(f"/admin/v1/keys/{other.split('_')[1]}/revoke", headers=bearer(admin))
        after = await client.get("/admin/v1/keys", headers=bearer(other))
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert after.status_code == 401


async def test_a_township_admin_manages_only_its_own_tenant(
        settings: GatewaySettings, open_gateway: Any, make_key: Any) -> None:
    async with open_gateway(settings) as (app, client):
        district = await make_key(app, ["admin"], tenant="*")
        township = await make_key(app, ["admin"], tenant="huaqiao")
        elsewhere = await client.post("/admin/v1/keys", headers=bearer(township),
                                      json={"name": "x", "tenant": "lujia", "scopes": []})
        everywhere = await client.post("/admin/v1/keys", headers=bearer(township),
                                       json={"name": "x", "tenant": "*", "scopes": []})
        own = await client.post("/admin/v1/keys", headers=bearer(township),
                                json={"name": "x", "tenant": "huaqiao", "scopes": []})
        district_id = district.split("_")[1]
        peek = await client.get(f"/admin/v1/keys/{district_id}", headers=bearer(township))
        listed = await client.get("/admin/v1/keys", headers=bearer(township))
    assert elsewhere.status_code == 403
    assert everywhere.status_code == 403
    assert own.status_code == 201
    assert peek.status_code == 404
    assert {item["tenant"] for item in listed.json()["items"]} == {"huaqiao"}


async def test_invalid_key_requests_name_the_field(settings: GatewaySettings, open_gateway: Any, make_key: Any) -> None:
    async with open_gateway(settings) as (app, client):
        admin = await make_key(app, ["admin"])
        response = await client.post("/admin/v1/keys", headers=bearer(admin),
                                      json={"name": "x", "tenant": "bad tenant!", "scopes": ["Not A Scope"],
                                            "rate_limit": "lots"})
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"tenant", "scopes.0", "rate_limit"} <= fields


async def test_key_listing_pages_with_a_cursor(settings: GatewaySettings, open_gateway: Any, make_key: Any) -> None:
    async with open_gateway(settings) as (app, client):
        admin = await make_key(app, ["admin"])
        for n in range(4):
            await make_key(app, [], name=f"k{n}")
        first = await client.get("/admin/v1/keys", params={"limit": 3}, headers=bearer(admin))
        second = await client.get("/admin/v1/keys", params={"limit": 3, "cursor": first.json()["next_cursor"]},
                                  headers=bearer(admin))
    ids = [i["id"] for i in first.json()["items"]] + [i["id"] for i in second.json()["items"]]
    assert len(ids) == 5
    assert len(set(ids)) == 5
    assert second.json()["next_cursor"] is None


async def test_oauth2_client_credentials_flow(
        settings: GatewaySettings, start_upstream: Any, open_gateway: Any, make_key: Any) -> None:
    _, queue = start_upstream("queue")
    async with open_gateway(settings.model_copy(update={"queue_url": queue.url})) as (app, client):
        admin = await make_key(app, ["admin"])
        created = await client.post("/admin/v1/clients", headers=bearer(admin), json={
            "name": "township hall system", "tenant": "huaqiao", "scopes": ["queue:read", "queue:write"]})
        assert created.status_code == 201
        client_id, secret = created.json()["client_id"], created.json()["client_secret"]
        issued = await client.post("/auth/token", data={"grant_type": "client_credentials", "client_id": client_id,
                                                        "client_secret": secret, "scope": "queue:read"})
        assert issued.status_code == 200
        assert issued.headers["cache-control"] == "no-store"
        grant = issued.json()
        forwarded = await client.get("/queue/v1/private/echo/x", headers=bearer(grant["access_token"]))
        basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        by_basic = await client.post("/auth/token", data={"grant_type": "client_credentials"},
                                     headers={"Authorization": f"Basic {basic}"})
        listed = await client.get("/admin/v1/clients", headers=bearer(admin))
    assert grant["token_type"] == "Bearer"
    assert grant["scope"] == "queue:read"
    assert 0 < grant["expires_in"] <= 900
    assert forwarded.status_code == 200
    assert forwarded.json()["principal"] == {"key_id": client_id, "tenant": "huaqiao", "scopes": ["queue:read"],
                                             "anonymous": False}
    assert by_basic.status_code == 200
    assert by_basic.json()["scope"] == "queue:read queue:write"
    assert secret not in listed.text


async def test_the_token_endpoint_refuses_bad_requests_the_oauth2_way(
        settings: GatewaySettings, open_gateway: Any, make_key: Any) -> None:
    async with open_gateway(settings) as (app, client):
        admin = await make_key(app, ["admin"])
        created = (await client.post("/admin/v1/clients", headers=bearer(admin),
                                     json={"name": "c", "tenant": "*", "scopes": ["queue:read"]})).json()
        form = {"grant_type": "client_credentials", "client_id": created["client_id"]}
        wrong = await client.post("/auth/token", data={**form, "client_secret": "nope"})
        grant = await client.post("/auth/token", data={**form, "client_secret": created["client_secret"], "grant_type": "password"})
        scope = await client.post("/auth/token", data={**form, "client_secret": created["client_secret"], "scope": "admin"})
        await client.post(f"/admin/v1/clients/{created['client_id']}/revoke", headers=bearer(admin))
        revoked = await client.post("/auth/token", data={**form, "client_secret": created["client_secret"]})
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    assert wrong.headers["content-type"] == "application/problem+json"
    assert grant.status_code == 400
    assert grant.json()["error"] == "unsupported_grant_type"
    assert scope.status_code == 400
    assert scope.json()["error"] == "invalid_scope"
    assert revoked.status_code == 401


async def test_expired_forged_and_revoked_tokens_are_401(
        settings: GatewaySettings, open_gateway: Any, make_key: Any) -> None:
    secret = settings.token_signing_secret.get_secret_value()
    async with open_gateway(settings) as (app, client):
        admin = await make_key(app, ["admin"])
        created = (await client.post("/admin/v1/clients", headers=bearer(admin),
                                     json={"name": "c", "tenant": "*", "scopes": ["cockpit:read", "admin"]})).json()
        client_id = created["client_id"]
        expired = tokens.issue(client_id=client_id, tenant="*", scopes=frozenset({"admin"}), secret=secret,
                               ttl_seconds=60, now=time.time() - 3600)
        forged = tokens.issue(client_id=client_id, tenant="*", scopes=frozenset({"admin"}),
                              secret="another-secret-that-is-long-enough-for-hs256", ttl_seconds=60)
        fresh = tokens.issue(client_id=client_id, tenant="*", scopes=frozenset({"admin"}), secret=secret, ttl_seconds=60)
        inside = await client.get("/admin/v1/clients", headers=bearer(fresh))
        too_late = await client.get("/admin/v1/clients", headers=bearer(expired))
        not_ours = await client.get("/admin/v1/clients", headers=bearer(forged))
        await client.post(f"/admin/v1/clients/{client_id}/revoke", headers=bearer(admin))
        after_revoke = await client.get("/admin/v1/clients", headers=bearer(fresh))
    assert inside.status_code == 200
    assert too_late.status_code == 401
    assert too_late.json()["code"] == "token_expired"
    assert 'error="invalid_token"' in too_late.headers["www-authenticate"]
    assert not_ours.status_code == 401
    assert not_ours.json()["code"] == "token_invalid"
    assert after_revoke.status_code == 401


async def test_an_internal_identity_token_is_no_access_token(
        settings: GatewaySettings, open_gateway: Any) -> None:
    from bianmin.kit.identity import Principal, audience_of, mint_token

    internal = mint_token(Principal(key_id="x", tenant="*", scopes=frozenset({"admin"})),
                          settings.internal_secret.get_secret_value(), audience=audience_of("catalog"))
    async with open_gateway(settings) as (_, client):
        response = await client.get("/admin/v1/keys", headers=bearer(internal))
    assert response.status_code == 401


@pytest.mark.parametrize(("granter_tenant", "granter_scopes", "tenant", "scopes", "refusal"), [
    ("huaqiao", ["admin"], "huaqiao", ["queue:write", "admin", "consult:dept:SCJ"], None),
    ("huaqiao", ["admin"], "huaqiao", ["guarantee:issuer:PICC"], "party_scope_needs_operator"),
    ("huaqiao", ["admin"], "huaqiao", ["guarantee:applicant:91330199MA0000001W"], "party_scope_needs_operator"),
    ("huaqiao", ["admin"], "*", ["queue:read"], "tenant_mismatch"),
    ("huaqiao", ["queue:write"], "huaqiao", ["bidding:write"], "scope_not_held"),
    ("huaqiao", ["queue:*"], "huaqiao", ["queue:read", "queue:write"], None),
    ("*", ["admin"], "huaqiao", ["guarantee:issuer:PICC", "bidding:bidder:91330199MA0000001W"], None),
    ("*", ["guarantee:issuer:PICC"], "*", ["guarantee:issuer:PICC"], None),
    ("*", ["guarantee:issuer:PICC"], "*", ["guarantee:issuer:BOC"], "party_scope_needs_operator"),
])
def test_a_key_grants_only_what_it_holds(granter_tenant: str, granter_scopes: list[str], tenant: str,
                                         scopes: list[str], refusal: str | None) -> None:
    from bianmin.gateway.domain.credentials import ensure_may_grant
    from bianmin.kit.errors import Forbidden
    from bianmin.kit.identity import Principal

    granter = Principal(key_id="g", tenant=granter_tenant, scopes=frozenset(granter_scopes))
    if refusal is None:
        ensure_may_grant(granter, tenant=tenant, scopes=scopes)
        return
    with pytest.raises(Forbidden) as refused:
        ensure_may_grant(granter, tenant=tenant, scopes=scopes)
    assert refused.value.code == refusal
