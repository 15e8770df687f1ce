"""Sign-in through an external OpenID Connect issuer: a local issuer with its own RSA key, its JWKS in a file."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from bianmin.gateway.settings import GatewaySettings, OidcIssuer
from bianmin.kit.identifiers import with_resident_id_check

STAFF_ISSUER = "https://idp.zj.example/staff"
CITIZEN_ISSUER = "https://idp.zj.example/citizen"
AUDIENCE = "bianmin-gateway-client"
ID_NUMBER = with_resident_id_check("33019919850101001")


class LocalIssuer:
    """An OpenID Connect issuer of the test's own: an RSA key, its JWKS written to a file, ID tokens on demand."""

    def __init__(self, folder: Path) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        self.jwks = folder / "jwks.json"
        self.jwks.write_text(json.dumps({"keys": [jwk | {"kid": "k1", "use": "sig", "alg": "RS256"}]}))

    def token(self, issuer: str = STAFF_ISSUER, key: Any = None, **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": issuer, "aud": AUDIENCE, "sub": "p-1", "iat": now, "exp": now + 300} | claims
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": "k1"})


def configured(settings: GatewaySettings, issuer: LocalIssuer) -> GatewaySettings:
    return settings.model_copy(update={"oidc_issuers": [
        OidcIssuer(issuer=STAFF_ISSUER, audience=AUDIENCE, jwks=str(issuer.jwks), kind="staff"),
        OidcIssuer(issuer=CITIZEN_ISSUER, audience=AUDIENCE, jwks=str(issuer.jwks), kind="citizen", claim="id_number"),
    ]})


async def test_a_staff_id_token_opens_a_session_for_the_account_it_names(
        settings: GatewaySettings, start_upstream: Any, open_gateway: Any, make_account: Any, tmp_path: Path) -> None:
    issuer = LocalIssuer(tmp_path)
    _, queue = start_upstream("queue")
    async with open_gateway(configured(settings, issuer).model_copy(update={"queue_url": queue.url})) as (app, client):
        account = await make_account(app, "chen.clerk", "staff", [("clerk", "330199001")])
        await make_account(app, "chen.approver", "staff", [("approver", "330199001")])
        signed_in = await client.post("/auth/oidc", json={"id_token": issuer.token(preferred_username="chen.clerk")})
        seen = await client.get("/queue/v1/private/echo/x",
                                headers={"Authorization": f"Bearer {signed_in.json()['access_token']}"})
        no_mfa = await client.post("/auth/oidc", json={"id_token": issuer.token(preferred_username="chen.approver")})
        mfa = await client.post("/auth/oidc", json={"id_token": issuer.token(preferred_username="chen.approver",
                                                                           amr=["pwd", "otp"])})
    assert signed_in.status_code == 200
    assert seen.json()["subject"]["id"] == f"acct:{account['id']}"
    assert no_mfa.status_code == 401
    assert no_mfa.json()["code"] == "second_factor_required"
    assert mfa.status_code == 200
    assert mfa.json()["second_factor"] is True


async def test_a_citizen_id_token_is_the_same_citizen_as_through_an_app(
        settings: GatewaySettings, start_upstream: Any, open_gateway: Any, tmp_path: Path) -> None:
    from bianmin.gateway.domain import assertions

    issuer = LocalIssuer(tmp_path)
    _, queue = start_upstream("queue")
    async with open_gateway(configured(settings, issuer).model_copy(update={"queue_url": queue.url})) as (app, client):
        signed_in = await client.post("/auth/oidc", json={"id_token": issuer.token(CITIZEN_ISSUER, id_number=ID_NUMBER,
                                                                                  name="陈小明")})
        seen = await client.get("/queue/v1/private/echo/x",
                                headers={"Authorization": f"Bearer {signed_in.json()['access_token']}"})
        expected = assertions.citizen_id(ID_NUMBER, app.state.citizen_secret)
    assert signed_in.status_code == 200
    assert seen.json()["subject"]["kind"] == "citizen"
    assert seen.json()["subject"]["id"] == expected
    assert seen.json()["subject"]["name"] == "陈小明"
    assert ID_NUMBER not in seen.text


async def test_bad_id_tokens_are_refused_with_a_code_each(
        settings: GatewaySettings, open_gateway: Any, make_account: Any, tmp_path: Path) -> None:
    issuer = LocalIssuer(tmp_path)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    async with open_gateway(configured(settings, issuer)) as (app, client):
        await make_account(app, "chen.clerk", "staff", [("clerk", "330199001")])
        cases = {
            "oidc_issuer_unknown": issuer.token("https://elsewhere.example", preferred_username="chen.clerk"),
            "oidc_signature_invalid": issuer.token(key=stranger, preferred_username="chen.clerk"),
            "oidc_wrong_audience": issuer.token(aud="someone-else", preferred_username="chen.clerk"),
            "oidc_token_expired": issuer.token(iat=now - 900, exp=now - 600, preferred_username="chen.clerk"),
            "oidc_account_unknown": issuer.token(preferred_username="nobody"),
            "oidc_claim_missing": issuer.token(),
            "oidc_token_invalid": "not.a.jwt",
            "oidc_signature_invalid ": jwt.encode({"iss": STAFF_ISSUER, "aud": AUDIENCE, "sub": "x", "iat": now,
                                                   "exp": now + 60, "preferred_username": "chen.clerk"},
                                                  "a-shared-secret-0123456789abcdef0123", algorithm="HS256"),
        }
        answers = {code: await client.post("/auth/oidc", json={"id_token": token}) for code, token in cases.items()}
    for code, answer in answers.items():
        assert answer.status_code == 401, code
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == code.strip()


async def test_the_jwks_may_come_from_a_url(
        settings: GatewaySettings, servers: Any, open_gateway: Any, make_account: Any, tmp_path: Path) -> None:
    from fastapi import FastAPI

    issuer = LocalIssuer(tmp_path)
    idp = FastAPI()
    keys = json.loads(issuer.jwks.read_text())

    @idp.get("/jwks")
    async def jwks() -> dict[str, Any]:
        return keys

    served = servers(idp)
    configured_url = settings.model_copy(update={"oidc_issuers": [
        OidcIssuer(issuer=STAFF_ISSUER, audience=AUDIENCE, jwks=f"{served.url}/jwks")]})
    async with open_gateway(configured_url) as (app, client):
        await make_account(app, "chen.clerk", "staff", [("clerk", "330199001")])
        signed_in = await client.post("/auth/oidc", json={"id_token": issuer.token(preferred_username="chen.clerk")})
        forged = await client.post("/auth/oidc", json={"id_token": issuer.token(
            key=rsa.generate_private_key(public_exponent=65537, key_size=2048), preferred_username="chen.clerk")})
    assert signed_in.status_code == 200
    assert forged.status_code == 401
    assert forged.json()["code"] == "oidc_signature_invalid"
