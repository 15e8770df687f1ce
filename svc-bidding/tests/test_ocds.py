"""OCDS 1.1: releases frozen at their event, compiled by the merge rules, declared lots, valid against the schema."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from bidding_factories import (
    CLERK,
    DEADLINE,
    T0,
    TENDERER,
    account,
    bidder_key,
    enterprise,
    project_body,
    publicised_tender,
    register,
)
from fastapi import FastAPI

from bianmin.bidding.domain import ocds
from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import Principal
from bianmin.testing.client import client_for

CODE = "BM-2026-001"
OCID = f"ocds-bm0199-{CODE}"
ANYONE = Principal(key_id="citizen", tenant=None, scopes=frozenset())
DATA = Path(__file__).parent / "data"
APPROVER = account("supervisor", "sup-1", "supervisor", site="330199")


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch: how an OCDS extension's release-schema.json patches the core schema."""
    if not isinstance(patch, dict):
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


@pytest.fixture(scope="module")
def validator() -> Any:
    """The OCDS 1.1.5 release schema patched by the lots extension the packages declare."""
    core = json.loads((DATA / "ocds-1.1-release-schema.json").read_text(encoding="utf-8"))
    lots = json.loads((DATA / "ocds-lots-extension-release-schema.json").read_text(encoding="utf-8"))
    return jsonschema_rs.Draft4Validator(merge_patch(core, lots), validate_formats=True)


def errors_of(validator: Any, release: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator.iter_errors(release)]


# --- the merge, as a pure function ---------------------------------------------------------------------


def test_merge_combines_objects_by_key_and_a_null_removes_a_field() -> None:
    first = {"ocid": "o", "id": "o-1", "date": "2026-01-01T00:00:00+00:00", "tag": ["tender"],
             "tender": {"id": "T", "title": "a", "status": "active", "value": {"amount": 1, "currency": "CNY"}}}
    second = {"ocid": "o", "id": "o-2", "date": "2026-02-01T00:00:00+00:00", "tag": ["tenderUpdate"],
              "tender": {"id": "T", "status": "cancelled", "value": None}}
    compiled = ocds.merge([first, second])
    assert compiled["tender"] == {"id": "T", "title": "a", "status": "cancelled"}
    assert compiled["tag"] == ["compiled"]
    assert compiled["date"] == "2026-02-01T00:00:00+00:00"
    assert compiled["id"] == "o-2026-02-01T00:00:00+00:00"


def test_merge_merges_arrays_of_objects_by_id_and_replaces_other_arrays() -> None:
    first = {"ocid": "o", "id": "o-1", "date": "2026-01-01T00:00:00+00:00", "tag": ["award"],
             "parties": [{"id": "A", "name": "甲", "roles": ["buyer"]}, {"id": "B", "name": "乙", "roles": ["tenderer"]}],
             "awards": [{"id": "1", "status": "active", "relatedLots": ["S1", "S2"]}]}
    second = {"ocid": "o", "id": "o-2", "date": "2026-02-01T00:00:00+00:00", "tag": ["contract"],
              "parties": [{"id": "B", "roles": ["tenderer", "supplier"]}, {"id": "C", "name": "丙", "roles": ["tenderer"]}],
              "awards": [{"id": "1", "relatedLots": ["S1"]}, {"id": "2", "status": "active", "description": None}],
              "contracts": [{"id": "1-C", "awardID": "1"}]}
    compiled = ocds.merge([first, second])
    assert compiled["parties"] == [{"id": "A", "name": "甲", "roles": ["buyer"]},
                                   {"id": "B", "name": "乙", "roles": ["tenderer", "supplier"]},
                                   {"id": "C", "name": "丙", "roles": ["tenderer"]}]
    assert compiled["awards"] == [{"id": "1", "status": "active", "relatedLots": ["S1"]}, {"id": "2", "status": "active"}]
    assert compiled["contracts"] == [{"id": "1-C", "awardID": "1"}]


