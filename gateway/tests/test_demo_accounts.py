"""``make demo`` creates one account of each role with its documented password, and running it twice adds none."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pyotp

from bianmin.gateway.settings import GatewaySettings
from bianmin.kit.roles import ROLES

DEMO = Path(__file__).resolve().parents[2] / "tools" / "demo.py"


def load_demo_tool() -> Any:
    spec = importlib.util.spec_from_file_location("bianmin_demo_tool", DEMO)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_every_role_gets_a_demo_account_that_signs_in(
        settings: GatewaySettings, open_gateway: Any, make_key: Any) -> None:
    demo = load_demo_tool()
    async with open_gateway(settings) as (app, client):
        key = await make_key(app, ["admin"])
        client.headers["Authorization"] = f"Bearer {key}"
        client.base_url = "http://gateway.test/admin/v1"
        lines = await demo.create_accounts(client)
        again = await demo.create_accounts(client)
        client.base_url = "http://gateway.test"
        del client.headers["Authorization"]
        answers = {}
        for line in lines:
            username, password, *rest = line.split()
            uri = next((part for part in rest if part.startswith("otpauth://")), None)
            body = {"username": username, "password": password} | ({"totp": pyotp.parse_uri(uri).now()} if uri else {})
            answers[username] = (await client.post("/auth/login", json=body)).status_code
    assert again == []
    assert set(answers) == {f"demo.{role}" for role in ROLES} | {"demo.enterprise"}
    assert set(answers.values()) == {200}
    assert all(("TOTP" in line) == ROLES[line.split()[0].removeprefix("demo.")].second_factor
               for line in lines if not line.startswith("demo.enterprise"))
