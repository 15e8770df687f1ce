"""The committee's and the tenderer's choices at evaluation and award, as the statutes give them.

- 招标投标法 §42: the committee may reject every bid, with its reasons; the section then fails.
  A section does not fail by itself because fewer than three bids stayed valid after the opening,
  unless the tender's documents say so (``min_valid_bids``).
- 招标投标法实施条例 §51(5) and 评标委员会和评标方法暂行规定 §21: a price markedly below the others or
  the ceiling is flagged to the committee, which asks for an explanation and keeps or rejects the bid.
- 招标投标法实施条例 §55: when the first candidate declines, does not sign or gives no performance
  bond, the award may go to the next candidate in ranking order.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from bidding_factories import (
    CLERK,
    DEADLINE,
    bidder_key,
    enterprise,
    open_tender,
    project_body,
    publicised_tender,
    register,
    sign_in,
    submit,
)
from fastapi import FastAPI
from test_tender_end_events import announced

from bianmin.bidding.domain.low_prices import LowPriceRule, abnormally_low
from bianmin.kit.clock import FixedClock
from bianmin.testing.client import client_for

CODE = "BM-2026-001"


async def opened_tender(app: FastAPI, clock: FixedClock, prices: dict[int, str], **changes: Any) -> dict[str, Any]:
    """A tender whose bids were all revealed and whose opening finished; the project as the finish returned it."""
    bids = await open_tender(app, clock, CODE, prices, **changes)
    for n, (bid_id, secret) in bids.items():
        async with client_for(app, bidder_key(n)) as bidder:
            revealed = await bidder.post(f"/v1/projects/{CODE}/bids/{bid_id}/reveal", json=secret.as_reveal())
            assert revealed.status_code == 200, revealed.text
    async with client_for(app, CLERK) as clerk:
        finished = await clerk.post(f"/v1/projects/{CODE}/opening/finish")
    assert finished.status_code == 200, finished.text
    return dict(finished.json())


async def evaluating_tender(app: FastAPI, clock: FixedClock, prices: dict[int, str], **changes: Any) -> None:
    """A tender opened and in evaluation."""
    assert (await opened_tender(app, clock, prices, **changes))["status"] == "opened"
    clock.advance(timedelta(minutes=20))
    async with client_for(app, CLERK) as clerk:
        started = await clerk.post(f"/v1/projects/{CODE}/evaluation/start")
    assert started.json()["status"] == "evaluating", started.text


async def bids_by_bidder(app: FastAPI) -> dict[str, dict[str, Any]]:
    """The opened bids, by credit code."""
    async with client_for(app, CLERK) as clerk:
        return {b["credit_code"]: b for b in (await clerk.get(f"/v1/projects/{CODE}/bids")).json()}


# --- fewer than three valid bids ---------------------------------------------------------------------------

TWO_VALID = {1: "900000.00", 2: "950000.00", 3: "1100000.00"}  # the third is above the ceiling


async def test_two_valid_bids_go_on_to_evaluation_when_the_tender_sets_no_floor(app: FastAPI, clock: FixedClock) -> None:
    """§42 lets the committee judge a thin field; nothing fails it by itself."""
    opened = await opened_tender(app, clock, TWO_VALID)
    clock.advance(timedelta(minutes=20))
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{CODE}/evaluation/start")).status_code == 200
        publicised = (await clerk.post(f"/v1/projects/{CODE}/evaluation/publicise")).json()
        clock.advance(timedelta(days=3))
        awarded = (await clerk.post(f"/v1/projects/{CODE}/award")).json()
    assert opened["status"] == "opened"
    assert opened["sections"][0]["outcome"] == "pending"
    assert publicised["status"] == "publicised"
    assert awarded["sections"][0]["winner_credit_code"] == enterprise(1)


async def test_a_tender_that_says_so_fails_a_section_left_with_fewer_valid_bids(app: FastAPI, clock: FixedClock) -> None:
    opened = await opened_tender(app, clock, TWO_VALID, min_valid_bids=3)
    assert opened["status"] == "failed"
    assert "2 valid bid(s), fewer than 3" in opened["sections"][0]["failure_reason"]
    assert opened["min_valid_bids"] == 3


async def test_the_tender_states_its_floor_and_a_floor_that_is_not_a_count_is_refused(app: FastAPI) -> None:
    async with client_for(app, CLERK) as clerk:
        refused = await clerk.post("/v1/projects", json=project_body(CODE, min_valid_bids=0))
        missing = await clerk.get(f"/v1/projects/{CODE}")
        stated = await clerk.post("/v1/projects", json=project_body(CODE, min_valid_bids=3))
        unstated = await clerk.post("/v1/projects", json=project_body("BM-2026-002"))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "min_valid_bids"
    assert missing.status_code == 404
    assert stated.status_code == 201, stated.text
    assert stated.json()["min_valid_bids"] == 3
    assert unstated.json()["min_valid_bids"] is None


async def test_a_section_with_no_valid_bid_fails_whatever_the_tender_says(app: FastAPI, clock: FixedClock) -> None:
    opened = await opened_tender(app, clock, {1: "1100000.00", 2: "1200000.00", 3: "1300000.00"})
    assert opened["status"] == "failed"
    assert opened["sections"][0]["failure_reason"].startswith("0 valid bid(s)")


# --- the committee rejects every bid (§42) -------------------------------------------------------------------


async def test_the_committee_may_reject_every_bid_with_its_reasons(app: FastAPI, clock: FixedClock) -> None:
    await evaluating_tender(app, clock, {1: "900000.00", 2: "950000.00", 3: "870000.00"})
    async with client_for(app, CLERK) as clerk:
        blank = await clerk.post(f"/v1/projects/{CODE}/sections/S1/rejection", json={"reason": "  "})
        unchanged = (await clerk.get(f"/v1/projects/{CODE}")).json()
        rejected = await clerk.post(f"/v1/projects/{CODE}/sections/S1/rejection",
                                    json={"reason": "所有投标均不满足招标文件第三章实质性要求"})
        again = await clerk.post(f"/v1/projects/{CODE}/sections/S1/rejection", json={"reason": "再次否决"})
        decisions = (await clerk.get(f"/v1/projects/{CODE}/evaluation/decisions")).json()
    (failed,) = await announced(app, "bidding.project.failed")
    bids = await bids_by_bidder(app)
    assert blank.status_code == 422
    assert blank.json()["errors"][0]["field"] == "reason"
    assert unchanged["status"] == "evaluating"
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "failed"
    reason = rejected.json()["sections"][0]["failure_reason"]
    assert "§42" in reason
    assert "实质性要求" in reason
    assert {b["validity"] for b in bids.values()} == {"rejected"}
    assert failed["failed_section_codes"] == ["S1"]
    assert again.status_code == 409
    assert [(d["kind"], d["section_code"], d["actor"]) for d in decisions] == [("all_rejected", "S1", "clerk")]


async def test_bids_cannot_be_rejected_outside_the_evaluation(app: FastAPI, clock: FixedClock) -> None:
    await opened_tender(app, clock, {1: "900000.00", 2: "950000.00", 3: "870000.00"})
    async with client_for(app, CLERK) as clerk:
        early = await clerk.post(f"/v1/projects/{CODE}/sections/S1/rejection", json={"reason": "不合格"})
    assert early.status_code == 409
    assert early.json()["code"] == "not_evaluating"


# --- abnormally low prices -----------------------------------------------------------------------------------


def test_the_low_price_rule_flags_a_price_far_below_the_others_or_the_ceiling() -> None:
    rule = LowPriceRule(below_others=Decimal("0.20"), below_ceiling=Decimal("0.30"))
    ceiling = Decimal("1000000")
    others = [Decimal("900000"), Decimal("950000")]
    assert abnormally_low(Decimal("739999.99"), others, ceiling, rule) is not None  # < 80% of 925000
    assert abnormally_low(Decimal("740000"), others, ceiling, rule) is None
    assert abnormally_low(Decimal("750000"), others, ceiling, rule) is None
    assert abnormally_low(Decimal("699999.99"), [], ceiling, rule) is not None  # < 70% of the ceiling
    assert abnormally_low(Decimal("700000"), [], ceiling, rule) is None
    off = LowPriceRule(below_others=None, below_ceiling=None)
    assert abnormally_low(Decimal("1"), others, ceiling, off) is None
    basis = abnormally_low(Decimal("600000"), others, ceiling, rule)
    assert basis is not None
    assert "925000" in basis
    assert "§51" in basis


async def test_an_abnormally_low_price_is_flagged_and_decided_before_the_candidates(
        app: FastAPI, clock: FixedClock) -> None:
    await evaluating_tender(app, clock, {1: "900000.00", 2: "950000.00", 3: "600000.00", 4: "920000.00"})
    bids = await bids_by_bidder(app)
    low = bids[enterprise(3)]
    async with client_for(app, CLERK) as clerk:
        blocked = await clerk.post(f"/v1/projects/{CODE}/evaluation/publicise")
        not_flagged = await clerk.post(f"/v1/projects/{CODE}/bids/{bids[enterprise(1)]['id']}/low-price", json={
            "decision": "accepted", "explanation": "-", "reason": "-"})
        no_reason = await clerk.post(f"/v1/projects/{CODE}/bids/{low['id']}/low-price", json={
            "decision": "rejected", "explanation": "未能提供成本证明", "reason": ""})
        decided = await clerk.post(f"/v1/projects/{CODE}/bids/{low['id']}/low-price", json={
            "decision": "rejected", "explanation": "未能提供成本证明", "reason": "不能合理说明，按低于成本报价否决"})
        twice = await clerk.post(f"/v1/projects/{CODE}/bids/{low['id']}/low-price", json={
            "decision": "accepted", "explanation": "补充材料", "reason": "改判"})
        publicised = await clerk.post(f"/v1/projects/{CODE}/evaluation/publicise")
    after = await bids_by_bidder(app)
    assert low["low_price_flag"] is not None
    assert bids[enterprise(1)]["low_price_flag"] is None
    assert blocked.status_code == 409
    assert blocked.json()["code"] == "low_price_undecided"
    assert not_flagged.status_code == 409
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "reason"
    assert decided.status_code == 200, decided.text
    assert twice.status_code == 409
    assert publicised.json()["status"] == "publicised", publicised.text
    assert after[enterprise(3)]["validity"] == "rejected"
    assert after[enterprise(3)]["low_price_decision"] == "rejected"
    assert after[enterprise(3)]["rank"] is None
    assert after[enterprise(1)]["rank"] == 1


async def test_an_explained_low_price_stays_in_the_ranking(app: FastAPI, clock: FixedClock) -> None:
    await evaluating_tender(app, clock, {1: "900000.00", 2: "950000.00", 3: "600000.00"})
    low = (await bids_by_bidder(app))[enterprise(3)]
    async with client_for(app, CLERK) as clerk:
        kept = await clerk.post(f"/v1/projects/{CODE}/bids/{low['id']}/low-price", json={
            "decision": "accepted", "explanation": "自有设备，材料已采购", "reason": "说明合理，证明材料齐全"})
        publicised = await clerk.post(f"/v1/projects/{CODE}/evaluation/publicise")
    assert kept.status_code == 200, kept.text
    assert publicised.json()["status"] == "publicised"
    assert (await bids_by_bidder(app))[enterprise(3)]["rank"] == 1


# --- the next candidate (§55) --------------------------------------------------------------------------------


async def test_when_the_winner_declines_the_award_goes_to_the_next_candidate(app: FastAPI, clock: FixedClock) -> None:
    await publicised_tender(app, clock)  # ranks: 3 (870000), 1 (900000), 2 (950000)
    clock.advance(timedelta(days=3))
    async with client_for(app, CLERK) as clerk:
        first = (await clerk.post(f"/v1/projects/{CODE}/award")).json()
        premature = await clerk.post(f"/v1/projects/{CODE}/sections/S1/award/next")
        declined = await clerk.post(f"/v1/projects/{CODE}/defaults", json={
            "section_code": "S1", "credit_code": enterprise(3), "reason": "declined_award", "detail": "书面放弃中标"})
        moved = await clerk.post(f"/v1/projects/{CODE}/sections/S1/award/next")
        stale = await clerk.post(f"/v1/projects/{CODE}/defaults", json={
            "section_code": "S1", "credit_code": enterprise(3), "reason": "refused_to_sign", "detail": "-"})
        signed = await clerk.post(f"/v1/projects/{CODE}/sections/S1/contract")
    awards = await announced(app, "bidding.project.awarded")
    (default,) = await announced(app, "bidding.bidder.defaulted")
    (contract,) = await announced(app, "bidding.contract.signed")
    assert first["sections"][0]["winner_credit_code"] == enterprise(3)
    assert premature.status_code == 409
    assert premature.json()["code"] == "winner_not_defaulted"
    assert declined.status_code == 201, declined.text
    assert moved.status_code == 200, moved.text
    section = moved.json()["sections"][0]
    assert (section["winner_credit_code"], section["award_amount"]) == (enterprise(1), "900000.00")
    assert stale.status_code == 422
    assert signed.status_code == 200
    assert (default["credit_code"], default["reason"]) == (enterprise(3), "refused_to_sign")
    assert "declined_award" in default["detail"]
    assert [a["sections"][0]["winner_credit_code"] for a in awards] == [enterprise(3), enterprise(1)]
    assert awards[1]["sections"][0]["award_amount"] == "900000.00"
    assert contract["winner_credit_code"] == enterprise(1)


async def test_the_award_passes_down_the_candidates_in_order_and_then_stops(app: FastAPI, clock: FixedClock) -> None:
    await publicised_tender(app, clock)
    clock.advance(timedelta(days=3))
    winners = []
    async with client_for(app, CLERK) as clerk:
        await clerk.post(f"/v1/projects/{CODE}/award")
        for n, reason in ((3, "no_performance_bond"), (1, "refused_to_sign"), (2, "declined_award")):
            recorded = await clerk.post(f"/v1/projects/{CODE}/defaults", json={
                "section_code": "S1", "credit_code": enterprise(n), "reason": reason, "detail": "逾期"})
            assert recorded.status_code == 201, recorded.text
            moved = await clerk.post(f"/v1/projects/{CODE}/sections/S1/award/next")
            winners.append(moved.json()["sections"][0]["winner_credit_code"] if moved.status_code == 200
                           else moved.json()["code"])
        decisions = (await clerk.get(f"/v1/projects/{CODE}/evaluation/decisions")).json()
    assert winners == [enterprise(1), enterprise(2), "no_next_candidate"]
    assert [d["kind"] for d in decisions] == ["winner_defaulted", "next_candidate", "winner_defaulted",
                                              "next_candidate", "winner_defaulted"]


async def test_a_signed_contract_is_not_passed_on(app: FastAPI, clock: FixedClock) -> None:
    await publicised_tender(app, clock)
    clock.advance(timedelta(days=3))
    async with client_for(app, CLERK) as clerk:
        await clerk.post(f"/v1/projects/{CODE}/award")
        await clerk.post(f"/v1/projects/{CODE}/sections/S1/contract")
        refused = await clerk.post(f"/v1/projects/{CODE}/defaults", json={
            "section_code": "S1", "credit_code": enterprise(3), "reason": "declined_award", "detail": "-"})
    assert refused.status_code == 409
    assert refused.json()["code"] == "contract_signed"


async def test_a_section_whose_bids_are_all_rejected_while_the_tender_goes_on_is_announced(
        app: FastAPI, clock: FixedClock) -> None:
    """§42 in one section of two: the tender carries on, and ``bidding.section.failed`` tells the guarantee service
    that S2's bid bonds secure nothing any more (the award of S1 alone would never release them)."""
    sections = [{"code": code, "name": f"标段{code}", "budget": "1000000.00", "bid_bond_amount": "20000.00"}
                for code in ("S1", "S2")]
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post("/v1/projects", json=project_body(CODE, budget="2000000.00",
                                                                   sections=sections))).status_code == 201
        assert (await clerk.post(f"/v1/projects/{CODE}/publish")).status_code == 200
        for n in (1, 2, 3):
            for section in ("S1", "S2"):
                assert (await clerk.post("/v1/deposits", json={
                    "project_code": CODE, "section_code": section, "credit_code": enterprise(n), "amount": "20000.00",
                    "account": f"62220000{n:04d}", "reference": f"{section}-TX{n}"})).status_code == 201
    bids = []
    for n in (1, 2, 3):
        async with client_for(app, bidder_key(n)) as bidder:
            for section in ("S1", "S2"):
                assert (await register(bidder, CODE, n, section=section)).status_code == 201
                response, secret = await submit(bidder, CODE, n, f"{900000 + n * 10000}.00", section=section)
                assert response.status_code == 201, response.text
                bids.append((n, response.json()["bid_id"], secret))
    clock.at = DEADLINE
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{CODE}/close")).status_code == 200
        assert (await clerk.post(f"/v1/projects/{CODE}/opening/start")).status_code == 200
    for n in (1, 2, 3):
        await sign_in(app, CODE, n)
    for n, bid_id, secret in bids:
        async with client_for(app, bidder_key(n)) as bidder:
            assert (await bidder.post(f"/v1/projects/{CODE}/bids/{bid_id}/reveal",
                                      json=secret.as_reveal())).status_code == 200
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{CODE}/opening/finish")).json()["status"] == "opened"
        clock.advance(timedelta(minutes=20))
        assert (await clerk.post(f"/v1/projects/{CODE}/evaluation/start")).status_code == 200
        rejected = await clerk.post(f"/v1/projects/{CODE}/sections/S2/rejection", json={"reason": "均未响应实质性要求"})
    (failed,) = await announced(app, "bidding.section.failed")
    assert rejected.json()["status"] == "evaluating"
    assert (failed["project_code"], failed["section_code"]) == (CODE, "S2")
    assert "§42" in failed["reason"]
    assert await announced(app, "bidding.project.failed") == []
