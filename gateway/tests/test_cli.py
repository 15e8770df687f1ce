"""The command line: keys and clients are created (secret printed once), listed and revoked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bianmin.gateway.cli import main
from bianmin.gateway.domain.credentials import hash_secret
from bianmin.gateway.settings import GatewaySettings


def test_keys_create_prints_the_key_once_and_stores_its_hash(tmp_path: Path) -> None:
    database = tmp_path / "gateway.db"
    env = {**os.environ, "BIANMIN_GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    created = subprocess.run(
        [sys.executable, "-m", "bianmin.gateway", "keys", "create", "--name", "ops", "--tenant", "*",
         "--scopes", "admin,cockpit:read"], capture_output=True, text=True, env=env, timeout=60, check=True)
    key = created.stdout.strip()
    assert key.startswith("bm_")
    assert len(created.stdout.splitlines()) == 1
    assert "shown this once" in created.stderr
    key_id, secret = key.split("_")[1], key.split("_")[2]
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        row = connection.execute(text("SELECT id, scopes, secret_hash FROM api_key")).one()
    engine.dispose()
    assert row[0] == key_id
    assert json.loads(row[1]) == ["admin", "cockpit:read"]
    assert row[2] == hash_secret(key_id, secret)
    assert secret not in database.read_bytes().decode("latin-1")


def test_keys_list_and_revoke_and_clients_create(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = GatewaySettings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}")
    assert main(["keys", "create", "--name", "kiosk", "--tenant", "huaqiao", "--scopes", "queue:write",
                 "--rate-limit", "10/minute", "--json"], settings) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["rate_limit"] == "10/minute"
    assert record["key"].startswith(f"bm_{record['id']}_")
    assert main(["keys", "revoke", record["id"]], settings) == 0
    assert main(["keys", "list"], settings) == 0
    listing = capsys.readouterr().out
    assert record["id"] in listing
    assert "revoked" in listing
    assert record["key"] not in listing
    assert main(["keys", "revoke", "000000000000"], settings) == 1
    assert main(["clients", "create", "--name", "hall", "--tenant", "*", "--scopes", "queue:read"], settings) == 0
    out = capsys.readouterr().out
    assert "client_id=bmc_" in out
    assert "client_secret=" in out
    assert main(["keys", "create", "--name", "x", "--tenant", "not a tenant"], settings) == 2


def test_openapi_command_prints_the_gateways_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openapi"], GatewaySettings()) == 0
    assert "/auth/token" in json.loads(capsys.readouterr().out)["paths"]


def test_accounts_create_an_operator_who_then_signs_in_and_is_listed_disabled_and_reset(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio
    import time

    import httpx
    import pyotp

    from bianmin.gateway.app import create_app
    from bianmin.testing.client import TEST_SECRET, running

    settings = GatewaySettings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}", internal_secret=TEST_SECRET,
                               token_signing_secret="cli-test-token-signing-secret-0123456789abcdef")
    assert main(["accounts", "create", "--username", "root", "--kind", "operator", "--name", "本地运维",
                 "--role", "operator@*", "--totp", "--json"], settings) == 0
    created = json.loads(capsys.readouterr().out)
    assert main(["accounts", "create", "--username", "xu.clerk", "--kind", "staff", "--name", "xu", "--role", "expert@*"],
                settings) == 1
    assert "expert" in capsys.readouterr().err
    assert main(["accounts", "list"], settings) == 0
    assert capsys.readouterr().out.splitlines() == ["root\toperator\toperator@*\tactive"]

    first_code = pyotp.parse_uri(created["otpauth_uri"]).now()

    async def sign_in(password: str, step: int | None = None) -> int:
        app = create_app(settings)
        code = first_code if step is None else pyotp.parse_uri(created["otpauth_uri"]).at(time.time(), counter_offset=step)
        async with running(app), httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as http:
            answer = await http.post("/auth/login", json={"username": "root", "password": password, "totp": code})
            return answer.status_code

    assert asyncio.run(sign_in(created["password"])) == 200
    assert main(["accounts", "disable", "root"], settings) == 0
    assert asyncio.run(sign_in(created["password"])) == 401
    assert main(["accounts", "enable", "root"], settings) == 0
    capsys.readouterr()
    assert main(["accounts", "password", "root"], settings) == 0
    new_password = capsys.readouterr().out.strip()
    assert asyncio.run(sign_in(created["password"])) == 401
    assert asyncio.run(sign_in(new_password)) == 401  # a TOTP code is good once
    assert asyncio.run(sign_in(new_password, step=1)) == 200  # the next step's code (one step of drift is allowed)
