"""Direct-contract filings under supervision (issue 21): the buyer's subject registry, the thresholds of
发改委令第16号 per kind of work, a rolling 12-month splitting window, refused filings kept as alerts,
and a supervisor's approval before a filing counts as awarded."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bidding_factories import CLERK, SUPERVISOR, account, enterprise, project_body
from fastapi import FastAPI

from bianmin.bidding.app import create_app
from bianmin.bidding.settings import BiddingSettings
from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import Principal
from bianmin.testing.client import client_for, running

BUYER = enterprise(900)
LATE = datetime(2028, 3, 10, 2, tzinfo=UTC)
"""A 'now' after every signing day these tests name (a contract may not be signed in the future)."""


def subject(code: str = "ROAD-1", kind: str = "works", name: str = "城东道路维修", **changes: Any) -> dict[str, Any]:
    """A subject (a work of the buyer) for its project registry."""
    return {"buyer_credit_code": BUYER, "code": code, "name": name, "kind": kind, "level": "district",
            "site_code": "330199", **changes}


def filing(code: str, amount: str, signed_on: str, subject_code: str = "ROAD-1", **changes: Any) -> dict[str, Any]:
    """A direct contract (直接发包) of the buyer."""
    return {"code": code, "name": "道路抢修", "category": "construction", "level": "district", "site_code": "330199",
            "subject_code": subject_code, "tenderer_name": "便民区交通局", "tenderer_credit_code": BUYER,
            "contractor_credit_code": enterprise(7), "contractor_name": "便民区7号建设有限公司",
            "amount": amount, "signed_on": signed_on, "reason": "紧急抢修",
            **changes}


async def registered(app: FastAPI, *subjects: dict[str, Any]) -> None:
    async with client_for(app, CLERK) as clerk:
        for body in subjects or (subject(),):
            created = await clerk.post("/v1/subjects", json=body)
            assert created.status_code == 201, created.text


async def test_a_filing_naming_a_subject_outside_the_buyers_registry_is_refused_naming_the_field(app: FastAPI) -> None:
    await registered(app)
    async with client_for(app, CLERK) as clerk:
        unknown = await clerk.post("/v1/direct-contracts", json=filing("D-1", "300000.00", "2026-02-20", "ROAD-2"))
        others = await clerk.post("/v1/direct-contracts", json=filing(
            "D-2", "300000.00", "2026-02-20", tenderer_credit_code=enterprise(901)))
        known = await clerk.post("/v1/direct-contracts", json=filing("D-3", "300000.00", "2026-02-20"))
        nothing = await clerk.get("/v1/projects/D-1")
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "subject_code"
    assert others.json()["errors"][0]["field"] == "subject_code"
    assert known.status_code == 201, known.text
    assert nothing.status_code == 404


async def test_a_work_is_registered_once_per_buyer_so_renaming_cannot_split_it(app: FastAPI) -> None:
    await registered(app)
    async with client_for(app, CLERK) as clerk:
        same_code = await clerk.post("/v1/subjects", json=subject(name="城东道路维修二期"))
        same_name = await clerk.post("/v1/subjects", json=subject("ROAD-9", name=" 城东道路维修 "))
        other_buyer = await clerk.post("/v1/subjects", json=subject(buyer_credit_code=enterprise(901)))
        bad_kind = await clerk.post("/v1/subjects", json=subject("ROAD-8", kind="land", name="x"))
        listed = (await clerk.get("/v1/subjects", params={"buyer_credit_code": BUYER})).json()
    async with client_for(app, Principal(key_id="t2", tenant="330199002", scopes=frozenset({"bidding:write"}))) as far:
        foreign = await far.post("/v1/subjects", json=subject("ROAD-7", name="别处", level="township",
                                                                site_code="330199001"))
    assert same_code.status_code == 409
    assert same_name.status_code == 409
    assert same_name.json()["code"] == "subject_exists"
    assert other_buyer.status_code == 201
    assert bad_kind.json()["errors"][0]["field"] == "kind"
    assert [s["code"] for s in listed] == ["ROAD-1"]
    assert foreign.status_code == 403


async def test_the_splitting_window_is_a_rolling_twelve_months(app: FastAPI, clock: FixedClock) -> None:
    clock.at = LATE
    await registered(app, subject(), subject("ROAD-2", name="城西道路维修"), subject("ROAD-3", name="城北道路维修"))
    async with client_for(app, CLERK) as clerk:
        # 366 days apart: two different 12-month periods.
        first = await clerk.post("/v1/direct-contracts", json=filing("D-1", "3000000.00", "2026-01-10"))
        year_on = await clerk.post("/v1/direct-contracts", json=filing("D-2", "1500000.00", "2027-01-11"))
        # 300 days apart, across the turn of the year: one 12-month period.
        spring = await clerk.post("/v1/direct-contracts", json=filing("D-3", "3000000.00", "2026-03-15", "ROAD-2"))
        winter = await clerk.post("/v1/direct-contracts", json=filing("D-4", "1500000.00", "2027-01-09", "ROAD-2"))
        # 365 days apart but less than 12 months, since they span 29 February 2028.
        march = await clerk.post("/v1/direct-contracts", json=filing("D-5", "3000000.00", "2027-03-01", "ROAD-3"))
        leap = await clerk.post("/v1/direct-contracts", json=filing("D-6", "1500000.00", "2028-02-29", "ROAD-3"))
    assert [first.status_code, year_on.status_code, spring.status_code, march.status_code] == [201] * 4
    assert winter.status_code == 422
    assert winter.json()["code"] == "direct_contract_split"
    assert winter.json()["errors"][0]["field"] == "amount"
    assert leap.json()["code"] == "direct_contract_split"


async def test_filings_more_than_twelve_months_apart_on_either_side_do_not_add_up(app: FastAPI,
                                                                                  clock: FixedClock) -> None:
    clock.at = LATE
    await registered(app)
    async with client_for(app, CLERK) as clerk:
        january = await clerk.post("/v1/direct-contracts", json=filing("D-1", "2000000.00", "2026-01-05"))
        next_summer = await clerk.post("/v1/direct-contracts", json=filing("D-2", "2000000.00", "2027-06-30"))
        between = await clerk.post("/v1/direct-contracts", json=filing("D-3", "500000.00", "2026-09-15"))
        filling = await clerk.post("/v1/direct-contracts", json=filing("D-4", "1500000.00", "2026-12-01"))
    assert [january.status_code, next_summer.status_code, between.status_code] == [201, 201, 201]
    # D-1, D-3 and D-4 lie within 12 months: 4,000,000 reaches the works threshold.
    assert filling.json()["code"] == "direct_contract_split"


async def test_thresholds_follow_the_kind_of_work(app: FastAPI) -> None:
    await registered(app, subject(), subject("PC-1", "goods", "办公电脑"), subject("DESIGN-1", "services", "道路设计"),
                     subject("PC-2", "goods", "会议室设备"))
    async with client_for(app, CLERK) as clerk:
        works = await clerk.post("/v1/direct-contracts", json=filing("D-1", "4000000.00", "2026-02-20"))
        goods = await clerk.post("/v1/direct-contracts", json=filing("D-2", "2000000.00", "2026-02-20", "PC-1"))
        goods_under = await clerk.post("/v1/direct-contracts", json=filing("D-3", "1999999.99", "2026-02-20", "PC-1"))
        services = await clerk.post("/v1/direct-contracts", json=filing("D-4", "1000000.00", "2026-02-20", "DESIGN-1"))
        first = await clerk.post("/v1/direct-contracts", json=filing("D-5", "1500000.00", "2026-02-20", "PC-2"))
        split = await clerk.post("/v1/direct-contracts", json=filing("D-6", "600000.00", "2026-02-21", "PC-2"))
    assert works.json()["code"] == "direct_contract_over_threshold"
    assert goods.json()["code"] == "direct_contract_over_threshold"
    assert "2000000" in goods.json()["errors"][0]["reason"]
    assert goods_under.status_code == 201, goods_under.text
    assert services.json()["code"] == "direct_contract_over_threshold"
    assert first.status_code == 201
    assert split.json()["code"] == "direct_contract_split"


async def test_the_thresholds_are_settings(settings: BiddingSettings, clock: FixedClock) -> None:
    local = settings.model_copy(update={"tender_threshold_goods": 3000000})
    application = create_app(local, clock=clock)
    async with running(application):
        await registered(application, subject("PC-1", "goods", "办公电脑"))
        async with client_for(application, CLERK) as clerk:
            under = await clerk.post("/v1/direct-contracts", json=filing("D-1", "2500000.00", "2026-02-20", "PC-1"))
            over = await clerk.post("/v1/direct-contracts", json=filing("D-2", "3000000.00", "2026-02-20", "PC-1"))
    assert under.status_code == 201, under.text
    assert over.json()["code"] == "direct_contract_over_threshold"


async def test_refused_filings_are_kept_and_listed_for_supervisors(app: FastAPI) -> None:
    await registered(app)
    async with client_for(app, CLERK) as clerk:
        over = await clerk.post("/v1/direct-contracts", json=filing("D-1", "4500000.00", "2026-02-20"))
        again = await clerk.post("/v1/direct-contracts", json=filing("D-1", "4500000.00", "2026-02-20"))
        kept = await clerk.post("/v1/direct-contracts", json=filing("D-2", "3000000.00", "2026-02-20"))
        split = await clerk.post("/v1/direct-contracts", json=filing("D-3", "1500000.00", "2026-02-25"))
        clerk_alerts = await clerk.get("/v1/alerts")
        not_a_project = await clerk.get("/v1/projects/D-3")
    assert [over.status_code, again.status_code, kept.status_code, split.status_code] == [422, 422, 201, 422]
    assert clerk_alerts.status_code == 403
    assert not_a_project.status_code == 404
    async with client_for(app, SUPERVISOR) as supervisor:
        alerts = (await supervisor.get("/v1/alerts")).json()
    refused = [a for a in alerts if a["kind"] == "direct_contract_refused"]
    assert [(a["project_code"], a["reason"]) for a in refused] == [
        ("D-1", "direct_contract_over_threshold"), ("D-3", "direct_contract_split")]
    assert refused[1]["amount"] == "1500000.00"
    assert refused[1]["subject_code"] == "ROAD-1"
    assert refused[1]["buyer_credit_code"] == BUYER
    assert "D-2" in refused[1]["detail"]


async def test_a_filing_counts_as_awarded_only_once_a_supervisor_approves(app: FastAPI) -> None:
    await registered(app)
    period = {"from": "2026-01-01", "to": "2026-12-31"}
    async with client_for(app, CLERK) as clerk:
        filed = await clerk.post("/v1/direct-contracts", json=filing("D-1", "300000.00", "2026-02-20"))
        officer = account("staff", "officer", "trading_officer", site="330199")
    async with client_for(app, SUPERVISOR) as supervisor:
        before = (await supervisor.get("/v1/stats", params=period)).json()
        feed_before = (await supervisor.get("/v1/ocds/releases")).json()
    async with client_for(app, officer) as trading_officer:
        by_officer = await trading_officer.post("/v1/direct-contracts/D-1/approve")
    async with client_for(app, account("supervisor", "sup-far", "supervisor", site="330199002")) as far:
        elsewhere = await far.post("/v1/direct-contracts/D-1/approve")
    async with client_for(app, account("supervisor", "sup-1", "supervisor", site="330199")) as supervisor:
        approved = await supervisor.post("/v1/direct-contracts/D-1/approve")
        history = (await supervisor.get("/v1/projects/D-1/transitions")).json()
        after = (await supervisor.get("/v1/stats", params=period)).json()
        feed_after = (await supervisor.get("/v1/ocds/releases")).json()
    assert filed.status_code == 201, filed.text
    assert (filed.json()["status"], filed.json()["awarded_at"]) == ("filed", None)
    assert before["awarded_projects"] == 0
    assert by_officer.json()["code"] == "subject_not_allowed"
    assert elsewhere.json()["code"] == "role_missing"
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "awarded"
    assert approved.json()["approved_by"] == "supervisor:sup-1"
    assert approved.json()["awarded_at"].startswith("2026-02-20")
    assert [t["to_status"] for t in history] == ["filed", "awarded"]
    assert (after["awarded_projects"], after["award_total"]) == (1, "300000.00")
    assert feed_before["releases"] == []
    assert [r["tag"] for r in feed_after["releases"]] == [["award", "contract"]]


async def test_a_rejected_filing_no_longer_counts_towards_a_split(app: FastAPI) -> None:
    await registered(app)
    async with client_for(app, CLERK) as clerk:
        await clerk.post("/v1/direct-contracts", json=filing("D-1", "3000000.00", "2026-02-20"))
        pending_counts = await clerk.post("/v1/direct-contracts", json=filing("D-2", "1500000.00", "2026-02-21"))
    async with client_for(app, account("supervisor", "sup-1", "supervisor", site="330199")) as supervisor:
        no_reason = await supervisor.post("/v1/direct-contracts/D-1/reject", json={"reason": " "})
        rejected = await supervisor.post("/v1/direct-contracts/D-1/reject", json={"reason": "不属于可以不招标的情形"})
        approve_rejected = await supervisor.post("/v1/direct-contracts/D-1/approve")
    async with client_for(app, CLERK) as clerk:
        after = await clerk.post("/v1/direct-contracts", json=filing("D-3", "1500000.00", "2026-02-21"))
    assert pending_counts.json()["code"] == "direct_contract_split"
    assert no_reason.json()["errors"][0]["field"] == "reason"
    assert rejected.json()["status"] == "rejected"
    assert approve_rejected.status_code == 409
    assert after.status_code == 201, after.text


async def test_supervisors_list_projects_by_procurement_method(app: FastAPI) -> None:
    await registered(app)
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post("/v1/projects", json=project_body("BM-2026-001"))).status_code == 201
        assert (await clerk.post("/v1/direct-contracts", json=filing("D-1", "300000.00", "2026-02-20"))).status_code == 201
    async with client_for(app, SUPERVISOR) as supervisor:
        direct = (await supervisor.get("/v1/projects", params={"method": "direct"})).json()["items"]
        tendered = (await supervisor.get("/v1/projects", params={"method": "open"})).json()["items"]
        filed = (await supervisor.get("/v1/projects", params={"status": "filed"})).json()["items"]
        bogus = await supervisor.get("/v1/projects", params={"method": "bargain"})
    assert [p["code"] for p in direct] == ["D-1"]
    assert [p["code"] for p in tendered] == ["BM-2026-001"]
    assert [p["code"] for p in filed] == ["D-1"]
    assert bogus.status_code == 422
