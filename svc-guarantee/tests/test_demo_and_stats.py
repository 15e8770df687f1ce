"""The demo loader (twice, in-process) and the figures it produces."""

from datetime import UTC, datetime

from fastapi import FastAPI
from guarantee_factories import STAFF, published, seed_project

from bianmin.guarantee import demo
from bianmin.kit.identity import Principal
from bianmin.kit.workdays import local_date
from bianmin.testing.client import client_for


async def test_the_demo_loads_once_however_often_it_runs(app: FastAPI, db_backend: str) -> None:
    now = datetime.now(UTC)
    for code in demo.TENDERS:
        await seed_project(app, published(code, now=now))
    async with client_for(app) as admin:
        await demo.load_demo(admin)
        await demo.load_demo(admin)
        issuers = (await admin.get("/v1/issuers")).json()
        guarantees = (await admin.get("/v1/guarantees", params={"limit": 200})).json()["items"]
        tariffs = (await admin.get("/v1/issuers/PICCBM/tariffs")).json()
    assert [i["code"] for i in issuers] == ["BOCBM", "PICCBM", "ZSIC"]
    assert len(tariffs) == 2
    assert len(guarantees) == len(demo.TENDERS) * len(demo.BIDDERS)
    assert {g["status"] for g in guarantees} == {"issued"}


async def test_stats_count_guarantees_amounts_fees_and_the_effective_rate(app: FastAPI, db_backend: str) -> None:
    now = datetime.now(UTC)
    for code in demo.TENDERS:
        await seed_project(app, published(code, now=now))
    async with client_for(app) as admin:
        await demo.load_demo(admin)
    reader = Principal(key_id="k-cockpit", tenant="*", scopes=frozenset({"cockpit:read"}))
    async with client_for(app, reader) as cockpit, client_for(app, STAFF) as staff:
        today = local_date(now).isoformat()
        figures = {f["name"]: f for f in (await cockpit.get("/v1/stats", params={"from": today, "to": today})).json()[
            "figures"]}
        empty = {f["name"]: f for f in (await cockpit.get("/v1/stats", params={"from": "2020-01-01",
                                                                              "to": "2020-01-31"})).json()["figures"]}
        overview = (await cockpit.get("/v1/stats/overview")).json()
        backwards = await cockpit.get("/v1/stats", params={"from": "2026-02-01", "to": "2026-01-01"})
        refused = await staff.get("/v1/stats")
        project = (await staff.get(f"/v1/projects/{demo.TENDERS[0]}")).json()
        missing = await staff.get("/v1/projects/NOPE")
    assert figures["guarantees_issued"]["value"] == 9
    assert figures["guarantees_issued"]["breakdown"]["bid_bond"] == 9
    assert figures["amount_guaranteed"]["value"] == "180000.00"  # 9 × 20000.00
    by_issuer = {k: v for k, v in figures["guarantees_issued"]["breakdown"].items() if k.startswith("issuer:")}
    assert by_issuer == {"issuer:BOCBM": 3, "issuer:PICCBM": 3, "issuer:ZSIC": 3}
    assert figures["fees_paid"]["value"] == "3000.00"  # every fee is its issuer's minimum: 3 × (300 + 500 + 200)
    assert figures["average_effective_rate"]["value"] == "0.016667"
    assert empty["guarantees_issued"]["value"] == 0
    assert empty["average_effective_rate"]["value"] is None
    assert [f["name"] for f in overview["figures"]] == list(figures)
    assert backwards.status_code == 422
    assert refused.status_code == 403
    assert project["sections"][0]["bid_bond_amount"] == "20000.00"
    assert missing.status_code == 404
