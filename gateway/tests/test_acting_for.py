"""Apps acting for people: a signed-in user's access token, or a citizen assertion signed with the app's key."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from fastapi import FastAPI

from bianmin.gateway.domain import assertions
from bianmin.gateway.settings import GatewaySettings
from bianmin.kit.identifiers import with_resident_id_check

PASSWORD = "correct horse battery staple"
ID_NUMBER = with_resident_id_check("33019919900307002")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def public_pem(private: Any) -> str:
    return private.public_key().public_bytes(serialization.Encoding.PEM,
                                             serialization.PublicFormat.SubjectPublicKeyInfo).decode()


async def register(app: FastAPI, key: str, private: Any, algorithm: str = "EdDSA") -> None:
    async with app.state.db.sessionmaker() as session:
        await assertions.register(session, key_id=key.split("_")[1], algorithm=algorithm, public_key=public_pem(private),
                                  registered_by="test", now=datetime.now(UTC))
        await session.commit()


def assertion(private: Any, key: str, *, algorithm: str = "EdDSA", **overrides: Any) -> str:
    now = int(time.time())
    claims = {"iss": key.split("_")[1], "sub": "user-42", "aud": "bianmin-gateway", "iat": now, "exp": now + 120,
              "jti": uuid.uuid4().hex} | overrides
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, private, algorithm=algorithm)


async def test_an_app_acts_for_a_signed_in_user_within_its_own_scopes(
        settings: GatewaySettings, start_upstream: Any, open_gateway: Any, make_key: Any, make_account: Any) -> None:
    _, credit = start_upstream("credit")
    async with open_gateway(settings.model_copy(update={"credit_url": credit.url})) as (app, client):
        key = await make_key(app, ["credit:read", "bidding:read"], tenant="330199001", name="bidder app")
        user = await make_account(app, "acme.bidder", "enterprise", parties=["91330199MA0000001X"])
        tokens = (await client.post("/auth/login", json={"username": "acme.bidder", "password": PASSWORD})).json()
        seen = await client.get("/credit/v1/private/echo/x",
                                headers=bearer(key) | {"X-Bianmin-Subject-Token": tokens["access_token"]})
        alone = await client.get("/credit/v1/private/echo/x", headers=bearer(key))
        await client.post("/auth/logout", headers=bearer(tokens["access_token"]))
        revoked = await client.get("/credit/v1/private/echo/x",
                                   headers=bearer(key) | {"X-Bianmin-Subject-Token": tokens["access_token"]})
        forged = await client.get("/credit/v1/private/echo/x",
                                  headers=bearer(key) | {"X-Bianmin-Subject-Token": tokens["access_token"][:-3] + "abc"})
        anonymous = await client.get("/credit/v1/public/echo",
                                     headers={"X-Bianmin-Subject-Token": tokens["access_token"]})
    principal = seen.json()["principal"]
    assert principal["key_id"] == key.split("_")[1]
    assert principal["tenant"] == "330199001"
    assert principal["scopes"] == ["bidding:read", "credit:read"]
    assert seen.json()["subject"]["kind"] == "enterprise"
    assert seen.json()["subject"]["id"] == f"acct:{user['id']}"
    assert seen.json()["subject"]["parties"] == ["91330199MA0000001X"]
    assert alone.json()["subject"] is None  # existing keys act as apps, as before
    for refused in (revoked, forged):
        assert refused.status_code == 401
        assert refused.json()["code"] == "subject_token_invalid"
    assert anonymous.status_code == 401


async def test_a_registered_app_acts_for_a_citizen_known_by_id_number_as_one_person(
        settings: GatewaySettings, start_upstream: Any, open_gateway: Any, make_key: Any) -> None:
    _, queue = start_upstream("queue")
    async with open_gateway(settings.model_copy(update={"queue_url": queue.url})) as (app, client):
        first_app = await make_key(app, ["queue:write"], name="app one")
        second_app = await make_key(app, ["queue:write"], name="app two")
        first_private, second_private = ed25519.Ed25519PrivateKey.generate(), ec.generate_private_key(ec.SECP256R1())
        await register(app, first_app, first_private)
        await register(app, second_app, second_private, "ES256")
        one = await client.get("/queue/v1/private/echo/x", headers=bearer(first_app) | {
            "X-Bianmin-Citizen-Assertion": assertion(first_private, first_app, id_number=ID_NUMBER, name="张三")})
        two = await client.get("/queue/v1/private/echo/x", headers=bearer(second_app) | {
            "X-Bianmin-Citizen-Assertion": assertion(second_private, second_app, algorithm="ES256", sub="zs",
                                                     id_number=ID_NUMBER.lower())})
        plain = await client.get("/queue/v1/private/echo/x", headers=bearer(first_app) | {
            "X-Bianmin-Citizen-Assertion": assertion(first_private, first_app)})
    first, second = one.json(), two.json()
    assert first["subject"]["kind"] == "citizen"
    assert first["subject"]["name"] == "张三"
    assert first["subject"]["id"] == second["subject"]["id"]
    assert first["subject"]["id"].startswith("cit:")
    assert first["principal"]["key_id"] == first_app.split("_")[1]
    assert ID_NUMBER not in one.text
    assert ID_NUMBER[:-1] not in str(first["headers"])
    assert plain.json()["subject"]["id"] == f"app:{first_app.split('_')[1]}:user-42"


async def test_bad_citizen_assertions_are_refused_each_with_its_own_code(
        settings: GatewaySettings, open_gateway: Any, make_key: Any) -> None:
    async with open_gateway(settings) as (app, client):
        key = await make_key(app, ["queue:write"], name="citizen app")
        other_key = await make_key(app, ["queue:write"], name="unregistered app")
        private, stranger = ed25519.Ed25519PrivateKey.generate(), ed25519.Ed25519PrivateKey.generate()
        await register(app, key, private)
        now = int(time.time())
        replayed = assertion(private, key)
        cases = {
            "assertion_replayed": replayed,
            "assertion_expired": assertion(private, key, iat=now - 400, exp=now - 200),
            "assertion_not_yet_valid": assertion(private, key, iat=now + 200, exp=now + 300),
            "assertion_lifetime_too_long": assertion(private, key, exp=now + 3600),
            "assertion_wrong_audience": assertion(private, key, aud="someone-else"),
            "assertion_issuer_unknown": assertion(private, key, iss="0123456789ab"),
            "assertion_signature_invalid": assertion(stranger, key),
            "assertion_invalid": assertion(private, key, jti=None),
        }
        first = await client.get("/admin/v1/keys", headers=bearer(key) | {"X-Bianmin-Citizen-Assertion": replayed})
        answers = {code: await client.get("/admin/v1/keys", headers=bearer(key) | {"X-Bianmin-Citizen-Assertion": token})
                   for code, token in cases.items()}
        unregistered = await client.get("/admin/v1/keys", headers=bearer(other_key) | {
            "X-Bianmin-Citizen-Assertion": assertion(private, other_key)})
        bad_number = await client.get("/admin/v1/keys", headers=bearer(key) | {
            "X-Bianmin-Citizen-Assertion": assertion(private, key, id_number="330199199003070021")})
    assert first.status_code == 403  # authenticated, then refused for lacking admin
    for code, answer in answers.items():
        assert answer.status_code == 401, code
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == code
    assert unregistered.status_code == 401
    assert unregistered.json()["code"] == "app_not_registered_for_citizens"
    assert bad_number.json()["code"] == "assertion_invalid"
