"""The expert pool and the verifiable draw: recusal, commitment, recomputation, scores from the drawn only.

Issue 19: each drawn expert enters their own scores with their own account (a clerk no longer types
them), and every change keeps its history; the scoring tests were changed to that rule.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from bidding_factories import CLERK, DEADLINE, SUPERVISOR, TENDERER, account, bidder_key, enterprise, project_body, register, submit
from fastapi import FastAPI

from bianmin.bidding.domain.experts import (
    DrawError,
    combine_seeds,
    committee_problem,
    draw_experts,
    pool_digest,
    seed_commitment,
)
from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import Principal
from bianmin.testing.client import client_for

CODE = "BM-2026-001"
SEED = "ab" * 32
CONTRIBUTED = "5e" * 32
POOL = [{"code": f"E{n:03d}", "affiliations": [enterprise(n)] if n <= 2 else []} for n in range(1, 9)]
ANYONE = Principal(key_id="citizen", tenant=None, scopes=frozenset())


def expert(code: str, *, second_factor: bool = True) -> Principal:
    """The expert ``code``'s own account (the account id is the pool's expert code)."""
    return account("expert", code, "expert", second_factor=second_factor)


def test_experts_affiliated_with_a_bidder_are_never_drawn() -> None:
    result = draw_experts(SEED, POOL, [enterprise(1), enterprise(2), enterprise(3)], 5)
    assert result.excluded == ["E001", "E002"]
    assert len(result.drawn) == 5
    assert not {"E001", "E002"} & set(result.drawn)


def test_the_same_seed_pool_and_recusals_give_the_same_draw_and_another_seed_another() -> None:
    first = draw_experts(SEED, POOL, [enterprise(1)], 3)
    again = draw_experts(SEED, list(POOL), [enterprise(1)], 3)
    others = {tuple(draw_experts(f"{n:064x}", POOL, [enterprise(1)], 3).drawn) for n in range(20)}
    assert first == again
    assert len(others) > 1


def test_a_draw_needs_enough_eligible_experts() -> None:
    with pytest.raises(DrawError):
        draw_experts(SEED, POOL, [enterprise(1), enterprise(2)], 7)


def test_commitments_are_sha256_of_the_seed_and_of_the_canonical_pool() -> None:
    assert seed_commitment("00" * 32) == "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925"
    assert pool_digest(POOL) == pool_digest([dict(e) for e in POOL])
    assert pool_digest(POOL) != pool_digest(POOL[:-1])


async def _comprehensive_tender_closed(app: FastAPI, clock: FixedClock, pool_size: int = 8, *, contribute: bool = True,
                                       ) -> dict[int, tuple[str, object]]:
    """A comprehensive tender past its deadline with a committed draw of five experts (招标投标法 §37).

    A supervisor contributes a seed after the platform's commitment (unless ``contribute`` is false).
    """
    bids: dict[int, tuple[str, object]] = {}
    async with client_for(app, CLERK) as clerk:
        body = project_body(evaluation_method="comprehensive", price_weight=60, technical_weight=40)
        assert (await clerk.post("/v1/projects", json=body)).status_code == 201
        for n in range(1, pool_size + 1):
            affiliations = [enterprise(n)] if n <= 2 else ([TENDERER] if n == 3 else [])
            created = await clerk.post("/v1/experts", json={"code": f"E{n:03d}", "name": f"专家{n}",
                                                            "specialties": ["房建"], "affiliations": affiliations})
            assert created.status_code == 201, created.text
        committed = await clerk.post(f"/v1/projects/{CODE}/experts/draw", json={"specialty": "房建", "count": 5})
        assert committed.status_code == 201, committed.text
        assert committed.json()["seed"] is None
        assert (await clerk.post(f"/v1/projects/{CODE}/publish")).status_code == 200
        for n in range(1, 4):
            deposit = await clerk.post("/v1/deposits", json={
                "project_code": CODE, "section_code": "S1", "credit_code": enterprise(n), "amount": "20000.00",
                "account": f"62220000{n:04d}", "reference": f"TX{n}"})
            assert deposit.status_code == 201, deposit.text
    for n, price in ((1, "900000.00"), (2, "950000.00"), (3, "870000.00")):
        async with client_for(app, bidder_key(n)) as bidder:
            await register(bidder, CODE, n)
            response, secret = await submit(bidder, CODE, n, price)
            bids[n] = (response.json()["bid_id"], secret)
    clock.at = DEADLINE
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{CODE}/close")).status_code == 200
    if contribute:
        async with client_for(app, SUPERVISOR) as supervision:
            given = await supervision.post(f"/v1/projects/{CODE}/experts/draw/contribution", json={"seed": CONTRIBUTED})
            assert given.status_code == 200, given.text
    return bids


async def test_the_draw_is_committed_before_made_after_the_deadline_and_recomputable(app: FastAPI,
                                                                                    clock: FixedClock) -> None:
    bids = await _comprehensive_tender_closed(app, clock)
    async with client_for(app, ANYONE) as citizen:
        sealed = (await citizen.get(f"/v1/projects/{CODE}/experts/draw")).json()
        hidden = await citizen.get(f"/v1/projects/{CODE}/experts/draw/verify")
    assert sealed["seed"] is None
    assert len(sealed["seed_commitment"]) == 64
    assert hidden.status_code == 409
    async with client_for(app, CLERK) as clerk:
        made = (await clerk.post(f"/v1/projects/{CODE}/experts/draw/perform")).json()
        twice = await clerk.post(f"/v1/projects/{CODE}/experts/draw/perform")
        verified = (await clerk.get(f"/v1/projects/{CODE}/experts/draw/verify")).json()
    assert made["excluded"] == ["E001", "E002", "E003"]
    assert seed_commitment(made["seed"]) == sealed["seed_commitment"]
    assert made["contributed_seed"] == CONTRIBUTED
    assert draw_experts(combine_seeds(made["seed"], CONTRIBUTED), made["pool"], made["recused_credit_codes"],
                        5).drawn == made["drawn"]
    assert twice.status_code == 409
    assert verified["valid"] is True
    clock.advance(timedelta(minutes=1))
    async with client_for(app, CLERK) as clerk:
        await clerk.post(f"/v1/projects/{CODE}/opening/start")
    for n, (bid_id, secret) in bids.items():
        async with client_for(app, bidder_key(n)) as bidder:
            await bidder.post(f"/v1/projects/{CODE}/opening/sign-in", json={"credit_code": enterprise(n)})
            await bidder.post(f"/v1/projects/{CODE}/bids/{bid_id}/reveal", json=secret.as_reveal())  # type: ignore[attr-defined]
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{CODE}/opening/finish")).json()["status"] == "opened"
        clock.advance(timedelta(minutes=20))
        assert (await clerk.post(f"/v1/projects/{CODE}/evaluation/start")).status_code == 200
    async with client_for(app, expert("E001")) as recused:
        outsider = await recused.post(f"/v1/projects/{CODE}/evaluation/scores", json={"bid_id": bids[1][0], "score": "90"})
    for code in made["drawn"]:
        async with client_for(app, expert(code)) as member:
            for n, (bid_id, _) in bids.items():
                scored = await member.post(f"/v1/projects/{CODE}/evaluation/scores",
                                           json={"bid_id": bid_id, "score": str(70 + 5 * n)})
                assert scored.status_code == 200, scored.text
    async with client_for(app, CLERK) as clerk:
        publicised = await clerk.post(f"/v1/projects/{CODE}/evaluation/publicise")
    assert outsider.status_code == 403
    assert outsider.json()["code"] == "not_on_the_committee"
    assert publicised.json()["status"] == "publicised"
    async with client_for(app, ANYONE) as citizen:
        public_check = await citizen.get(f"/v1/projects/{CODE}/experts/draw/verify")
    assert public_check.json()["valid"] is True


async def test_scores_are_refused_until_the_committee_is_drawn(app: FastAPI, clock: FixedClock) -> None:
    bids = await _comprehensive_tender_closed(app, clock)
    async with client_for(app, CLERK) as clerk:
        await clerk.post(f"/v1/projects/{CODE}/opening/start")
    for n, (bid_id, secret) in bids.items():
        async with client_for(app, bidder_key(n)) as bidder:
            await bidder.post(f"/v1/projects/{CODE}/opening/sign-in", json={"credit_code": enterprise(n)})
            await bidder.post(f"/v1/projects/{CODE}/bids/{bid_id}/reveal", json=secret.as_reveal())  # type: ignore[attr-defined]
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{CODE}/opening/finish")).json()["status"] == "opened"
        clock.advance(timedelta(minutes=20))
        await clerk.post(f"/v1/projects/{CODE}/evaluation/start")
    async with client_for(app, expert("E004")) as member:
        refused = await member.post(f"/v1/projects/{CODE}/evaluation/scores", json={"bid_id": bids[1][0], "score": "90"})
    async with client_for(app, CLERK) as clerk:
        late_commit = await clerk.post(f"/v1/projects/{CODE}/experts/draw", json={"specialty": "房建", "count": 5})
    assert refused.status_code == 409
    assert refused.json()["code"] == "experts_not_drawn"
    assert late_commit.status_code == 409


async def test_expert_input_is_validated(app: FastAPI) -> None:
    async with client_for(app, CLERK) as clerk:
        bad_code = await clerk.post("/v1/experts", json={"code": "E1", "name": "x", "specialties": ["房建"],
                                                         "affiliations": ["91310110666007217X"]})
        no_specialty = await clerk.post("/v1/experts", json={"code": "E1", "name": "x", "specialties": []})
        await clerk.post("/v1/projects", json=project_body())
        too_many = await clerk.post(f"/v1/projects/{CODE}/experts/draw", json={"specialty": "房建", "count": 5})
    async with client_for(app, Principal(key_id="t", tenant="330199001", scopes=frozenset({"bidding:write"}))) as town:
        foreign = await town.post("/v1/experts", json={"code": "E9", "name": "x", "specialties": ["房建"]})
    assert bad_code.json()["errors"][0]["field"] == "affiliations.0"
    assert no_specialty.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "count"
    assert foreign.status_code == 403


async def _evaluating(app: FastAPI, clock: FixedClock) -> tuple[dict[int, tuple[str, object]], list[str]]:
    """A comprehensive tender in evaluation with its committee drawn; the bids and the drawn experts."""
    bids = await _comprehensive_tender_closed(app, clock)
    async with client_for(app, CLERK) as clerk:
        drawn = (await clerk.post(f"/v1/projects/{CODE}/experts/draw/perform")).json()["drawn"]
        clock.advance(timedelta(minutes=1))
        await clerk.post(f"/v1/projects/{CODE}/opening/start")
    for n, (bid_id, secret) in bids.items():
        async with client_for(app, bidder_key(n)) as bidder:
            await bidder.post(f"/v1/projects/{CODE}/opening/sign-in", json={"credit_code": enterprise(n)})
            await bidder.post(f"/v1/projects/{CODE}/bids/{bid_id}/reveal", json=secret.as_reveal())  # type: ignore[attr-defined]
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{CODE}/opening/finish")).json()["status"] == "opened"
        clock.advance(timedelta(minutes=20))
        assert (await clerk.post(f"/v1/projects/{CODE}/evaluation/start")).status_code == 200
    return bids, drawn


async def test_a_clerk_or_an_app_can_no_longer_score_for_an_expert(app: FastAPI, clock: FixedClock) -> None:
    bids, drawn = await _evaluating(app, clock)
    body = {"bid_id": bids[1][0], "score": "90"}
    async with client_for(app, CLERK) as clerk:
        by_app = await clerk.post(f"/v1/projects/{CODE}/evaluation/scores", json=body)
    async with client_for(app, account("staff", "clerk-7", "tender_agent", site="330199")) as agent:
        by_staff = await agent.post(f"/v1/projects/{CODE}/evaluation/scores", json=body)
    async with client_for(app, expert(drawn[0], second_factor=False)) as weak:
        no_mfa = await weak.post(f"/v1/projects/{CODE}/evaluation/scores", json=body)
    async with client_for(app, expert(drawn[0])) as member:
        named = await member.post(f"/v1/projects/{CODE}/evaluation/scores", json={**body, "expert_code": drawn[1]})
        revisions = await member.get(f"/v1/projects/{CODE}/evaluation/scores/revisions")
    assert by_app.json()["code"] == "subject_not_allowed"
    assert by_staff.json()["code"] == "subject_not_allowed"
    assert no_mfa.json()["code"] == "second_factor_required"
    assert named.status_code == 422  # the expert is the account; a body naming another expert is refused
    assert revisions.json()["code"] == "subject_not_allowed"
    async with client_for(app, account("supervisor", "sup-1", "supervisor", site="330199")) as sup:
        assert (await sup.get(f"/v1/projects/{CODE}/evaluation/scores/revisions")).json() == []


async def test_a_changed_score_needs_a_reason_and_keeps_its_history(app: FastAPI, clock: FixedClock) -> None:
    bids, drawn = await _evaluating(app, clock)
    url = f"/v1/projects/{CODE}/evaluation/scores"
    async with client_for(app, expert(drawn[0])) as member:
        first = await member.post(url, json={"bid_id": bids[1][0], "score": "80"})
        no_reason = await member.post(url, json={"bid_id": bids[1][0], "score": "85"})
        same = await member.post(url, json={"bid_id": bids[1][0], "score": "80"})
        clock.advance(timedelta(minutes=5))
        changed = await member.post(url, json={"bid_id": bids[1][0], "score": "85", "reason": "复核技术方案第3章"})
    assert first.status_code == same.status_code == changed.status_code == 200
    assert no_reason.json()["errors"][0]["field"] == "reason"
    async with client_for(app, account("staff", "agent-1", "tender_agent", site="330199")) as agent:
        history = (await agent.get(f"/v1/projects/{CODE}/evaluation/scores/revisions")).json()
    async with client_for(app, account("staff", "agent-far", "tender_agent", site="330199002")) as far:
        elsewhere = await far.get(f"/v1/projects/{CODE}/evaluation/scores/revisions")
    assert [(h["old_score"], h["new_score"], h["reason"]) for h in history] == [
        (None, "80.00", None), ("80.00", "85.00", "复核技术方案第3章")]
    assert {h["changed_by"] for h in history} == {drawn[0]}
    assert history[0]["via_app"] == f"pages-{drawn[0]}"
    assert history[1]["changed_at"] > history[0]["changed_at"]
    assert elsewhere.json()["code"] == "role_missing"
    async with client_for(app, SUPERVISOR) as supervision_key, client_for(app, bidder_key(1)) as bidder:
        by_key = (await supervision_key.get(f"/v1/projects/{CODE}/evaluation/scores/revisions")).json()
        by_bidder = await bidder.get(f"/v1/projects/{CODE}/evaluation/scores/revisions")
    assert by_key == history
    assert by_bidder.json()["code"] == "scope_missing"


def test_the_committee_rules_of_article_37() -> None:
    assert committee_problem(5, 0) is None
    assert committee_problem(4, 1) is None
    assert committee_problem(6, 1) is None
    assert committee_problem(3, 0) == ("count", "the committee has at least 5 members (招标投标法 §37): 3 drawn "
                                                "expert(s) and 0 tenderer representative(s)")
    assert committee_problem(6, 0)[0] == "count"  # type: ignore[index]
    assert "odd" in committee_problem(6, 0)[1]  # type: ignore[index]
    assert committee_problem(3, 2)[0] == "tenderer_representatives"  # type: ignore[index]
    assert "two thirds" in committee_problem(3, 2)[1]  # type: ignore[index]
    assert "at most one" in committee_problem(5, 2)[1]  # type: ignore[index]


async def test_a_committee_of_fewer_than_five_an_even_number_or_two_tenderer_representatives_is_refused(
        app: FastAPI) -> None:
    url = f"/v1/projects/{CODE}/experts/draw"
    async with client_for(app, CLERK) as clerk:
        await clerk.post("/v1/projects", json=project_body())
        for n in range(1, 11):
            await clerk.post("/v1/experts", json={"code": f"E{n:03d}", "name": f"专家{n}", "specialties": ["房建"]})
        three = await clerk.post(url, json={"specialty": "房建", "count": 3})
        even = await clerk.post(url, json={"specialty": "房建", "count": 6})
        two_reps = await clerk.post(url, json={"specialty": "房建", "count": 5, "tenderer_representatives": 2})
        nothing = await clerk.get(url)
        lawful = await clerk.post(url, json={"specialty": "房建", "count": 4, "tenderer_representatives": 1})
    assert three.status_code == 422
    assert three.json()["errors"][0]["field"] == "count"
    assert even.json()["errors"][0]["field"] == "count"
    assert two_reps.json()["errors"][0]["field"] == "tenderer_representatives"
    assert nothing.status_code == 404
    assert lawful.status_code == 201, lawful.text
    assert (lawful.json()["count"], lawful.json()["tenderer_representatives"]) == (4, 1)


async def test_a_drawn_expert_who_declines_is_replaced_from_the_same_seed_and_pool_and_logged(
        app: FastAPI, clock: FixedClock) -> None:
    await _comprehensive_tender_closed(app, clock, pool_size=9)
    url = f"/v1/projects/{CODE}/experts/draw"
    async with client_for(app, CLERK) as clerk:
        made = (await clerk.post(f"{url}/perform")).json()
        clock.advance(timedelta(minutes=3))
        declined = made["drawn"][1]
        replaced = await clerk.post(f"{url}/declines", json={"expert_code": declined, "reason": "出差在外，无法到场"})
        outsider = await clerk.post(f"{url}/declines", json={"expert_code": "E001", "reason": "回避"})
        again = await clerk.post(f"{url}/declines", json={"expert_code": declined, "reason": "再次"})
        silent = await clerk.post(f"{url}/declines", json={"expert_code": made["drawn"][0], "reason": " "})
        verified = (await clerk.get(f"{url}/verify")).json()
        second = await clerk.post(f"{url}/declines", json={"expert_code": made["drawn"][0], "reason": "身体不适"})
        after = (await clerk.get(url)).json()
    async with client_for(app, ANYONE) as citizen:
        hidden = (await citizen.get(url)).json()
    assert replaced.status_code == 200, replaced.text
    now = replaced.json()
    order = draw_experts(combine_seeds(made["seed"], CONTRIBUTED), made["pool"], made["recused_credit_codes"], 6).drawn
    assert declined not in now["drawn"]
    assert now["drawn"] == [code for code in order if code != declined]
    assert now["declines"] == [{"expert_code": declined, "reason": "出差在外，无法到场",
                                "declined_at": now["declines"][0]["declined_at"], "recorded_by": "key:clerk",
                                "replaced_by": order[5]}]
    assert now["declines"][0]["declined_at"].startswith((clock.at).isoformat()[:16])
    assert outsider.json()["errors"][0]["field"] == "expert_code"
    assert again.json()["errors"][0]["field"] == "expert_code"
    assert silent.json()["errors"][0]["field"] == "reason"
    assert verified["valid"] is True, verified
    assert verified["checks"]["substitutions_match"] is True
    assert second.status_code == 409  # the six eligible are used up: 5 seats, 2 declined
    assert second.json()["code"] == "not_enough_experts"
    assert after["drawn"] == now["drawn"]
    assert len(after["declines"]) == 1
    assert hidden["drawn"] is None
    assert hidden["declines"] is None


async def test_an_expert_who_has_scored_cannot_decline_and_an_empty_pool_leaves_the_committee_as_it_is(
        app: FastAPI, clock: FixedClock) -> None:
    bids, drawn = await _evaluating(app, clock)
    url = f"/v1/projects/{CODE}/experts/draw"
    async with client_for(app, expert(drawn[0])) as member:
        assert (await member.post(f"/v1/projects/{CODE}/evaluation/scores",
                                  json={"bid_id": bids[1][0], "score": "80"})).status_code == 200
    async with client_for(app, CLERK) as clerk:
        scored = await clerk.post(f"{url}/declines", json={"expert_code": drawn[0], "reason": "临时有事"})
        no_one_left = await clerk.post(f"{url}/declines", json={"expert_code": drawn[1], "reason": "临时有事"})
        after = (await clerk.get(url)).json()
    assert scored.status_code == 409
    assert scored.json()["code"] == "expert_has_scored"
    assert no_one_left.json()["code"] == "not_enough_experts"  # five eligible, five seats
    assert after["drawn"] == drawn
    assert after["declines"] == []


def test_the_draw_seed_hashes_the_platforms_seed_with_the_contribution() -> None:
    import hashlib

    assert combine_seeds(SEED, CONTRIBUTED) == hashlib.sha256(bytes.fromhex(SEED) + bytes.fromhex(CONTRIBUTED)).hexdigest()
    assert combine_seeds(SEED, CONTRIBUTED) != combine_seeds(SEED, "00" * 32)


async def test_the_draw_waits_for_a_supervisors_seed_given_after_the_commitment(app: FastAPI, clock: FixedClock) -> None:
    await _comprehensive_tender_closed(app, clock, contribute=False)
    url = f"/v1/projects/{CODE}/experts/draw"
    async with client_for(app, CLERK) as clerk:
        early = await clerk.post(f"{url}/perform")
        by_the_platform = await clerk.post(f"{url}/contribution", json={"seed": CONTRIBUTED})
    async with client_for(app, SUPERVISOR) as supervision:
        malformed = await supervision.post(f"{url}/contribution", json={"seed": "xyz"})
        given = await supervision.post(f"{url}/contribution", json={"seed": CONTRIBUTED})
        again = await supervision.post(f"{url}/contribution", json={"seed": "00" * 32})
    async with client_for(app, ANYONE) as citizen:
        public = (await citizen.get(url)).json()
    async with client_for(app, CLERK) as clerk:
        made = (await clerk.post(f"{url}/perform")).json()
        verified = (await clerk.get(f"{url}/verify")).json()
    assert early.status_code == 409
    assert early.json()["code"] == "seed_contribution_missing"
    assert by_the_platform.status_code == 403
    assert malformed.json()["errors"][0]["field"] == "seed"
    assert given.status_code == 200, given.text
    assert again.status_code == 409
    assert public["contributed_seed"] == CONTRIBUTED
    assert public["seed"] is None
    assert made["contributed_by"] == "key:super"
    assert made["draw_seed"] == combine_seeds(made["seed"], CONTRIBUTED)
    assert made["drawn"] == draw_experts(made["draw_seed"], made["pool"], made["recused_credit_codes"], 5).drawn
    assert verified["valid"] is True
    assert verified["checks"]["contribution_after_commitment"] is True
