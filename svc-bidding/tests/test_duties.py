"""Separation of duties in the trading centre: whoever files a direct contract cannot approve it (issue 19);
the supervising department approves filings (issue 21)."""

from __future__ import annotations

from typing import Any

from bidding_factories import CLERK, account, enterprise, project_body
from fastapi import FastAPI

from bianmin.kit.identity import Principal
from bianmin.testing.client import client_for


def filing(code: str) -> dict[str, Any]:
    return {"code": code, "name": "道路抢修", "category": "construction", "level": "district", "site_code": "330199",
            "subject_code": "road-repair", "tenderer_name": "便民区交通局", "tenderer_credit_code": enterprise(900),
            "contractor_credit_code": enterprise(7), "contractor_name": "便民区7号建设有限公司",
            "amount": "300000.00", "signed_on": "2026-02-20",
            "reason": "紧急抢修"}


async def registered(app: FastAPI) -> None:
    async with client_for(app, CLERK) as clerk:
        created = await clerk.post("/v1/subjects", json={
            "buyer_credit_code": enterprise(900), "code": "road-repair", "name": "道路抢修", "kind": "works",
            "level": "district", "site_code": "330199"})
    assert created.status_code == 201, created.text


async def test_whoever_files_a_direct_contract_cannot_approve_it(app: FastAPI) -> None:
    await registered(app)
    both = Principal(key_id="both", tenant="*", scopes=frozenset({"bidding:write", "bidding:supervise"}))
    async with client_for(app, both) as key:
        filed = await key.post("/v1/direct-contracts", json=filing("D-1"))
        own = await key.post("/v1/direct-contracts/D-1/approve")
    assert filed.status_code == 201, filed.text
    assert own.status_code == 403
    assert own.json()["code"] == "separation_of_duties"
    async with client_for(app, account("supervisor", "sup-2", "supervisor", site="330199")) as other:
        approved = await other.post("/v1/direct-contracts/D-1/approve")
        twice = await other.post("/v1/direct-contracts/D-1/approve")
    assert approved.status_code == 200
    assert approved.json()["approved_by"] == "supervisor:sup-2"
    assert twice.json()["code"] == "direct_contract_approved"


async def test_only_a_supervisor_of_the_site_with_a_second_factor_approves(app: FastAPI) -> None:
    await registered(app)
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post("/v1/direct-contracts", json=filing("D-2"))).status_code == 201
        by_key = await clerk.post("/v1/direct-contracts/D-2/approve")
    role = "supervisor"
    async with client_for(app, account("supervisor", "s-weak", role, site="330199", second_factor=False)) as weak:
        no_mfa = await weak.post("/v1/direct-contracts/D-2/approve")
    async with client_for(app, account("supervisor", "s-far", role, site="330199002")) as far:
        elsewhere = await far.post("/v1/direct-contracts/D-2/approve")
    async with client_for(app, account("staff", "officer", "trading_officer", site="330199")) as officer:
        not_supervisor = await officer.post("/v1/direct-contracts/D-2/approve")
    async with client_for(app, account("staff", "agent", "tender_agent", site="330199")) as agent:
        tendered = await agent.post("/v1/projects", json={"code": "BM-9"})
    assert by_key.json()["code"] == "scope_missing"
    assert no_mfa.json()["code"] == "second_factor_required"
    assert elsewhere.json()["code"] == "role_missing"
    assert not_supervisor.json()["code"] == "subject_not_allowed"
    assert tendered.status_code == 422
    async with client_for(app, CLERK) as clerk:
        project = (await clerk.get("/v1/projects/D-2")).json()
    assert (project["approved_at"], project["status"]) == (None, "filed")


async def test_a_township_agent_acts_on_its_own_sites_only(app: FastAPI) -> None:
    township = account("staff", "agent-t1", "tender_agent", site="330199001")
    village_tender = project_body("BM-T1", level="township", site_code="330199001")
    other_tender = project_body("BM-T2", level="township", site_code="330199002")
    async with client_for(app, township) as agent:
        own = await agent.post("/v1/projects", json=village_tender)
        other = await agent.post("/v1/projects", json=other_tender)
        pool = await agent.post("/v1/experts", json={"code": "E100", "name": "专家", "specialties": ["房建"]})
    async with client_for(app, account("staff", "agent-d", "tender_agent")) as district:
        district_pool = await district.post("/v1/experts", json={"code": "E101", "name": "专家", "specialties": ["房建"]})
    assert own.status_code == 201, own.text
    assert other.json()["code"] == "role_missing"
    assert pool.json()["code"] == "role_missing"
    assert district_pool.status_code == 201, district_pool.text
