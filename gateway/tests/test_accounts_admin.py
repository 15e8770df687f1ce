"""Managing accounts: operators everywhere, township admins their own staff, secrets shown once, changes end sessions."""

from __future__ import annotations

from typing import Any

import pyotp
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from sqlalchemy import text

from bianmin.gateway.settings import GatewaySettings
from bianmin.kit.identifiers import with_uscc_check

CODE = with_uscc_check("91330199MA0000007")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def clerk(site: str = "330199001", username: str = "ma.clerk") -> dict[str, Any]:
    return {"username": username, "kind": "staff", "display_name": "马 clerk", "roles": [{"role": "clerk", "site": site}]}


async def test_an_operator_creates_an_account_which_then_signs_in(
        settings: GatewaySettings, open_gateway: Any, make_key: Any) -> None:
    async with open_gateway(settings) as (app, client):
        admin = await make_key(app, ["admin"])
        created = await client.post("/admin/v1/accounts", headers=bearer(admin), json=clerk())
        body = created.json()
        signed_in = await client.post("/auth/login", json={"username": "ma.clerk", "password": body["password"]})
        listed = await client.get("/admin/v1/accounts", headers=bearer(admin))
        taken = await client.post("/admin/v1/accounts", headers=bearer(admin), json=clerk())
    assert created.status_code == 201
    assert body["roles"] == [{"role": "clerk", "site": "330199001", "department": None}]
    assert body["totp_enrolled"] is False
    assert len(body["password"]) >= 16
    assert signed_in.status_code == 200
    assert [a["username"] for a in listed.json()["items"]] == ["ma.clerk"]
    assert "password" not in listed.json()["items"][0]
    assert taken.status_code == 409


async def test_unknown_roles_and_roles_of_another_kind_are_422_and_create_nothing(
        settings: GatewaySettings, open_gateway: Any, make_key: Any) -> None:
    async with open_gateway(settings) as (app, client):
        admin = await make_key(app, ["admin"])
        unknown = await client.post("/admin/v1/accounts", headers=bearer(admin),
                                    json=clerk() | {"roles": [{"role": "emperor", "site": "*"}]})
        wrong_kind = await client.post("/admin/v1/accounts", headers=bearer(admin),
                                       json=clerk() | {"roles": [{"role": "expert", "site": "*"}]})
        bad_site = await client.post("/admin/v1/accounts", headers=bearer(admin), json=clerk(site="huaqiao"))
        listed = await client.get("/admin/v1/accounts", headers=bearer(admin))
    assert unknown.status_code == wrong_kind.status_code == bad_site.status_code == 422
    assert unknown.json()["code"] == "role_unknown"
    assert wrong_kind.json()["code"] == "role_not_for_kind"
    assert unknown.json()["errors"][0]["field"] == "roles[0].role"
    assert listed.json()["items"] == []


async def test_a_township_admin_manages_only_staff_of_its_own_sites(
        settings: GatewaySettings, open_gateway: Any, make_key: Any, make_account: Any) -> None:
    async with open_gateway(settings) as (app, client):
        township = await make_key(app, ["admin"], tenant="330199001")
        other = await make_account(app, "other.clerk", "staff", [("clerk", "330199002")])
        mine = await client.post("/admin/v1/accounts", headers=bearer(township), json=clerk("330199001001"))
        elsewhere = await client.post("/admin/v1/accounts", headers=bearer(township), json=clerk("330199002", "x.clerk"))
        district = await client.post("/admin/v1/accounts", headers=bearer(township), json=clerk("*", "y.clerk"))
        expert = await client.post("/admin/v1/accounts", headers=bearer(township), json={
            "username": "an.expert", "kind": "expert", "display_name": "专家", "roles": [{"role": "expert", "site": "*"}]})
        listed = await client.get("/admin/v1/accounts", headers=bearer(township))
        other_read = await client.get(f"/admin/v1/accounts/{other['id']}", headers=bearer(township))
        moved = await client.put(f"/admin/v1/accounts/{mine.json()['id']}/roles", headers=bearer(township),
                                 json={"roles": [{"role": "clerk", "site": "330199002"}]})
    assert mine.status_code == 201
    assert elsewhere.status_code == 403
    assert elsewhere.json()["code"] == "tenant_mismatch"
    assert district.status_code == 403
    assert expert.status_code == 403
    assert [a["username"] for a in listed.json()["items"]] == ["ma.clerk"]
    assert other_read.status_code == 404
    assert moved.status_code == 403


async def test_disabling_or_changing_roles_ends_the_sessions_at_once(
        settings: GatewaySettings, open_gateway: Any, make_key: Any, make_account: Any) -> None:
    async with open_gateway(settings) as (app, client):
        admin = await make_key(app, ["admin"])
        viewer = await make_account(app, "he.viewer", "staff", [("cockpit_viewer", "*")])
        login = {"username": "he.viewer", "password": viewer["password"]}
        first = (await client.post("/auth/login", json=login)).json()["access_token"]
        await client.put(f"/admin/v1/accounts/{viewer['id']}/roles", headers=bearer(admin),
                         json={"roles": [{"role": "clerk", "site": "330199001"}]})
        after_roles = await client.get("/admin/v1/keys", headers=bearer(first))
        second = (await client.post("/auth/login", json=login)).json()["access_token"]
        await client.post(f"/admin/v1/accounts/{viewer['id']}/disable", headers=bearer(admin))
        after_disable = await client.get("/admin/v1/keys", headers=bearer(second))
        refused = await client.post("/auth/login", json=login)
        await client.post(f"/admin/v1/accounts/{viewer['id']}/enable", headers=bearer(admin))
        again = await client.post("/auth/login", json=login)
    assert after_roles.status_code == after_disable.status_code == 401
    assert refused.status_code == 401
    assert refused.json()["code"] == "sign_in_failed"
    assert again.status_code == 200


