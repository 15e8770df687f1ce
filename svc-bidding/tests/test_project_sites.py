"""Where a tender sits: a district hall or a township of the site registry, in any district it holds (issue 20)."""

from __future__ import annotations

from bidding_factories import CLERK, add_second_district, bidder_key, enterprise, project_body, publicised_tender
from fastapi import FastAPI

from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import Principal
from bianmin.testing.client import client_for


async def test_a_tender_in_a_second_district_runs_from_publication_to_publicised_candidates(
        app: FastAPI, clock: FixedClock) -> None:
    await add_second_district(app)
    await publicised_tender(app, clock, "SZ-2026-011", level="township", site_code="320583011")
    async with client_for(app, CLERK) as clerk:
        project = (await clerk.get("/v1/projects/SZ-2026-011")).json()
        opening = (await clerk.get("/v1/projects/SZ-2026-011/opening")).json()
    async with client_for(app, bidder_key(3)) as bidder:
        seen = (await bidder.get("/v1/projects/SZ-2026-011")).json()
    assert (project["level"], project["site_code"], project["status"]) == ("township", "320583011", "publicised")
    assert {row["credit_code"] for row in opening} == {enterprise(1), enterprise(2), enterprise(3)}
    assert seen["code"] == "SZ-2026-011"


async def test_a_township_key_of_the_second_district_manages_its_own_tenders_only(app: FastAPI) -> None:
    await add_second_district(app)
    township = Principal(key_id="t-320583011", tenant="320583011", scopes=frozenset({"bidding:write"}))
    async with client_for(app, township) as key:
        own = await key.post("/v1/projects", json=project_body("SZ-2026-001", level="township", site_code="320583011"))
        district = await key.post("/v1/projects", json=project_body("SZ-2026-002", site_code="320583000"))
    assert own.status_code == 201, own.text
    assert district.status_code == 403


async def test_a_district_tender_sits_on_its_hall_or_on_the_county_code_of_a_hall_the_registry_holds(
        app: FastAPI) -> None:
    async with client_for(app, CLERK) as clerk:
        before = await clerk.post("/v1/projects", json=project_body("SZ-2026-001", site_code="320583"))
        await add_second_district(app)
        county = await clerk.post("/v1/projects", json=project_body("SZ-2026-001", site_code="320583"))
        hall = await clerk.post("/v1/projects", json=project_body("SZ-2026-002", site_code="320583000"))
        demo_hall = await clerk.post("/v1/projects", json=project_body("BM-2026-002", site_code="330199000"))
    assert before.status_code == 422
    assert before.json()["errors"][0]["field"] == "site_code"
    assert [county.status_code, hall.status_code, demo_hall.status_code] == [201, 201, 201]
    assert [county.json()["site_code"], hall.json()["site_code"]] == ["320583", "320583000"]


async def test_a_site_the_registry_does_not_hold_or_of_another_level_is_a_422_naming_site_code(app: FastAPI) -> None:
    cases = [("township", "330199011"), ("township", "320583011"), ("district", "320583000"),
             ("district", "330199001"), ("township", "330199000"), ("township", "330199"), ("district", "110101")]
    async with client_for(app, CLERK) as clerk:
        answers = [await clerk.post("/v1/projects", json=project_body(f"BM-2026-1{n:02d}", level=level, site_code=site))
                   for n, (level, site) in enumerate(cases)]
        filed = await clerk.post("/v1/direct-contracts", json={
            "code": "D-1", "name": "应急工程", "category": "construction", "level": "township", "site_code": "330199011",
            "subject_code": "x", "tenderer_name": "局", "tenderer_credit_code": enterprise(900),
            "contractor_credit_code": enterprise(7), "contractor_name": "便民区7号建设有限公司",
            "amount": "100000.00", "signed_on": "2026-02-20", "reason": "急"})
    assert [a.status_code for a in answers] == [422] * len(cases)
    assert {a.json()["errors"][0]["field"] for a in answers} == {"site_code"}
    assert filed.status_code == 422
    assert filed.json()["errors"][0]["field"] == "site_code"
