"""Validation, tenancy, direct-contract splitting, collusion decisions and stats over the API."""

from __future__ import annotations

from datetime import timedelta

from bidding_factories import CLERK, DEADLINE, SUPERVISOR, account, bidder_key, enterprise, project_body, register, submit
from fastapi import FastAPI

from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import Principal
from bianmin.kit.pagination import encode_cursor
from bianmin.testing.client import client_for

CODE = "BM-2026-001"
ROAD_REPAIR = {"buyer_credit_code": enterprise(900), "code": "road-repair", "name": "道路抢修", "kind": "works",
               "level": "district", "site_code": "330199"}
TOWNSHIP = Principal(key_id="t1", tenant="330199001", scopes=frozenset({"bidding:write"}))


async def test_a_bid_bond_above_two_percent_is_refused_naming_the_field(app: FastAPI) -> None:
    body = project_body()
    body["sections"][0]["bid_bond_amount"] = "20000.01"
    async with client_for(app, CLERK) as clerk:
        response = await clerk.post("/v1/projects", json=body)
        short = await clerk.post("/v1/projects", json=project_body(publicity_days=2))
        bad_code = await clerk.post("/v1/projects", json=project_body(tenderer_credit_code="91310110666007217X"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "sections.0.bid_bond_amount"
    assert short.status_code == 422
    assert bad_code.json()["errors"][0]["field"] == "tenderer_credit_code"


async def test_a_township_key_manages_only_its_own_projects(app: FastAPI) -> None:
    async with client_for(app, TOWNSHIP) as township:
        other = await township.post("/v1/projects", json=project_body(level="township", site_code="330199002"))
        own = await township.post("/v1/projects", json=project_body(level="township", site_code="330199001"))
    async with client_for(app, Principal(key_id="t2", tenant="330199002", scopes=frozenset({"bidding:write"}))) as t2:
        foreign = await t2.post(f"/v1/projects/{CODE}/publish")
    assert other.status_code == 403
    assert own.status_code == 201
    assert foreign.status_code == 404


async def test_a_direct_contract_over_the_threshold_or_split_is_refused(app: FastAPI) -> None:
    def filing(code: str, amount: str) -> dict[str, str]:
        return {"code": code, "name": "道路抢修", "category": "construction", "level": "district", "site_code": "330199",
                "subject_code": "road-repair", "tenderer_name": "便民区交通局", "tenderer_credit_code": enterprise(900),
                "contractor_credit_code": enterprise(7), "contractor_name": "便民区7号建设有限公司",
                "amount": amount, "signed_on": "2026-02-20",
                "reason": "紧急抢修"}
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post("/v1/subjects", json=ROAD_REPAIR)).status_code == 201
        over = await clerk.post("/v1/direct-contracts", json=filing("D-1", "4000000.01"))
        first = await clerk.post("/v1/direct-contracts", json=filing("D-2", "3000000.00"))
        split = await clerk.post("/v1/direct-contracts", json=filing("D-3", "1500000.00"))
    assert over.json()["code"] == "direct_contract_over_threshold"
    assert first.status_code == 201
    assert split.status_code == 422
    assert split.json()["code"] == "direct_contract_split"


async def test_a_direct_contract_signed_before_1900_is_refused_naming_the_day(app: FastAPI) -> None:
    # Found by schemathesis through the gateway: 0001-01-01 overflowed the splitting window (a 500).
    body = {"code": "D-9", "name": "道路抢修", "category": "construction", "level": "district", "site_code": "330199",
            "subject_code": "road-repair", "tenderer_name": "便民区交通局", "tenderer_credit_code": enterprise(900),
            "contractor_credit_code": enterprise(7), "contractor_name": "便民区7号建设有限公司",
            "amount": "1000.00", "signed_on": "0001-01-01", "reason": "紧急抢修"}
    async with client_for(app, CLERK) as clerk:
        response = await clerk.post("/v1/direct-contracts", json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "signed_on"


async def test_identical_prices_are_flagged_and_a_supervisor_decides_once(app: FastAPI, clock: FixedClock) -> None:
    async with client_for(app, CLERK) as clerk:
        await clerk.post("/v1/projects", json=project_body())
        await clerk.post(f"/v1/projects/{CODE}/publish")
    secrets = {}
    for n in (1, 2, 3):
        async with client_for(app, bidder_key(n)) as bidder:
            await register(bidder, CODE, n)
            response, secret = await submit(bidder, CODE, n, "900000.00" if n < 3 else "950000.00")
            secrets[n] = (response.json()["bid_id"], secret)
    clock.at = DEADLINE
    async with client_for(app, CLERK) as clerk:
        await clerk.post(f"/v1/projects/{CODE}/close")
        await clerk.post(f"/v1/projects/{CODE}/opening/start")
        for n, (bid_id, secret) in secrets.items():
            async with client_for(app, bidder_key(n)) as bidder:
                await bidder.post(f"/v1/projects/{CODE}/opening/sign-in", json={"credit_code": enterprise(n)})
                await bidder.post(f"/v1/projects/{CODE}/bids/{bid_id}/reveal", json=secret.as_reveal())
        finished = await clerk.post(f"/v1/projects/{CODE}/opening/finish")
    assert finished.json()["status"] == "failed"
    async with client_for(app, CLERK) as clerk:
        refused = await clerk.get("/v1/flags")
    assert refused.status_code == 403
    async with client_for(app, SUPERVISOR) as supervisor:
        flags = (await supervisor.get("/v1/flags", params={"status": "open"})).json()
        identical = next(f for f in flags if f["screen"] == "identical_prices")
        assert identical["credit_codes"] == sorted([enterprise(1), enterprise(2)])
        unheard = await supervisor.post(f"/v1/flags/{identical['id']}/bidders/{enterprise(1)}/confirm",
                                        json={"note": "报价完全一致"})
        dismissed = await supervisor.post(f"/v1/flags/{identical['id']}/dismiss", json={"note": "报价系按定额计算，约谈后排除"})
        again = await supervisor.post(f"/v1/flags/{identical['id']}/dismiss", json={"note": "重复"})
        alerts = (await supervisor.get("/v1/alerts")).json()
    assert (unheard.status_code, unheard.json()["code"]) == (409, "hearing_pending")
    assert dismissed.json()["status"] == "dismissed"
    assert again.status_code == 409
    assert all(a["id"] != identical["id"] for a in alerts)


async def test_stats_count_savings_and_high_savings_risk(app: FastAPI, clock: FixedClock) -> None:
    async with client_for(app, CLERK) as clerk:
        await clerk.post("/v1/subjects", json={**ROAD_REPAIR, "code": "x", "name": "应急工程"})
        await clerk.post("/v1/direct-contracts", json={
            "code": "D-9", "name": "应急工程", "category": "construction", "level": "district", "site_code": "330199",
            "subject_code": "x", "tenderer_name": "局", "tenderer_credit_code": enterprise(900),
            "contractor_credit_code": enterprise(7), "contractor_name": "便民区7号建设有限公司",
            "amount": "100000.00", "signed_on": "2026-02-20", "reason": "急"})
    async with client_for(app, account("supervisor", "sup-1", "supervisor")) as supervisor:
        assert (await supervisor.post("/v1/direct-contracts/D-9/approve")).status_code == 200
    async with client_for(app, SUPERVISOR) as supervisor:
        figures = (await supervisor.get("/v1/stats", params={"from": "2026-01-01", "to": "2026-12-31"})).json()
        reversed_period = await supervisor.get("/v1/stats", params={"from": "2026-02-01", "to": "2026-01-01"})
    assert figures["projects"] == 1
    assert figures["award_total"] == "100000.00"
    assert reversed_period.status_code == 422
    clock.advance(timedelta(0))


async def test_lists_page_newest_first_and_refuse_a_foreign_cursor(app: FastAPI) -> None:
    async with client_for(app, CLERK) as clerk:
        for n in (1, 2, 3):
            assert (await clerk.post("/v1/projects", json=project_body(f"BM-2026-00{n}"))).status_code == 201
        first = (await clerk.get("/v1/projects", params={"limit": 2})).json()
        second = (await clerk.get("/v1/projects", params={"limit": 2, "cursor": first["next_cursor"]})).json()
        foreign = [await clerk.get("/v1/projects", params={"cursor": cursor})
                   for cursor in (encode_cursor(["BM-2026-001"]), encode_cursor([1, 2]), encode_cursor([True]), "%%%")]
        feed = await clerk.get("/v1/ocds/releases", params={"cursor": encode_cursor(["2026-03-02T01:00:00+00:00"])})
    assert [p["code"] for p in first["items"]] == ["BM-2026-003", "BM-2026-002"]
    assert [p["code"] for p in second["items"]] == ["BM-2026-001"]
    assert second["next_cursor"] is None
    assert [r.status_code for r in foreign] == [422, 422, 422, 422]
    assert {r.json()["errors"][0]["field"] for r in foreign} == {"cursor"}
    assert feed.status_code == 422


async def test_identifiers_are_normalised_and_a_project_sits_on_the_district_or_a_township(app: FastAPI) -> None:
    padded = f" {enterprise(900).lower()} "
    async with client_for(app, CLERK) as clerk:
        created = await clerk.post("/v1/projects", json=project_body(tenderer_credit_code=padded, site_code=" 330199 "))
        outlet = await clerk.post("/v1/projects", json=project_body("BM-2026-002", level="township", site_code="330199B01"))
        village = await clerk.post("/v1/projects", json=project_body("BM-2026-003", level="township",
                                                                     site_code="330199001001"))
    assert created.status_code == 201
    assert created.json()["tenderer_credit_code"] == enterprise(900)
    assert created.json()["site_code"] == "330199"
    assert [outlet.status_code, village.status_code] == [422, 422]
    assert outlet.json()["errors"][0]["field"] == "site_code"
