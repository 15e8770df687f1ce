"""Online auctions: reserve and increment, late bids extend the end, the price cap and the final round, races."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import timedelta
from decimal import Decimal

import pytest
from bidding_factories import CLERK, DEADLINE, SUPERVISOR, bidder_key, enterprise, project_body, register
from fastapi import FastAPI

from bianmin.bidding.domain import auction as rules
from bianmin.bidding.domain.common import get_project
from bianmin.bidding.models import AuctionBid
from bianmin.kit.clock import FixedClock
from bianmin.kit.errors import Conflict
from bianmin.kit.identity import Principal
from bianmin.testing.client import client_for

CODE = "BM-LAND-001"
RESERVE = "800000.00"  # a sale's section budget is its reserve price (底价)
DEPOSIT = "160000.00"  # 20% of the reserve
ANYONE = Principal(key_id="citizen", tenant=None, scopes=frozenset())


async def _lot(app: FastAPI, clock: FixedClock, *, cap: str | None = "850000.00", mode: str | None = "lottery",
               second_item: str | None = None) -> None:
    async with client_for(app, CLERK) as clerk:
        body = project_body(CODE, category="land_use", name="二号街道工业用地使用权出让", budget=RESERVE,
                            sections=[{"code": "S1", "name": "地块", "budget": RESERVE, "bid_bond_amount": DEPOSIT}])
        assert (await clerk.post("/v1/projects", json=body)).status_code == 201
        setup = await clerk.post(f"/v1/projects/{CODE}/auction", json={
            "reserve_price": "800000.00", "increment": "10000.00", "price_cap": cap, "sale_method": "auction",
            "starts_at": DEADLINE.isoformat(), "ends_at": (DEADLINE + timedelta(hours=1)).isoformat(),
            "extension_minutes": 5, "final_offer_minutes": 30,
            **({"cap_mode": mode} if cap else {}), **({"second_item": second_item} if second_item else {})})
        assert setup.status_code == 201, setup.text
        assert (await clerk.post(f"/v1/projects/{CODE}/publish")).status_code == 200
        for n in (1, 2, 3):
            assert (await clerk.post("/v1/deposits", json={
                "project_code": CODE, "section_code": "S1", "credit_code": enterprise(n), "amount": DEPOSIT,
                "account": f"62220000{n:04d}", "reference": f"L{n}"})).status_code == 201
    for n in (1, 2, 3):
        async with client_for(app, bidder_key(n)) as bidder:
            assert (await register(bidder, CODE, n)).status_code == 201
    clock.at = DEADLINE
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{CODE}/close")).status_code == 200


async def _bid(app: FastAPI, n: int, amount: str, path: str = "bids", **more: str) -> dict:
    async with client_for(app, bidder_key(n)) as bidder:
        response = await bidder.post(f"/v1/projects/{CODE}/auction/{path}",
                                     json={"credit_code": enterprise(n), "amount": amount, **more})
    return {**response.json(), "http": response.status_code}


def test_the_lottery_order_is_recomputable_from_the_revealed_seed() -> None:
    seed = "11" * 32
    digests = {code: hashlib.sha256(f"{seed}|{CODE}|{code}".encode()).hexdigest() for code in "ABC"}
    order = rules.lottery_order(seed, CODE, ["B", "A", "C"])
    assert order == sorted("ABC", key=digests.__getitem__)
    assert order == rules.lottery_order(seed, CODE, ["C", "B", "A", "A"])  # entry order and repeats do not matter
    assert len({tuple(rules.lottery_order(f"{n:02x}" * 32, CODE, list("ABC"))) for n in range(16)}) > 1


def test_the_highest_second_item_wins_and_a_tie_goes_to_the_lottery() -> None:
    t = DEADLINE
    offers = [AuctionBid(id=1, credit_code="A", amount=Decimal(900), second_value=Decimal(15), at=t),
              AuctionBid(id=2, credit_code="B", amount=Decimal(900), second_value=Decimal(20), at=t),
              AuctionBid(id=3, credit_code="C", amount=Decimal(900), second_value=Decimal(20), at=t)]
    seed = "33" * 32
    tied = rules.lottery_order(seed, CODE, ["B", "C"])[0]
    assert rules.pick_at_cap(offers, mode="second_item", seed=seed, project_code=CODE) == tied
    assert rules.pick_at_cap(offers[:2], mode="second_item", seed=seed, project_code=CODE) == "B"
    assert rules.pick_at_cap(offers, mode="lottery", seed=seed, project_code=CODE) == \
        rules.lottery_order(seed, CODE, ["A", "B", "C"])[0]


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
    async with client_for(app, SUPERVISOR) as supervisor:
        figures = (await supervisor.get("/v1/stats", params={"from": "2026-01-01", "to": "2026-12-31"})).json()
    # a sale is not a saving: savings count procurement only, a sale reports its premium over the reserve
    assert (figures["savings"], figures["savings_rate"], figures["award_total"]) == ("0", None, "0")
    assert (figures["sales_reserve_total"], figures["sales_price_total"]) == (RESERVE, "820000.00")
    assert figures["premium_rate"] == "0.0250"
    after_end = await _bid(app, 1, "900000.00")
    assert after_end["http"] == 409


async def test_the_price_cap_is_a_cap_and_a_lottery_picks_among_those_at_it(app: FastAPI, clock: FixedClock) -> None:
    """限地价: no offer above the cap is taken, ever; who reaches it, and who joins at it, go to the lottery."""
    await _lot(app, clock)
    await _bid(app, 1, "800000.00")
    above_cap = await _bid(app, 2, "860000.00")
    capped = await _bid(app, 2, "850000.00")
    after_cap = await _bid(app, 1, "850000.00")
    assert above_cap["errors"][0]["field"] == "amount"
    assert capped["http"] == 200
    assert capped["current_price"] == "850000.00"
    assert after_cap["code"] == "auction_not_running"
    outsider = await _bid(app, 3, "850000.00", "final-offers")
    over_the_cap = await _bid(app, 1, "905000.00", "final-offers")
    second_item = await _bid(app, 1, "850000.00", "final-offers", second_value="10")
    joined = await _bid(app, 1, "850000.00", "final-offers")
    twice = await _bid(app, 1, "850000.00", "final-offers")
    assert outsider["code"] == "not_remaining_bidder"
    assert over_the_cap["errors"][0]["field"] == "amount"
    assert second_item["errors"][0]["field"] == "second_value"
    assert joined["http"] == 201
    assert twice["code"] == "final_offer_given"
    async with client_for(app, ANYONE) as citizen:
        running = (await citizen.get(f"/v1/projects/{CODE}/auction")).json()
        sealed = (await citizen.get(f"/v1/projects/{CODE}/auction/bids")).json()
    assert all(b["kind"] == "ascending" for b in sealed)
    assert running["draw_seed"] is None
    assert len(running["draw_commitment"]) == 64
    clock.advance(timedelta(minutes=30))
    async with client_for(app, CLERK) as clerk:
        finished = (await clerk.post(f"/v1/projects/{CODE}/auction/finish")).json()
        project = (await clerk.get(f"/v1/projects/{CODE}")).json()
    seed = finished["draw_seed"]
    assert hashlib.sha256(bytes.fromhex(seed)).hexdigest() == finished["draw_commitment"]
    assert finished["draw_entrants"] == sorted([enterprise(1), enterprise(2)])
    assert finished["winner_credit_code"] == rules.lottery_order(seed, CODE, [enterprise(1), enterprise(2)])[0]
    assert finished["winning_price"] == "850000.00"
    assert project["status"] == "publicised"


async def test_a_sealed_second_item_decides_among_those_at_the_cap(app: FastAPI, clock: FixedClock) -> None:
    """竞自持: at the cap each remaining bidder gives one sealed offer of the second item; the highest wins."""
    await _lot(app, clock, mode="second_item", second_item="自持租赁住房面积比例(%)")
    await _bid(app, 1, "800000.00")
    await _bid(app, 3, "810000.00")
    await _bid(app, 2, "850000.00")
    without_item = await _bid(app, 1, "850000.00", "final-offers")
    first = await _bid(app, 1, "850000.00", "final-offers", second_value="12.5")
    third = await _bid(app, 3, "850000.00", "final-offers", second_value="20")
    assert without_item["errors"][0]["field"] == "second_value"
    assert (first["http"], third["http"]) == (201, 201)
    clock.advance(timedelta(minutes=30))
    async with client_for(app, CLERK) as clerk:
        finished = (await clerk.post(f"/v1/projects/{CODE}/auction/finish")).json()
        offers = (await clerk.get(f"/v1/projects/{CODE}/auction/bids")).json()
    assert finished["winner_credit_code"] == enterprise(3)
    assert finished["winning_price"] == "850000.00"
    assert finished["winning_second_value"] == "20.00"
    finals = {o["credit_code"]: o["second_value"] for o in offers if o["kind"] == "final"}
    assert finals == {enterprise(1): "12.50", enterprise(3): "20.00"}  # the capper gave none: bound at the cap, item 0


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
        await clerk.post("/v1/projects", json=project_body(CODE, category="land_use", budget=RESERVE, sections=[
            {"code": "S1", "name": "地块", "budget": RESERVE, "bid_bond_amount": DEPOSIT}]))
        base = {"reserve_price": "800000.00", "increment": "10000.00", "sale_method": "auction",
                "starts_at": DEADLINE.isoformat(),
                "ends_at": (DEADLINE + timedelta(hours=1)).isoformat()}
        tender = await clerk.post("/v1/projects/BM-2026-001/auction", json=base)
        early = await clerk.post(f"/v1/projects/{CODE}/auction",
                                 json={**base, "starts_at": (DEADLINE - timedelta(hours=1)).isoformat()})
        low_cap = await clerk.post(f"/v1/projects/{CODE}/auction",
                                   json={**base, "price_cap": "805000.00", "cap_mode": "lottery"})
        no_mode = await clerk.post(f"/v1/projects/{CODE}/auction", json={**base, "price_cap": "850000.00"})
        mode_no_cap = await clerk.post(f"/v1/projects/{CODE}/auction", json={**base, "cap_mode": "lottery"})
        unnamed_item = await clerk.post(f"/v1/projects/{CODE}/auction",
                                        json={**base, "price_cap": "850000.00", "cap_mode": "second_item"})
        negative = await clerk.post(f"/v1/projects/{CODE}/auction", json={**base, "increment": "-1"})
        missing = await clerk.get("/v1/projects/BM-2026-001/auction")
    assert tender.json()["code"] == "not_auctioned"
    assert early.json()["errors"][0]["field"] == "starts_at"
    assert low_cap.json()["errors"][0]["field"] == "price_cap"
    assert no_mode.json()["errors"][0]["field"] == "cap_mode"
    assert mode_no_cap.json()["errors"][0]["field"] == "cap_mode"
    assert unnamed_item.json()["errors"][0]["field"] == "second_item"
    assert negative.status_code == 422
    assert missing.status_code == 404


@pytest.mark.parametrize(("category", "bond", "accepted"), [
    ("land_use", "16000.00", False),  # 2%: a tender's limit (§26) is not a land sale's deposit
    ("land_use", "160000.00", True),
    ("land_use", "400000.00", True),
    ("land_use", "480000.00", False),
    ("state_property", "240000.00", True),
    ("state_property", "280000.00", False),
    ("construction", "160000.00", False),
])
async def test_a_sales_deposit_follows_its_own_rule_not_the_bid_bond_limit(
        app: FastAPI, category: str, bond: str, accepted: bool) -> None:
    body = project_body(CODE, category=category, budget=RESERVE,
                        sections=[{"code": "S1", "name": "标的", "budget": RESERVE, "bid_bond_amount": bond}])
    if category == "state_property":  # disclosed 20 working days (32号令 §13): to Monday 30 March at the earliest
        body.update(bid_deadline=(DEADLINE + timedelta(days=8)).isoformat(),
                    opening_at=(DEADLINE + timedelta(days=8)).isoformat())
    async with client_for(app, CLERK) as clerk:
        created = await clerk.post("/v1/projects", json=body)
    assert created.status_code == (201 if accepted else 422), created.text
    if not accepted:
        assert created.json()["errors"][0]["field"] == "sections.0.bid_bond_amount"


async def test_an_auction_starts_from_the_announced_reserve(app: FastAPI) -> None:
    body = project_body(CODE, category="land_use", budget=RESERVE,
                        sections=[{"code": "S1", "name": "地块", "budget": RESERVE, "bid_bond_amount": DEPOSIT}])
    async with client_for(app, CLERK) as clerk:
        await clerk.post("/v1/projects", json=body)
        other = await clerk.post(f"/v1/projects/{CODE}/auction", json={
            "reserve_price": "700000.00", "increment": "10000.00", "starts_at": DEADLINE.isoformat(),
            "ends_at": (DEADLINE + timedelta(hours=1)).isoformat()})
    assert other.json()["errors"][0]["field"] == "reserve_price"
