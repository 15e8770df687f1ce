"""People sign in: password and TOTP, short access tokens naming the subject, rotating refresh tokens, lockout."""

from __future__ import annotations

import logging
from typing import Any

import pyotp
import pytest
from sqlalchemy import text

from bianmin.gateway.settings import GatewaySettings

PASSWORD = "correct horse battery staple"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def login(client: Any, username: str, password: str = PASSWORD, totp: str | None = None) -> Any:
    body: dict[str, Any] = {"username": username, "password": password}
    if totp is not None:
        body["totp"] = totp
    return await client.post("/auth/login", json=body)


async def test_a_clerk_signs_in_and_the_service_sees_the_app_and_the_subject(
        settings: GatewaySettings, start_upstream: Any, open_gateway: Any, make_account: Any) -> None:
    _upstream, queue = start_upstream("queue")
    async with open_gateway(settings.model_copy(update={"queue_url": queue.url})) as (app, client):
        clerk = await make_account(app, "wang.clerk", "staff", [("clerk", "330199001001"), ("clerk", "330199001002")])
        signed_in = await login(client, "wang.clerk")
        tokens = signed_in.json()
        seen = await client.get("/queue/v1/private/echo/x", headers=bearer(tokens["access_token"]))
    assert signed_in.status_code == 200
    assert signed_in.headers["cache-control"] == "no-store"
    assert tokens["expires_in"] == 900
    assert tokens["token_type"] == "Bearer"
    assert tokens["second_factor"] is False
    assert seen.status_code == 200
    principal = seen.json()["principal"]
    assert principal["key_id"].startswith("session:")
    assert principal["tenant"] == "330199001"  # the deepest site above both villages
    assert "queue:write" in principal["scopes"]
    assert "admin" not in principal["scopes"]
    assert seen.json()["subject"] == {
        "kind": "staff", "id": f"acct:{clerk['id']}", "name": "wang.clerk 同志", "mfa": False,
        "roles": [["clerk", "330199001001", None], ["clerk", "330199001002", None]], "parties": []}


async def test_a_wrong_password_and_an_unknown_username_get_the_same_answer(
        settings: GatewaySettings, open_gateway: Any, make_account: Any) -> None:
    async with open_gateway(settings) as (app, client):
        await make_account(app, "li.clerk", "staff", [("clerk", "330199001")])
        wrong = await login(client, "li.clerk", "not the password")
        unknown = await login(client, "nobody.here", "not the password")
        malformed = await client.post("/auth/login", json={"username": "li.clerk"})
    for refused in (wrong, unknown):
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
    assert wrong.json() | {"instance": None} == unknown.json() | {"instance": None}
    assert wrong.json()["code"] == "sign_in_failed"
    assert malformed.status_code == 422


async def test_repeated_failures_lock_the_account_even_against_the_right_password(
        settings: GatewaySettings, open_gateway: Any, make_account: Any) -> None:
    async with open_gateway(settings.model_copy(update={"sign_in_max_failures": 3, "sign_in_lock_minutes": 10})) as (
            app, client):
        await make_account(app, "zhao.clerk", "staff", [("clerk", "330199001")])
        failures = [await login(client, "zhao.clerk", f"guess {n}") for n in range(3)]
        right = await login(client, "zhao.clerk")
        unknown = [await login(client, "nobody.here", f"guess {n}") for n in range(4)]
    assert [f.status_code for f in failures] == [401, 401, 423]
    assert right.status_code == 423
    assert right.headers["content-type"] == "application/problem+json"
    assert right.json()["code"] == "account_locked"
    assert 590 <= int(right.headers["retry-after"]) <= 600
    # A username no account has answers the same way, so the lock does not tell which usernames exist.
    assert [u.status_code for u in unknown] == [401, 401, 423, 423]
    assert unknown[2].json()["code"] == "account_locked"
    assert 0 < int(unknown[3].headers["retry-after"]) <= 600


