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
