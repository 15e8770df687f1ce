"""The demo data set loads through the public API, and loading it twice changes nothing."""

from fastapi import FastAPI

from bianmin.catalog.demo import load_demo
from bianmin.testing.client import client_for


async def test_the_demo_loads_once_even_when_run_twice(app: FastAPI, db_backend: str) -> None:
    # The full set has 300 applications; 20 prove the same paths and keep the suite quick.
    async with client_for(app) as client:
        await load_demo(client, applications=20)
        first = (await client.get("/v1/stats/applications")).json()
        await load_demo(client, applications=20)
        second = (await client.get("/v1/stats/applications")).json()
        items = await client.get("/v1/items", params={"limit": 200})
        more = await client.get("/v1/items", params={"limit": 200, "cursor": items.json()["next_cursor"]})
        departments = (await client.get("/v1/departments")).json()
        sites = (await client.get("/v1/sites", params={"limit": 200})).json()["items"]
        near = (await client.get("/v1/sites", params={"near": "30.25,120.16", "item": "330199-SCJG-011"})).json()
        search = (await client.get("/v1/items", params={"q": "营业执照"})).json()["items"]
        policies = (await client.get("/v1/stats/policies")).json()
    assert first == second
    assert first["received"] == 20
    assert first["completed"] > 8
    assert first["online_received"] > 0
    assert len(items.json()["items"]) + len(more.json()["items"]) == 225
    assert len(departments) == 15
    assert len(sites) == 1 + 10 + 30 + 10
    assert {s["level"] for s in near["items"]} >= {"district", "township", "bank"}
    assert search[0]["name"].startswith("企业营业执照") or search[0]["name"].startswith("个体工商户营业执照")
    assert policies["policies"] == 6