async def test_failed_sign_ins_count_against_the_failed_authentication_limits(
        settings: GatewaySettings, open_gateway: Any, make_account: Any) -> None:
    limited = settings.model_copy(update={"auth_failure_credential_rate_limit": "2/minute", "sign_in_max_failures": 10})
    async with open_gateway(limited) as (app, client):
        await make_account(app, "lin.clerk", "staff", [("clerk", "330199001")])
        failures = [await login(client, "lin.clerk", f"guess {n}") for n in range(2)]
        past = await login(client, "lin.clerk")
        other = await login(client, "nobody.else", "guess")
    assert [f.status_code for f in failures] == [401, 401]
    assert past.status_code == 429  # not even the right password is checked past the limit
    assert past.json()["code"] == "auth_failures"
    assert "retry-after" in past.headers
    assert other.status_code == 401  # the limit is per username (and per address, at its own rate)


async def test_a_success_resets_the_count_of_failures(
        settings: GatewaySettings, open_gateway: Any, make_account: Any) -> None:
    async with open_gateway(settings.model_copy(update={"sign_in_max_failures": 2})) as (app, client):
        await make_account(app, "sun.clerk", "staff", [("clerk", "330199001")])
        first = await login(client, "sun.clerk", "guess")
        ok = await login(client, "sun.clerk")
        second = await login(client, "sun.clerk", "guess")
    assert (first.status_code, ok.status_code, second.status_code) == (401, 200, 401)


async def test_roles_that_approve_need_a_totp_code(
        settings: GatewaySettings, start_upstream: Any, open_gateway: Any, make_account: Any) -> None:
    _upstream, catalog = start_upstream("catalog")
    async with open_gateway(settings.model_copy(update={"catalog_url": catalog.url})) as (app, client):
        await make_account(app, "qian.unenrolled", "staff", [("approver", "330199001")])
        approver = await make_account(app, "qian.approver", "staff", [("approver", "330199001")], totp=True)
        code = pyotp.TOTP(approver["totp_secret"])
        unenrolled = await login(client, "qian.unenrolled")
        without = await login(client, "qian.approver")
        wrong = await login(client, "qian.approver", totp=f"{(int(code.now()) + 1) % 1_000_000:06d}")
        current = code.now()
        right = await login(client, "qian.approver", totp=current)
        seen = await client.get("/catalog/v1/private/echo/x", headers=bearer(right.json()["access_token"]))
        replayed = await login(client, "qian.approver", totp=current)
    assert unenrolled.status_code == without.status_code == wrong.status_code == 401
    assert unenrolled.json()["code"] == without.json()["code"] == "second_factor_required"
    assert wrong.json()["code"] == "second_factor_invalid"
    assert replayed.status_code == 401  # each code signs in once (RFC 6238 §5.2)
    assert replayed.json()["code"] == "second_factor_invalid"
    assert right.status_code == 200
    assert right.json()["second_factor"] is True
    assert seen.json()["subject"]["mfa"] is True


async def test_a_refresh_token_works_once_and_its_reuse_ends_the_session(
        settings: GatewaySettings, open_gateway: Any, make_account: Any) -> None:
    async with open_gateway(settings.model_copy(update={"auth_cache_seconds": 0})) as (app, client):
        await make_account(app, "zhou.viewer", "staff", [("cockpit_viewer", "*")])
        first = (await login(client, "zhou.viewer")).json()
        second = await client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
        works = await client.get("/admin/v1/keys", headers=bearer(second.json()["access_token"]))
        reused = await client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
        newest = await client.post("/auth/refresh", json={"refresh_token": second.json()["refresh_token"]})
        after = await client.get("/admin/v1/keys", headers=bearer(second.json()["access_token"]))
        unknown = await client.post("/auth/refresh", json={"refresh_token": "bmr_nothing"})
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    assert works.status_code != 401
    assert reused.status_code == 401
    assert reused.json()["code"] == "refresh_token_reused"
    assert newest.status_code == 401
    assert newest.json()["code"] == "session_invalid"
    assert after.status_code == 401
    assert after.json()["code"] == "session_invalid"
    assert unknown.status_code == 401


