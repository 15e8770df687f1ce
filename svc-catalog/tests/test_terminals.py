"""Terminals (政银合作): self-service terminals, bank counters and PADs, the applications they take, their figures."""

from typing import Any

import httpx
from catalog_factories import CREDIT_CODE, seed
from fastapi import FastAPI

from bianmin.kit.identity import Principal
from bianmin.testing.client import client_for

OUTLET = "330199001B01"
SELF_SERVICE, COUNTER, PAD = f"{OUTLET}T01", f"{OUTLET}C01", "330199001001P01"
EVERY_CHANNEL = ["online", "window", "kiosk", "mobile_pad", "bank_terminal", "bank_staff"]


def terminal(code: str, parent: str, kind: str | None, **extra: Any) -> dict[str, Any]:
    """A terminal's creation body."""
    return {"code": code, "name": f"终端{code[-3:]}", "level": "terminal", "parent_code": parent,
            "lat": 30.261, "lng": 120.198, **({"kind": kind} if kind else {}), **extra}


def application(site: str, channel: str, terminal_code: str | None = None) -> dict[str, Any]:
    """An application for the seeded item, through a terminal when one is named."""
    return {"item_code": "330199-SC-001", "site_code": site, "channel": channel,
            "applicant": {"type": "legal", "id_number": CREDIT_CODE, "name": "某公司", "phone": "13800001234"},
            "materials": [{"name": "营业执照申请书"}, {"name": "住所证明"}],
            **({"terminal_code": terminal_code} if terminal_code else {})}


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


async def test_an_application_records_the_terminal_it_came_through(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as admin:
        await with_terminals(admin)
        at_outlet = await admin.post("/v1/applications", json=application(OUTLET, "kiosk", SELF_SERVICE))
        at_township = await admin.post("/v1/applications", json=application("330199001", "bank_staff", COUNTER))
        read = (await admin.get(f"/v1/applications/{at_outlet.json()['number']}")).json()
        plain = await admin.post("/v1/applications", json=application("330199000", "window"))
        elsewhere = await admin.post("/v1/applications", json=application("330199002", "kiosk", SELF_SERVICE))
        not_a_terminal = await admin.post("/v1/applications", json=application(OUTLET, "bank_terminal", OUTLET))
        wrong_channel = await admin.post("/v1/applications", json=application(OUTLET, "bank_staff", SELF_SERVICE))
        unknown = await admin.post("/v1/applications", json=application(OUTLET, "kiosk", f"{OUTLET}T09"))
        await admin.put(f"/v1/sites/{SELF_SERVICE}", json={
            k: v for k, v in terminal(SELF_SERVICE, OUTLET, "self_service", active=False).items() if k != "code"})
        closed = await admin.post("/v1/applications", json=application(OUTLET, "kiosk", SELF_SERVICE))
    assert at_outlet.status_code == 201, at_outlet.text
    assert at_outlet.json()["terminal_code"] == SELF_SERVICE
    assert at_township.status_code == 201, at_township.text
    assert read["terminal_code"] == SELF_SERVICE
    assert plain.json()["terminal_code"] is None
    for refused in (elsewhere, not_a_terminal, wrong_channel, unknown, closed):
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == "terminal_code"


async def test_the_figures_break_down_by_channel_and_by_bank_outlet(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as admin:
        await with_terminals(admin)
        for body in (application("330199000", "online"), application("330199000", "window"),
                     application(OUTLET, "bank_terminal"), application(OUTLET, "kiosk", SELF_SERVICE),
                     application("330199001", "bank_staff", COUNTER)):
            assert (await admin.post("/v1/applications", json=body)).status_code == 201
        figures = (await admin.get("/v1/stats/applications")).json()
        hall_only = (await admin.get("/v1/stats/applications", params={"site": "330199000"})).json()
    cockpit = Principal(key_id="k-cockpit", tenant="*", scopes=frozenset({"cockpit:read"}))
    async with client_for(app, cockpit) as reader:
        overview = {f["name"]: f for f in (await reader.get("/v1/stats/overview")).json()["figures"]}
    assert figures["received"] == 5
    assert figures["by_channel"] == {
        "online": {"received": 1, "share": "0.2000"}, "window": {"received": 1, "share": "0.2000"},
        "kiosk": {"received": 1, "share": "0.2000"}, "mobile_pad": {"received": 0, "share": "0.0000"},
        "bank_terminal": {"received": 1, "share": "0.2000"}, "bank_staff": {"received": 1, "share": "0.2000"}}
    assert figures["by_channel"]["online"]["share"] == figures["online_receipt_rate"]
    assert figures["by_outlet"] == {OUTLET: {"received": 3, "share": "0.6000",
                                             "by_channel": {"bank_staff": 1, "bank_terminal": 1, "kiosk": 1}}}
    assert hall_only["by_outlet"] == {}
    assert overview["applications_received"]["breakdown"] == {
        "online": 1, "window": 1, "kiosk": 1, "mobile_pad": 0, "bank_terminal": 1, "bank_staff": 1}
    assert overview["bank_outlet_applications"]["value"] == 3
    assert overview["bank_outlet_applications"]["breakdown"] == {OUTLET: 3}
