"""Online auctions: reserve and increment, late bids extend the end, the price cap and the final round, races."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest
from bidding_factories import CLERK, DEADLINE, bidder_key, enterprise, project_body, register
from fastapi import FastAPI

from bianmin.bidding.domain import auction as rules
from bianmin.bidding.domain.common import get_project
from bianmin.bidding.models import AuctionBid
from bianmin.kit.clock import FixedClock
from bianmin.kit.errors import Conflict
from bianmin.kit.identity import Principal
from bianmin.testing.client import client_for

CODE = "BM-LAND-001"
ANYONE = Principal(key_id="citizen", tenant=None, scopes=frozenset())


async def _lot(app: FastAPI, clock: FixedClock, *, cap: str | None = "850000.00") -> None:
    async with client_for(app, CLERK) as clerk:
        body = project_body(CODE, category="land_use", name="二号街道工业用地使用权出让")
        assert (await clerk.post("/v1/projects", json=body)).status_code == 201
        setup = await clerk.post(f"/v1/projects/{CODE}/auction", json={
            "reserve_price": "800000.00", "increment": "10000.00", "price_cap": cap,
            "starts_at": DEADLINE.isoformat(), "ends_at": (DEADLINE + timedelta(hours=1)).isoformat(),
            "extension_minutes": 5, "final_offer_minutes": 30})
        assert setup.status_code == 201, setup.text
        assert (await clerk.post(f"/v1/projects/{CODE}/publish")).status_code == 200
        for n in (1, 2, 3):
            assert (await clerk.post("/v1/deposits", json={
                "project_code": CODE, "section_code": "S1", "credit_code": enterprise(n), "amount": "20000.00",
                "account": f"62220000{n:04d}", "reference": f"L{n}"})).status_code == 201
    for n in (1, 2, 3):
        async with client_for(app, bidder_key(n)) as bidder:
            assert (await register(bidder, CODE, n)).status_code == 201
    clock.at = DEADLINE
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{CODE}/close")).status_code == 200


async def _bid(app: FastAPI, n: int, amount: str, path: str = "bids") -> dict:
    async with client_for(app, bidder_key(n)) as bidder:
        response = await bidder.post(f"/v1/projects/{CODE}/auction/{path}",
                                     json={"credit_code": enterprise(n), "amount": amount})
    return {**response.json(), "http": response.status_code}


def test_final_offers_go_to_the_highest_then_to_whoever_reached_the_cap_then_the_earliest() -> None:
    t = DEADLINE
    offers = [AuctionBid(id=1, credit_code="A", amount=Decimal(900), at=t),
              AuctionBid(id=2, credit_code="B", amount=Decimal(900), at=t + timedelta(minutes=1)),
              AuctionBid(id=3, credit_code="C", amount=Decimal(880), at=t)]
    assert rules.pick_final(offers, capped_by="B").credit_code == "B"
    assert rules.pick_final(offers, capped_by="C").credit_code == "A"
    assert rules.pick_final(offers[2:], capped_by=None).credit_code == "C"


async def test_bids_rise_by_the_increment_and_a_late_bid_extends_the_end(app: FastAPI, clock: FixedClock) -> None:
    await _lot(app, clock, cap=None)
    below_reserve = await _bid(app, 1, "790000.00")
    first = await _bid(app, 1, "800000.00")
    small_step = await _bid(app, 2, "805000.00")
    second = await _bid(app, 2, "810000.00")
    self_outbid = await _bid(app, 2, "820000.00")
    assert below_reserve["errors"][0]["field"] == "amount"
    assert first["current_price"] == "800000.00"
    assert small_step["http"] == 422
    assert second["current_price"] == "810000.00"
    assert self_outbid["code"] == "already_leading"
    async with client_for(app, ANYONE) as citizen:
        seen = (await citizen.get(f"/v1/projects/{CODE}/auction")).json()
    assert seen["leader_credit_code"] is None
    assert seen["bids"] == 2
    clock.at = DEADLINE + timedelta(minutes=58)
    late = await _bid(app, 3, "820000.00")
    assert late["ends_at"].startswith((DEADLINE + timedelta(minutes=63)).isoformat()[:19])
    clock.at = DEADLINE + timedelta(minutes=61)
    async with client_for(app, CLERK) as clerk:
        early = await clerk.post(f"/v1/projects/{CODE}/auction/finish")
        clock.at = DEADLINE + timedelta(minutes=63)
        finished = (await clerk.post(f"/v1/projects/{CODE}/auction/finish")).json()
        clock.advance(timedelta(days=3))
        awarded = (await clerk.post(f"/v1/projects/{CODE}/award")).json()
    assert early.json()["code"] == "auction_running"
    assert finished["winner_credit_code"] == enterprise(3)
    assert awarded["status"] == "awarded"
    assert awarded["sections"][0]["award_amount"] == "820000.00"
    after_end = await _bid(app, 1, "900000.00")
    assert after_end["http"] == 409


async def test_the_price_cap_opens_a_round_of_sealed_final_offers(app: FastAPI, clock: FixedClock) -> None:
    await _lot(app, clock)
    await _bid(app, 1, "800000.00")
    above_cap = await _bid(app, 2, "860000.00")
    capped = await _bid(app, 2, "850000.00")
    after_cap = await _bid(app, 1, "850000.00")
    assert above_cap["errors"][0]["field"] == "amount"
    assert capped["http"] == 200
    assert capped["current_price"] == "850000.00"
    assert after_cap["code"] == "auction_not_running"
    outsider = await _bid(app, 3, "900000.00", "final-offers")
    below_cap = await _bid(app, 1, "840000.00", "final-offers")
    offer = await _bid(app, 1, "905000.00", "final-offers")
    twice = await _bid(app, 1, "910000.00", "final-offers")
    assert outsider["code"] == "not_remaining_bidder"
    assert below_cap["errors"][0]["field"] == "amount"
    assert offer["http"] == 201
    assert twice["code"] == "final_offer_given"
    async with client_for(app, ANYONE) as citizen:
        sealed = (await citizen.get(f"/v1/projects/{CODE}/auction/bids")).json()
    assert all(b["kind"] == "ascending" for b in sealed)
    clock.advance(timedelta(minutes=30))
    async with client_for(app, CLERK) as clerk:
        finished = (await clerk.post(f"/v1/projects/{CODE}/auction/finish")).json()
        project = (await clerk.get(f"/v1/projects/{CODE}")).json()
    assert finished["winner_credit_code"] == enterprise(1)
    assert finished["winning_price"] == "905000.00"
    assert project["status"] == "publicised"


async def test_an_auction_without_bids_fails(app: FastAPI, clock: FixedClock) -> None:
    await _lot(app, clock)
    clock.at = DEADLINE + timedelta(hours=1)
    async with client_for(app, CLERK) as clerk:
        finished = (await clerk.post(f"/v1/projects/{CODE}/auction/finish")).json()
        project = (await clerk.get(f"/v1/projects/{CODE}")).json()
    assert finished["status"] == "failed"
    assert project["status"] == "failed"


async def test_of_two_bids_on_the_same_price_exactly_one_is_accepted(app: FastAPI, clock: FixedClock) -> None:
    await _lot(app, clock)
    await _bid(app, 1, "800000.00")
    sessionmaker = app.state.db.sessionmaker
    async with sessionmaker() as stale:
        p2 = await get_project(stale, CODE)
        a2 = await rules.auction_of(stale, p2)
        await stale.commit()  # the second bidder's view of the auction, read before the first bid lands
        async with sessionmaker() as first:
            p1 = await get_project(first, CODE)
            await rules.place_bid(first, p1, await rules.auction_of(first, p1), credit_code=enterprise(2),
                                  amount=Decimal("810000.00"), now=clock.now(), by=bidder_key(2), barred=[])
            await first.commit()
        with pytest.raises(Conflict) as raced:
            await rules.place_bid(stale, p2, a2, credit_code=enterprise(3), amount=Decimal("810000.00"),
                                  now=clock.now(), by=bidder_key(3), barred=[])
        await stale.rollback()
    assert raced.value.code == "outbid"
    racing = await asyncio.gather(_bid(app, 1, "820000.00"), _bid(app, 3, "820000.00"))
    assert sorted(r["http"] for r in racing) == [200, 409] or sorted(r["http"] for r in racing) == [200, 422]
    async with client_for(app, ANYONE) as citizen:
        assert (await citizen.get(f"/v1/projects/{CODE}/auction")).json()["bids"] == 3


async def test_auction_setup_is_validated(app: FastAPI) -> None:
    async with client_for(app, CLERK) as clerk:
        await clerk.post("/v1/projects", json=project_body())
        await clerk.post("/v1/projects", json=project_body(CODE, category="land_use"))
        base = {"reserve_price": "800000.00", "increment": "10000.00", "starts_at": DEADLINE.isoformat(),
                "ends_at": (DEADLINE + timedelta(hours=1)).isoformat()}
        tender = await clerk.post("/v1/projects/BM-2026-001/auction", json=base)
        early = await clerk.post(f"/v1/projects/{CODE}/auction",
                                 json={**base, "starts_at": (DEADLINE - timedelta(hours=1)).isoformat()})
        low_cap = await clerk.post(f"/v1/projects/{CODE}/auction", json={**base, "price_cap": "805000.00"})
        negative = await clerk.post(f"/v1/projects/{CODE}/auction", json={**base, "increment": "-1"})
        missing = await clerk.get("/v1/projects/BM-2026-001/auction")
    assert tender.json()["code"] == "not_auctioned"
    assert early.json()["errors"][0]["field"] == "starts_at"
    assert low_cap.json()["errors"][0]["field"] == "price_cap"
    assert negative.status_code == 422
    assert missing.status_code == 404
