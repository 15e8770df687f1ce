"""Terminals (政银合作): self-service terminals, bank counters and PADs, and the channels they offer items through."""

from typing import Any

import httpx
from catalog_factories import seed
from fastapi import FastAPI

from bianmin.testing.client import client_for

OUTLET = "330199001B01"
SELF_SERVICE, COUNTER, PAD = f"{OUTLET}T01", f"{OUTLET}C01", "330199001001P01"
EVERY_CHANNEL = ["online", "window", "kiosk", "mobile_pad", "bank_terminal", "bank_staff"]


def terminal(code: str, parent: str, kind: str | None, **extra: Any) -> dict[str, Any]:
    """A terminal's creation body."""
    return {"code": code, "name": f"终端{code[-3:]}", "level": "terminal", "parent_code": parent,
            "lat": 30.261, "lng": 120.198, **({"kind": kind} if kind else {}), **extra}


async def with_terminals(client: httpx.AsyncClient) -> None:
    """The seed, the item on every channel, and three terminals offering it through their kind's channel."""
    await seed(client)
    assert (await client.patch("/v1/items/330199-SC-001", json={"channels": EVERY_CHANNEL})).status_code == 200
    for code, parent, kind, channels in ((SELF_SERVICE, OUTLET, "self_service", ["bank_terminal", "kiosk"]),
                                         (COUNTER, OUTLET, "bank_counter", ["bank_staff"]),
                                         (PAD, "330199001001", "pad", ["mobile_pad"])):
        created = await client.post("/v1/sites", json=terminal(code, parent, kind))
        assert created.status_code == 201, created.text
        offered = await client.put(f"/v1/sites/{code}/offerings",
                                   json={"offerings": [{"item_code": "330199-SC-001", "channels": channels}]})
        assert offered.status_code == 200, offered.text


async def test_a_terminals_code_and_channels_fit_its_kind(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as admin:
        await with_terminals(admin)
        read = (await admin.get(f"/v1/sites/{SELF_SERVICE}")).json()
        letter = await admin.post("/v1/sites", json=terminal(f"{OUTLET}C02", OUTLET, "self_service"))
        no_kind = await admin.post("/v1/sites", json=terminal(f"{OUTLET}T02", OUTLET, None))
        kind_of_outlet = await admin.post("/v1/sites", json={
            "code": "330199002B01", "name": "某银行", "level": "bank", "parent_code": "330199002", "lat": 30.2,
            "lng": 120.05, "kind": "self_service"})
        township_kiosk = await admin.post("/v1/sites", json=terminal("330199001T01", "330199001", "self_service"))
        window = await admin.put(f"/v1/sites/{SELF_SERVICE}/offerings",
                                 json={"offerings": [{"item_code": "330199-SC-001", "channels": ["window"]}]})
        pad_kiosk = await admin.put(f"/v1/sites/{PAD}/offerings",
                                    json={"offerings": [{"item_code": "330199-SC-001", "channels": ["kiosk"]}]})
        bank_terminal_elsewhere = await admin.put("/v1/sites/330199001T01/offerings", json={
            "offerings": [{"item_code": "330199-SC-001", "channels": ["bank_terminal"]}]})
        offered = (await admin.get(f"/v1/sites/{SELF_SERVICE}/offerings")).json()
    assert read["kind"] == "self_service"
    assert read["tenant"] == "330199001"
    assert letter.status_code == 422
    assert letter.json()["errors"][0]["field"] == "code"
    assert no_kind.status_code == 422
    assert no_kind.json()["errors"][0]["field"] == "kind"
    assert kind_of_outlet.status_code == 422
    assert kind_of_outlet.json()["errors"][0]["field"] == "kind"
    assert township_kiosk.status_code == 201
    assert window.status_code == 422
    assert window.json()["errors"][0]["field"] == "offerings.0.channels"
    assert pad_kiosk.status_code == 422
    assert bank_terminal_elsewhere.status_code == 422
    assert offered == {"offerings": [{"item_code": "330199-SC-001", "channels": ["bank_terminal", "kiosk"]}]}
