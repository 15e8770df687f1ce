"""Issue 17, finding 7: failed authentication is limited per client address and per key or client id.

Wrong, unknown or revoked keys, bad access tokens and wrong client secrets count against the
address they come from and against the key id or client id they name; past either limit the
gateway answers 429 with ``Retry-After`` before it checks the credential at all. Successful
requests are not counted.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx

from bianmin.gateway.app import create_app
from bianmin.gateway.domain import credentials
from bianmin.gateway.settings import GatewaySettings
from bianmin.testing.client import running


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def wrong_secret_for(key: str) -> str:
    """The same key id with another secret."""
    key_id = key.split("_")[1]
    return f"bm_{key_id}_{''.join(secrets.choice(string.ascii_letters) for _ in range(43))}"


def unknown_key() -> str:
    return wrong_secret_for(f"bm_{secrets.token_hex(6)}_x")


@asynccontextmanager
async def gateway(settings: GatewaySettings) -> AsyncIterator[tuple[Any, Callable[[str], httpx.AsyncClient]]]:
    """A running gateway and a factory of in-process clients, each calling from the address it names."""
    app = create_app(settings)
    opened: list[httpx.AsyncClient] = []

    def client_from(address: str) -> httpx.AsyncClient:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 40000)),
                                   base_url="http://gateway.test")
        opened.append(client)
        return client

    async with running(app):
        try:
            yield app, client_from
        finally:
            for client in opened:
                await client.aclose()


async def test_wrong_keys_from_one_address_get_429_and_a_good_key_elsewhere_still_works(
        settings: GatewaySettings, make_key: Any) -> None:
    limited = settings.model_copy(update={"auth_failure_rate_limit": "5/minute",
                                          "auth_failure_credential_rate_limit": "100/minute"})
    async with gateway(limited) as (app, client_from):
        admin = await make_key(app, ["admin"])
        attacker, elsewhere = client_from("203.0.113.7"), client_from("198.51.100.20")
        guesses = [(await attacker.get("/admin/v1/keys", headers=bearer(unknown_key()))) for _ in range(6)]
        # Past the limit even a good key from that address is refused unchecked.
        unchecked = await attacker.get("/admin/v1/keys", headers=bearer(admin))
        good = await elsewhere.get("/admin/v1/keys", headers=bearer(admin))
        metrics = (await elsewhere.get("/metrics", headers=bearer(admin))).text
    assert [g.status_code for g in guesses] == [401] * 5 + [429]
    refused = guesses[5]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "auth_failures"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert unchecked.status_code == 429
    assert good.status_code == 200
    assert 'bianmin_gateway_rate_limited_total{caller="auth_failure"}' in metrics


async def test_wrong_secrets_for_one_key_id_from_many_addresses_limit_that_key_id(
        settings: GatewaySettings, make_key: Any) -> None:
    limited = settings.model_copy(update={"auth_failure_rate_limit": "100/minute",
                                          "auth_failure_credential_rate_limit": "3/minute"})
    async with gateway(limited) as (app, client_from):
        target = await make_key(app, ["admin"])
        other = await make_key(app, ["admin"])
        answers = [await client_from(f"192.0.2.{n}").get("/admin/v1/keys", headers=bearer(wrong_secret_for(target)))
                   for n in range(1, 6)]
        another_id = await client_from("192.0.2.50").get("/admin/v1/keys", headers=bearer(wrong_secret_for(other)))
        other_good = await client_from("192.0.2.51").get("/admin/v1/keys", headers=bearer(other))
    assert [a.status_code for a in answers] == [401, 401, 401, 429, 429]
    assert answers[3].json()["code"] == "auth_failures"
    assert "retry-after" in answers[3].headers
    assert another_id.status_code == 401, "another key id has its own count"
    assert other_good.status_code == 200


async def test_successful_requests_are_not_counted(settings: GatewaySettings, make_key: Any) -> None:
    limited = settings.model_copy(update={"auth_failure_rate_limit": "3/minute", "auth_cache_seconds": 0})
    async with gateway(limited) as (app, client_from):
        admin = await make_key(app, ["admin"])
        client = client_from("203.0.113.8")
        good = [(await client.get("/admin/v1/keys", headers=bearer(admin))).status_code for _ in range(10)]
        bad = [(await client.get("/admin/v1/keys", headers=bearer(unknown_key()))).status_code for _ in range(4)]
    assert good == [200] * 10
    assert bad == [401, 401, 401, 429]


async def test_bad_access_tokens_count_against_the_address(settings: GatewaySettings) -> None:
    limited = settings.model_copy(update={"auth_failure_rate_limit": "3/minute"})
    async with gateway(limited) as (_, client_from):
        client = client_from("203.0.113.9")
        forged = [(await client.get("/admin/v1/keys", headers=bearer("eyJhbGciOiJIUzI1NiJ9.e30.forged"))).status_code
                  for _ in range(4)]
        other = await client_from("203.0.113.10").get("/admin/v1/keys", headers=bearer("not.a.token"))
    assert forged == [401, 401, 401, 429]
    assert other.status_code == 401


async def test_wrong_client_secrets_at_the_token_endpoint_are_limited_per_client_and_per_address(
        settings: GatewaySettings) -> None:
    limited = settings.model_copy(update={"auth_failure_rate_limit": "4/minute",
                                          "auth_failure_credential_rate_limit": "3/minute"})
    async with gateway(limited) as (app, client_from):
        admin_client = client_from("198.51.100.1")
        async with app.state.db.sessionmaker() as session:
            issued = await credentials.create_client(session, name="app", tenant="*", scopes=["admin"], rate_limit=None,
                                                     now=datetime.now(UTC))
            await session.commit()
        client_id = issued.record.id

        def form(secret: str, cid: str = client_id) -> dict[str, str]:
            return {"grant_type": "client_credentials", "client_id": cid, "client_secret": secret}

        per_client = [(await client_from(f"192.0.2.{n}").post("/auth/token", data=form("wrong"))).status_code
                      for n in range(1, 6)]
        one_address = client_from("203.0.113.30")
        per_address = [(await one_address.post("/auth/token", data=form("wrong", f"bmc_{n:016d}"))).status_code
                       for n in range(5)]
        good_elsewhere = await admin_client.post("/auth/token", data=form(issued.secret))
    assert per_client == [401, 401, 401, 429, 429]
    assert per_address == [401, 401, 401, 401, 429]
    assert good_elsewhere.status_code == 429, "the client id itself is limited, from any address"