async def test_logout_stops_the_access_token_at_once(
        settings: GatewaySettings, open_gateway: Any, make_account: Any) -> None:
    async with open_gateway(settings) as (app, client):
        await make_account(app, "wu.viewer", "staff", [("cockpit_viewer", "*")])
        tokens = (await login(client, "wu.viewer")).json()
        before = await client.get("/admin/v1/keys", headers=bearer(tokens["access_token"]))
        out = await client.post("/auth/logout", headers=bearer(tokens["access_token"]))
        after = await client.get("/admin/v1/keys", headers=bearer(tokens["access_token"]))
        refreshed = await client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert before.status_code != 401
    assert out.status_code == 204
    assert after.status_code == 401
    assert after.json()["code"] == "session_invalid"
    assert refreshed.status_code == 401


async def test_a_forged_or_expired_access_token_is_401(
        settings: GatewaySettings, open_gateway: Any, make_account: Any) -> None:
    from bianmin.gateway.domain import sessions

    async with open_gateway(settings) as (app, client):
        await make_account(app, "zheng.viewer", "staff", [("cockpit_viewer", "*")])
        tokens = (await login(client, "zheng.viewer")).json()
        sid = sessions.verify_access(tokens["access_token"], app.state.token_secret)
        forged = sessions.issue_access(sid, "x", secret="not-the-gateway-secret-0123456789abcdef", ttl_seconds=60)
        expired = sessions.issue_access(sid, "x", secret=app.state.token_secret, ttl_seconds=60, now=1_000_000)
        forged_answer = await client.get("/admin/v1/keys", headers=bearer(forged))
        expired_answer = await client.get("/admin/v1/keys", headers=bearer(expired))
    assert forged_answer.status_code == expired_answer.status_code == 401
    assert forged_answer.json()["code"] == "session_invalid"
    assert expired_answer.json()["code"] == "token_expired"


async def test_no_password_hash_or_secret_reaches_the_logs_or_the_answers(
        settings: GatewaySettings, open_gateway: Any, make_account: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)  # the most the platform logs; the database driver prints parameters at DEBUG
    async with open_gateway(settings) as (app, client):
        account = await make_account(app, "feng.approver", "staff", [("approver", "330199001")], totp=True)
        code = pyotp.TOTP(account["totp_secret"]).now()
        await login(client, "feng.approver", "wrong password")
        signed_in = await login(client, "feng.approver", totp=code)
        tokens = signed_in.json()
        await client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        async with app.state.db.engine.connect() as connection:
            stored_hash = (await connection.execute(text("SELECT password_hash FROM account"))).scalar_one()
            refresh_hashes = (await connection.execute(text("SELECT token_hash FROM refresh_token"))).scalars().all()
    logged = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    for secret in (PASSWORD, "wrong password", stored_hash, account["totp_secret"], tokens["refresh_token"],
                   tokens["access_token"]):
        assert secret not in logged
    assert PASSWORD not in signed_in.text
    assert stored_hash not in signed_in.text
    assert account["totp_secret"] not in signed_in.text
    assert stored_hash.startswith("$argon2id$")
    assert tokens["refresh_token"] not in refresh_hashes


async def test_a_totp_secret_is_sealed_at_rest_and_a_sealed_secret_moved_to_another_account_opens_nothing(
        settings: GatewaySettings, open_gateway: Any, make_account: Any) -> None:
    """GB/T 39786: a copy of the database must not yield the second factors (domain/sealing.py)."""
    async with open_gateway(settings) as (app, client):
        approver = await make_account(app, "li.approver", "staff", [("approver", "330199001")], totp=True)
        other = await make_account(app, "zhou.approver", "staff", [("approver", "330199001")], totp=True)
        async with app.state.db.sessionmaker() as session:
            stored = (await session.execute(text("SELECT totp_secret FROM account WHERE id = :id"),
                                            {"id": approver["id"]})).scalar_one()
            # An attacker with write access to the database copies a known sealed secret onto another account.
            await session.execute(text("UPDATE account SET totp_secret = :s WHERE id = :id"),
                                  {"s": stored, "id": other["id"]})
            await session.commit()
        moved = await login(client, "zhou.approver", totp=pyotp.TOTP(approver["totp_secret"]).now())
        own = await login(client, "li.approver", totp=pyotp.TOTP(approver["totp_secret"]).now())
    assert approver["totp_secret"] not in stored
    assert stored.startswith("v1:")
    assert own.status_code == 200
    assert moved.status_code == 401