def test_merge_takes_releases_in_date_order_and_leaves_its_inputs_unchanged() -> None:
    early = {"ocid": "o", "id": "o-1", "date": "2026-01-01T00:00:00+00:00", "tag": ["tender"], "tender": {"id": "T", "status": "active"}}
    late = {"ocid": "o", "id": "o-2", "date": "2026-03-01T00:00:00+00:00", "tag": ["tenderUpdate"],
            "tender": {"id": "T", "status": "complete"}}
    snapshot = json.dumps([early, late])
    assert ocds.merge([late, early])["tender"]["status"] == "complete"
    assert json.dumps([early, late]) == snapshot


# --- through the API -------------------------------------------------------------------------------------


async def _record(app: FastAPI) -> dict[str, Any]:
    async with client_for(app, ANYONE) as citizen:
        response = await citizen.get(f"/v1/projects/{CODE}/ocds")
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_release_keeps_its_date_and_content_after_later_events(app: FastAPI, clock: FixedClock) -> None:
    """A release states what was known when its event happened: later events add releases, never edit one."""
    await publicised_tender(app, clock)
    before_award = (await _record(app))["records"][0]["releases"]
    clock.advance(timedelta(days=3))
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{CODE}/award")).status_code == 200
    after_award = (await _record(app))["records"][0]["releases"]
    clock.advance(timedelta(days=2))
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{CODE}/sections/S1/contract")).status_code == 200
    after_contract = (await _record(app))["records"][0]["releases"]
    tender = before_award[0]
    assert tender["tag"] == ["tender"]
    assert tender["date"] == T0.isoformat()
    assert "numberOfTenderers" not in tender["tender"]  # published while secret, and so it stays
    assert after_contract[: len(before_award)] == before_award
    assert after_contract[: len(after_award)] == after_award
    award = after_award[-1]
    assert award["tag"] == ["award"]
    assert "contracts" not in award
    contract = after_contract[-1]
    assert contract["tag"] == ["contract"]
    assert contract["date"] == (DEADLINE + timedelta(minutes=20, days=5)).isoformat()
    assert contract["contracts"][0]["dateSigned"] == contract["date"]
    assert len({r["id"] for r in after_contract}) == len(after_contract)


async def test_the_compiled_release_merges_every_release(app: FastAPI, clock: FixedClock) -> None:
    await publicised_tender(app, clock)
    clock.advance(timedelta(days=3))
    async with client_for(app, CLERK) as clerk:
        await clerk.post(f"/v1/projects/{CODE}/award")
        clock.advance(timedelta(days=1))
        await clerk.post(f"/v1/projects/{CODE}/sections/S1/contract")
    record = (await _record(app))["records"][0]
    compiled, releases = record["compiledRelease"], record["releases"]
    latest = max(r["date"] for r in releases)
    assert compiled == ocds.merge(releases)
    assert compiled["tag"] == ["compiled"]
    assert compiled["id"] == f"{OCID}-{latest}"
    assert compiled["date"] == latest
    assert compiled["awards"][0]["suppliers"][0]["id"] == f"CN-USCC-{enterprise(3)}"
    assert compiled["contracts"][0]["awardID"] == compiled["awards"][0]["id"]
    assert compiled["tender"]["numberOfTenderers"] == 3
    assert compiled["tender"]["status"] == "complete"


async def test_packages_declare_the_lots_extension_they_use(app: FastAPI, clock: FixedClock) -> None:
    await publicised_tender(app, clock)
    record = await _record(app)
    async with client_for(app, ANYONE) as citizen:
        feed = (await citizen.get("/v1/ocds/releases")).json()
    assert "lots" in record["records"][0]["releases"][0]["tender"]
    for body in (record, feed):
        assert body["extensions"] == [ocds.LOTS_EXTENSION]
        assert body["extensions"][0].endswith("/extension.json")


def _direct(code: str, **changes: Any) -> dict[str, Any]:
    body = {"code": code, "name": "便民区应急抢修", "category": "construction", "level": "district", "site_code": "330199",
            "subject_code": "W-1", "tenderer_name": "便民区住建局", "tenderer_credit_code": TENDERER,
            "contractor_credit_code": enterprise(7), "contractor_name": "便民区7号建设有限公司", "amount": "300000.00",
            "signed_on": "2026-02-20", "reason": "紧急抢修"}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