async def test_totp_enrolment_and_password_reset_show_their_secret_once(
        settings: GatewaySettings, open_gateway: Any, make_key: Any, make_account: Any) -> None:
    async with open_gateway(settings) as (app, client):
        admin = await make_key(app, ["admin"])
        approver = await make_account(app, "lu.approver", "staff", [("approver", "330199001")])
        enrolled = (await client.post(f"/admin/v1/accounts/{approver['id']}/totp", headers=bearer(admin))).json()
        reset = (await client.post(f"/admin/v1/accounts/{approver['id']}/password", headers=bearer(admin), json={})).json()
        code = pyotp.parse_uri(enrolled["otpauth_uri"]).now()
        old = await client.post("/auth/login", json={"username": "lu.approver", "password": approver["password"],
                                                    "totp": code})
        new = await client.post("/auth/login", json={"username": "lu.approver", "password": reset["password"],
                                                    "totp": code})
        read = await client.get(f"/admin/v1/accounts/{approver['id']}", headers=bearer(admin))
    assert enrolled["otpauth_uri"].startswith("otpauth://totp/Bianmin:lu.approver?")
    assert old.status_code == 401
    assert new.status_code == 200
    assert read.json()["totp_enrolled"] is True
    assert enrolled["secret"] not in read.text
    assert reset["password"] not in read.text


async def test_only_an_operator_binds_a_party_and_the_bound_code_reaches_the_subject(
        settings: GatewaySettings, start_upstream: Any, open_gateway: Any, make_key: Any, make_account: Any) -> None:
    _, bidding = start_upstream("bidding")
    async with open_gateway(settings.model_copy(update={"bidding_url": bidding.url})) as (app, client):
        operator = await make_key(app, ["admin"])
        township = await make_key(app, ["admin"], tenant="330199001")
        firm = await make_account(app, "acme", "enterprise")
        url = f"/admin/v1/accounts/{firm['id']}/parties"
        proof = {"code": CODE, "evidence": "licence seen; legal representative called back"}
        by_township = await client.post(url, headers=bearer(township), json=proof)
        bad_code = await client.post(url, headers=bearer(operator), json=proof | {"code": "91330199MA00000070"})
        bound = await client.post(url, headers=bearer(operator), json=proof)
        tokens = (await client.post("/auth/login", json={"username": "acme", "password": firm["password"]})).json()
        seen = await client.get("/bidding/v1/private/echo/x", headers=bearer(tokens["access_token"]))
    assert by_township.status_code == 403
    assert bad_code.status_code == 422
    assert bound.status_code == 201
    assert bound.json()["verified_by"].startswith("key:")
    assert seen.json()["subject"]["parties"] == [CODE]


async def test_an_operator_account_manages_accounts_and_registers_citizen_keys(
        settings: GatewaySettings, open_gateway: Any, make_key: Any, make_account: Any) -> None:
    async with open_gateway(settings) as (app, client):
        operator = await make_account(app, "root", "operator", [("operator", "*")], totp=True)
        app_key = await make_key(app, ["queue:write"], name="citizen app")
        key_id = app_key.split("_")[1]
        tokens = (await client.post("/auth/login", json={
            "username": "root", "password": operator["password"],
            "totp": pyotp.TOTP(operator["totp_secret"]).now()})).json()
        pem = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        rsa_pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        created = await client.post("/admin/v1/accounts", headers=bearer(tokens["access_token"]), json=clerk())
        url = f"/admin/v1/keys/{key_id}/citizen-assertion-key"
        registered = await client.put(url, headers=bearer(tokens["access_token"]),
                                      json={"algorithm": "EdDSA", "public_key": pem})
        wrong_type = await client.put(url, headers=bearer(tokens["access_token"]),
                                      json={"algorithm": "EdDSA", "public_key": rsa_pem})
        garbage = await client.put(url, headers=bearer(tokens["access_token"]),
                                   json={"algorithm": "ES256", "public_key": "not a key"})
        unknown_key = await client.put("/admin/v1/keys/000000000000/citizen-assertion-key",
                                       headers=bearer(tokens["access_token"]), json={"algorithm": "EdDSA", "public_key": pem})
        read = await client.get(url, headers=bearer(tokens["access_token"]))
        async with app.state.db.engine.connect() as connection:
            stored = (await connection.execute(text("SELECT algorithm FROM citizen_assertion_key"))).scalars().all()
    assert created.status_code == 201
    assert registered.status_code == 200
    assert registered.json()["registered_by"] == f"acct:{operator['id']} (root 同志)"
    assert wrong_type.status_code == garbage.status_code == 422
    assert unknown_key.status_code == 404
    assert read.json()["public_key"] == pem
    assert stored == ["EdDSA"]
