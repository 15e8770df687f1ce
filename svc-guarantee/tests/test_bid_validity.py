"""A bid bond covers the bid validity period (招标投标法实施条例 §25, §26), at application and at issue."""

from typing import Any

from fastapi import FastAPI
from guarantee_factories import BIDDER, PICC, STAFF, application, published, seed_issuer, seed_project

from bianmin.testing.client import client_for

# The factories' tender closes on 2026-03-16 (NOW + 14 days).


async def _apply(app: FastAPI, expires_on: str) -> Any:
    async with client_for(app, BIDDER) as bidder:
        return await bidder.post("/v1/guarantees", json=application(expires_on=expires_on))


async def test_without_a_published_validity_a_bid_bond_covers_ninety_days_after_the_deadline(
        clocked_app: FastAPI, db_backend: str) -> None:
    async with client_for(clocked_app, STAFF) as staff:
        await seed_issuer(staff)
    await seed_project(clocked_app)
    short = await _apply(clocked_app, "2026-06-13")
    covering = await _apply(clocked_app, "2026-06-14")
    async with client_for(clocked_app, STAFF) as staff:
        tender = (await staff.get("/v1/projects/BM-2026-001")).json()
    assert short.status_code == 422
    assert short.json()["errors"][0]["field"] == "expires_on"
    assert "2026-06-14" in short.json()["errors"][0]["reason"]
    assert covering.status_code == 201, covering.text
    assert tender["bid_valid_until"] == "2026-06-14"


async def test_a_published_validity_period_is_the_one_a_bid_bond_covers(clocked_app: FastAPI, db_backend: str) -> None:
    async with client_for(clocked_app, STAFF) as staff:
        await seed_issuer(staff)
    await seed_project(clocked_app, published().model_copy(update={"bid_validity_days": 120}))
    short = await _apply(clocked_app, "2026-06-30")
    covering = await _apply(clocked_app, "2026-07-14")
    assert short.status_code == 422
    assert short.json()["errors"][0]["field"] == "expires_on"
    assert covering.status_code == 201, covering.text


async def test_a_bid_bond_no_longer_covering_a_lengthened_validity_is_not_issued(
        clocked_app: FastAPI, db_backend: str) -> None:
    async with client_for(clocked_app, STAFF) as staff:
        await seed_issuer(staff)
    await seed_project(clocked_app)
    applied = await _apply(clocked_app, "2026-06-30")
    number = applied.json()["number"]
    await seed_project(clocked_app, published().model_copy(update={"bid_validity_days": 120}))
    async with client_for(clocked_app, PICC) as picc:
        await picc.post(f"/v1/guarantees/{number}/underwrite")
        refused = await picc.post(f"/v1/guarantees/{number}/issue")
        record = (await picc.get(f"/v1/guarantees/{number}")).json()
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "expires_on"
    assert record["status"] == "underwriting"