async def _subject(app: FastAPI) -> None:
    async with client_for(app, CLERK) as clerk:
        made = await clerk.post("/v1/subjects", json={"buyer_credit_code": TENDERER, "code": "W-1", "name": "应急抢修",
                                                      "kind": "works", "level": "district", "site_code": "330199"})
    assert made.status_code == 201, made.text


async def test_a_direct_contract_names_its_contractor_and_a_filing_without_the_name_is_refused(
        app: FastAPI, clock: FixedClock) -> None:
    await _subject(app)
    async with client_for(app, CLERK) as clerk:
        nameless = await clerk.post("/v1/direct-contracts", json=_direct("BM-D-000", contractor_name=None))
        blank = await clerk.post("/v1/direct-contracts", json=_direct("BM-D-000", contractor_name=""))
        filed = await clerk.post("/v1/direct-contracts", json=_direct("BM-D-001"))
    assert nameless.status_code == 422
    assert [e["field"] for e in nameless.json()["errors"]] == ["contractor_name"]
    assert blank.status_code == 422
    assert filed.status_code == 201, filed.text
    async with client_for(app, APPROVER) as supervisor:
        assert (await supervisor.post("/v1/direct-contracts/BM-D-001/approve")).status_code == 200
    async with client_for(app, ANYONE) as citizen:
        releases = (await citizen.get("/v1/projects/BM-D-001/ocds")).json()["records"][0]["releases"]
        nothing = await citizen.get("/v1/projects/BM-D-000/ocds")
    assert nothing.status_code == 404
    award = releases[-1]["awards"][0]
    assert award["suppliers"] == [{"id": f"CN-USCC-{enterprise(7)}", "name": "便民区7号建设有限公司"}]
    supplier = next(p for p in releases[-1]["parties"] if p["id"] == award["suppliers"][0]["id"])
    assert supplier["roles"] == ["supplier"]
    assert supplier["name"] == "便民区7号建设有限公司"


LAND = "BM-LAND-001"
RESERVE = "800000.00"


async def _land_sale(app: FastAPI, clock: FixedClock) -> None:
    deadline = clock.at + timedelta(days=30)
    async with client_for(app, CLERK) as clerk:
        body = project_body(LAND, category="land_use", name="二号街道工业用地使用权出让", budget=RESERVE,
                            tenderer_name="便民区自然资源局", bid_deadline=deadline.isoformat(),
                            opening_at=deadline.isoformat(),
                            sections=[{"code": "S1", "name": "地块", "budget": RESERVE, "bid_bond_amount": "160000.00"}])
        assert (await clerk.post("/v1/projects", json=body)).status_code == 201
        assert (await clerk.post(f"/v1/projects/{LAND}/auction", json={
            "reserve_price": RESERVE, "increment": "10000.00", "price_cap": None, "sale_method": "auction",
            "starts_at": deadline.isoformat(), "ends_at": (deadline + timedelta(hours=1)).isoformat(),
            "extension_minutes": 5, "final_offer_minutes": 30})).status_code == 201
        assert (await clerk.post(f"/v1/projects/{LAND}/publish")).status_code == 200
        for n in (1, 2):
            assert (await clerk.post("/v1/deposits", json={
                "project_code": LAND, "section_code": "S1", "credit_code": enterprise(n), "amount": "160000.00",
                "account": f"62220000{n:04d}", "reference": f"L{n}"})).status_code == 201
    for n in (1, 2):
        async with client_for(app, bidder_key(n)) as bidder:
            assert (await register(bidder, LAND, n)).status_code == 201
    clock.at = deadline
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{LAND}/close")).status_code == 200
    async with client_for(app, bidder_key(2)) as bidder:
        placed = await bidder.post(f"/v1/projects/{LAND}/auction/bids",
                                   json={"credit_code": enterprise(2), "amount": "850000.00"})
        assert placed.status_code in (200, 201), placed.text
    clock.at = deadline + timedelta(hours=1)
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{LAND}/auction/finish")).status_code == 200
        clock.advance(timedelta(days=3))
        assert (await clerk.post(f"/v1/projects/{LAND}/award")).status_code == 200


async def test_a_sale_names_the_seller_and_the_purchaser_by_the_roles_of_a_sale(app: FastAPI, clock: FixedClock) -> None:
    """The purchaser pays the government: it is the ``payer``, never the government's ``supplier``."""
    await _land_sale(app, clock)
    async with client_for(app, ANYONE) as citizen:
        record = (await citizen.get(f"/v1/projects/{LAND}/ocds")).json()["records"][0]
    seller, purchaser = f"CN-USCC-{TENDERER}", f"CN-USCC-{enterprise(2)}"
    for release in [*record["releases"], record["compiledRelease"]]:
        roles = {p["id"]: p["roles"] for p in release["parties"]}
        assert roles[seller] == ["procuringEntity", "payee"]
        assert "buyer" not in release
        assert release["tender"]["procuringEntity"] == {"id": seller, "name": "便民区自然资源局"}
        assert all("supplier" not in r for r in roles.values())
        assert all("suppliers" not in a for a in release.get("awards", []))
    award_release = record["releases"][-1]
    assert {p["id"]: p["roles"] for p in award_release["parties"]}[purchaser] == ["tenderer", "payer"]
    assert award_release["awards"][0]["value"] == {"amount": 850000.0, "currency": "CNY"}
    assert enterprise(2) in award_release["awards"][0]["description"]


async def test_every_release_validates_against_the_ocds_1_1_release_schema(
        app: FastAPI, clock: FixedClock, validator: Any) -> None:
    await _subject(app)
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post("/v1/direct-contracts", json=_direct("BM-D-001"))).status_code == 201
        assert (await clerk.post("/v1/projects", json=project_body("BM-2026-009"))).status_code == 201
        assert (await clerk.post("/v1/projects/BM-2026-009/publish")).status_code == 200
        assert (await clerk.post("/v1/projects/BM-2026-009/cancel", json={"reason": "需求变更"})).status_code == 200
    async with client_for(app, APPROVER) as supervisor:
        assert (await supervisor.post("/v1/direct-contracts/BM-D-001/approve")).status_code == 200
    await publicised_tender(app, clock)
    clock.advance(timedelta(days=3))
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{CODE}/award")).status_code == 200
        assert (await clerk.post(f"/v1/projects/{CODE}/sections/S1/contract")).status_code == 200
    await _land_sale(app, clock)
    seen: list[dict[str, Any]] = []
    async with client_for(app, ANYONE) as citizen:
        for code in (CODE, "BM-2026-009", "BM-D-001", LAND):
            record = (await citizen.get(f"/v1/projects/{code}/ocds")).json()["records"][0]
            seen += [*record["releases"], record["compiledRelease"]]
        seen += (await citizen.get("/v1/ocds/releases", params={"limit": 100})).json()["releases"]
    tags = {t for release in seen for t in release["tag"]}
    assert {"tender", "tenderUpdate", "tenderCancellation", "award", "contract", "compiled"} <= tags
    for release in seen:
        assert errors_of(validator, release) == [], release["id"]


def test_the_schema_check_catches_an_invalid_release(validator: Any) -> None:
    """The validator is real: a nameless supplier, an unknown tender status and a lot without the extension fail."""
    release = {"ocid": OCID, "id": f"{OCID}-1", "date": T0.isoformat(), "tag": ["award"], "initiationType": "tender",
               "tender": {"id": CODE, "status": "open", "lots": [{"id": 1}]},
               "awards": [{"id": "A", "suppliers": [{"id": "X", "name": ""}]}]}
    found = " ".join(errors_of(validator, release))
    assert "tender/status" in found
    assert "awards/0/suppliers/0/name" in found
    assert "tender/lots/0/id" in found
