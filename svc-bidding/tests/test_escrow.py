"""Escrow: shares sealed to distinct custodian accounts, none to the agent; k distinct custodians recover a bid.

Issue 19 changed the rule: the split used to hand every share to the one caller, who could then
decrypt bids before the deadline. These tests encode the new rule (电子招标投标办法, 实施条例 §44).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from bidding_factories import CLERK, SUPERVISOR, account, bidder_key, enterprise, open_tender, project_body, sign_in
from fastapi import FastAPI
from sqlalchemy import select

from bianmin.bidding import custody, shamir
from bianmin.bidding.domain.escrow import recover_private_key
from bianmin.bidding.models import EscrowCustody, EscrowShare
from bianmin.bidding.sealing import generate_escrow_keypair
from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import Principal
from bianmin.kit.tables import outbox_event
from bianmin.testing.client import client_for

CODE = "BM-2026-001"
CUSTODIANS = ["cust-trading-centre", "cust-supervision", "cust-notary"]


def custodian(name: str, *, second_factor: bool = True) -> Principal:
    """A custodian's own account."""
    return account("custodian", name, "custodian", second_factor=second_factor)


async def _register_keys(app: FastAPI, names: list[str]) -> dict[str, str]:
    """Each custodian registers a fresh public key; their private keys, by name."""
    private: dict[str, str] = {}
    for name in names:
        secret, public = custody.generate_keypair()
        async with client_for(app, custodian(name)) as c:
            assert (await c.put("/v1/custodians/me/key", json={"public_key": public})).status_code == 200
        private[name] = secret
    return private


async def _opened_share(app: FastAPI, name: str, private: str) -> str:
    """What a custodian does offline: fetch their own sealed share and open it with their private key."""
    async with client_for(app, custodian(name)) as c:
        held = (await c.get(f"/v1/projects/{CODE}/escrow/my-share")).json()
    return custody.open_share(held["sealed_share"], private, held["context"].encode())


async def _failed_bidder(app: FastAPI, clock: FixedClock) -> tuple[dict[str, str], str, str]:
    keys = await _register_keys(app, CUSTODIANS)
    escrow: dict[str, Any] = {"threshold": 2, "custodians": CUSTODIANS}
    bids = await open_tender(app, clock, escrow=escrow)
    bid_id = bids[2][0]
    async with client_for(app, bidder_key(2)) as bidder:
        requested = await bidder.post(f"/v1/projects/{CODE}/bids/{bid_id}/recoveries",
                                      json={"reason": "CA 证书驱动故障，无法解密"})
    assert requested.status_code == 201, requested.text
    return keys, bid_id, requested.json()["id"]


async def _share(app: FastAPI, recovery_id: str, who: Principal, share: str) -> Any:
    async with client_for(app, who) as c:
        return await c.post(f"/v1/projects/{CODE}/recoveries/{recovery_id}/shares", json={"share": share})


def test_any_k_shares_recover_the_key_and_a_foreign_share_does_not() -> None:
    private, public = generate_escrow_keypair()
    shares = shamir.split(private, threshold=2, shares=3)
    foreign = shamir.split(generate_escrow_keypair()[0], threshold=2, shares=3)
    assert recover_private_key(shares[1:], threshold=2, public_key=public) == private
    assert recover_private_key([foreign[0], shares[1]], threshold=2, public_key=public) is None
    assert recover_private_key([foreign[0], shares[1], shares[2]], threshold=2, public_key=public) == private


def test_a_sealed_share_opens_only_with_its_custodians_key_and_context() -> None:
    mine, my_public = custody.generate_keypair()
    theirs, _ = custody.generate_keypair()
    aad = custody.context(CODE, "cust-notary", 3)
    sealed = custody.seal_share("3-abc", my_public, aad)
    assert custody.open_share(sealed, mine, aad) == "3-abc"
    with pytest.raises(custody.CustodyError):
        custody.open_share(sealed, theirs, aad)
    with pytest.raises(custody.CustodyError):
        custody.open_share(sealed, mine, custody.context(CODE, "cust-notary", 2))


async def test_the_split_hands_the_agent_no_share_and_nobody_a_share_before_a_recovery(app: FastAPI) -> None:
    await _register_keys(app, CUSTODIANS)
    agent = account("staff", "agent-1", "tender_agent", site="330199")
    async with client_for(app, agent) as c:
        assert (await c.post("/v1/projects", json=project_body(CODE))).status_code == 201
        issued = await c.post(f"/v1/projects/{CODE}/escrow", json={"threshold": 2, "custodians": CUSTODIANS})
        agent_fetch = await c.get(f"/v1/projects/{CODE}/escrow/my-share")
    async with client_for(app, custodian("cust-notary")) as notary:
        early = await notary.get(f"/v1/projects/{CODE}/escrow/my-share")
    assert issued.status_code == 200, issued.text
    assert set(issued.json()) == {"public_key", "threshold", "custodians"}
    assert agent_fetch.json()["code"] == "subject_not_allowed"
    assert early.json()["code"] == "no_recovery_collecting"


async def test_each_custodian_fetches_only_their_own_sealed_share(app: FastAPI, clock: FixedClock) -> None:
    keys, _bid_id, _recovery_id = await _failed_bidder(app, clock)
    opened = [await _opened_share(app, name, keys[name]) for name in CUSTODIANS]
    assert [shamir.parse_share(s)[0] for s in opened] == [1, 2, 3]
    async with app.state.db.sessionmaker() as session:
        stored = list((await session.execute(select(EscrowCustody.sealed_share))).scalars())
    assert not set(opened) & set(stored)  # the database holds sealed shares only
    async with client_for(app, custodian("cust-notary")) as notary:
        mine = (await notary.get(f"/v1/projects/{CODE}/escrow/my-share")).json()
    assert mine["custodian"] == "cust-notary"
    with pytest.raises(custody.CustodyError):  # another custodian's key opens nothing
        custody.open_share(mine["sealed_share"], keys["cust-supervision"], mine["context"].encode())
    async with client_for(app, custodian("cust-stranger")) as stranger:
        refused = await stranger.get(f"/v1/projects/{CODE}/escrow/my-share")
    assert refused.json()["code"] == "not_a_custodian"


async def test_the_split_needs_distinct_custodians_with_registered_keys(app: FastAPI) -> None:
    await _register_keys(app, CUSTODIANS[:2])
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post("/v1/projects", json=project_body(CODE))).status_code == 201
        twice = await clerk.post(f"/v1/projects/{CODE}/escrow",
                                 json={"threshold": 2, "custodians": [CUSTODIANS[0], CUSTODIANS[0]]})
        keyless = await clerk.post(f"/v1/projects/{CODE}/escrow", json={"threshold": 2, "custodians": CUSTODIANS})
        project = (await clerk.get(f"/v1/projects/{CODE}")).json()
    assert twice.status_code == 422
    assert keyless.status_code == 422
    assert "cust-notary" in keyless.text
    assert project.get("escrow_public_key") is None


async def test_only_a_tender_agent_of_the_site_splits_the_key(app: FastAPI) -> None:
    await _register_keys(app, CUSTODIANS)
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post("/v1/projects", json=project_body(CODE))).status_code == 201
    body = {"threshold": 2, "custodians": CUSTODIANS}
    async with client_for(app, account("staff", "agent-far", "tender_agent", site="330199002")) as far:
        elsewhere = await far.post(f"/v1/projects/{CODE}/escrow", json=body)
    async with client_for(app, account("staff", "clerk-1", "clerk", site="330199")) as hall_clerk:
        not_agent = await hall_clerk.post(f"/v1/projects/{CODE}/escrow", json=body)
    async with client_for(app, custodian(CUSTODIANS[0])) as c:
        by_custodian = await c.post(f"/v1/projects/{CODE}/escrow", json=body)
    assert elsewhere.json()["code"] == "role_missing"
    assert not_agent.json()["code"] == "role_missing"
    assert by_custodian.json()["code"] == "subject_not_allowed"


async def test_custodian_keys_are_checked_and_rotated(app: FastAPI) -> None:
    _, first = custody.generate_keypair()
    _, second = custody.generate_keypair()
    async with client_for(app, custodian("cust-a")) as c:
        missing = await c.get("/v1/custodians/me/key")
        zero = await c.put("/v1/custodians/me/key", json={"public_key": "A" * 43 + "="})
        registered = await c.put("/v1/custodians/me/key", json={"public_key": first})
        rotated = await c.put("/v1/custodians/me/key", json={"public_key": second})
        read = await c.get("/v1/custodians/me/key")
    async with client_for(app, custodian("cust-a", second_factor=False)) as weak:
        no_mfa = await weak.put("/v1/custodians/me/key", json={"public_key": first})
    async with client_for(app, CLERK) as clerk:
        by_app = await clerk.put("/v1/custodians/me/key", json={"public_key": first})
    assert missing.json()["code"] == "custodian_key_not_found"
    assert zero.status_code == 422
    assert registered.json()["fingerprint"] != rotated.json()["fingerprint"]
    assert read.json()["public_key"] == second
    assert no_mfa.json()["code"] == "second_factor_required"
    assert by_app.json()["code"] == "subject_not_allowed"


async def test_k_minus_one_shares_open_nothing_and_the_kth_opens_the_bid(app: FastAPI, clock: FixedClock) -> None:
    keys, bid_id, recovery_id = await _failed_bidder(app, clock)
    first = await _share(app, recovery_id, custodian("cust-supervision"),
                         await _opened_share(app, "cust-supervision", keys["cust-supervision"]))
    assert first.json()["status"] == "collecting"
    async with client_for(app, CLERK) as clerk:
        clock.advance(timedelta(minutes=31))
        blocked = await clerk.post(f"/v1/projects/{CODE}/opening/finish")
    assert blocked.json()["code"] == "recovery_pending"
    second = await _share(app, recovery_id, custodian("cust-notary"),
                          await _opened_share(app, "cust-notary", keys["cust-notary"]))
    assert second.json()["status"] == "completed"
    assert [s["custodian"] for s in second.json()["submissions"]] == ["cust-supervision", "cust-notary"]
    assert second.json()["submissions"][1]["submitted_by"] == "cust-notary via pages-cust-notary"
    async with app.state.db.sessionmaker() as session:
        stored = list((await session.execute(select(EscrowShare.share))).scalars())
    assert stored == [None, None]
    async with client_for(app, CLERK) as clerk:
        finished = await clerk.post(f"/v1/projects/{CODE}/opening/finish")
        bids = (await clerk.get(f"/v1/projects/{CODE}/bids")).json()
    # The other two bidders never revealed: one valid bid is left, which the committee judges (招标投标法 §42).
    assert finished.json()["status"] == "opened"
    assert sorted(b["validity"] for b in bids) == ["valid", "void", "void"]
    recovered = next(b for b in bids if b["id"] == bid_id)
    assert recovered["price"] == "950000.00"
    assert recovered["reveal_status"] == "escrow"


async def test_the_same_custodian_twice_counts_once(app: FastAPI, clock: FixedClock) -> None:
    keys, _bid_id, recovery_id = await _failed_bidder(app, clock)
    share = await _opened_share(app, "cust-notary", keys["cust-notary"])
    once = await _share(app, recovery_id, custodian("cust-notary"), share)
    again = await _share(app, recovery_id, custodian("cust-notary"), share)
    assert once.json()["status"] == "collecting"
    assert again.json()["code"] == "share_submitted"
    async with client_for(app, CLERK) as clerk:
        log = (await clerk.get(f"/v1/projects/{CODE}/recoveries")).json()
    assert log[0]["status"] == "collecting"
    assert len(log[0]["submissions"]) == 1


async def test_a_wrong_share_is_never_combined_into_a_wrong_key(app: FastAPI, clock: FixedClock) -> None:
    keys, _bid_id, recovery_id = await _failed_bidder(app, clock)
    foreign = shamir.split(generate_escrow_keypair()[0], threshold=2, shares=3)
    wrong = await _share(app, recovery_id, custodian("cust-trading-centre"), foreign[0])
    right = await _share(app, recovery_id, custodian("cust-supervision"),
                         await _opened_share(app, "cust-supervision", keys["cust-supervision"]))
    assert wrong.status_code == 200
    assert right.json()["status"] == "collecting"
    done = await _share(app, recovery_id, custodian("cust-notary"),
                        await _opened_share(app, "cust-notary", keys["cust-notary"]))
    assert done.json()["status"] == "completed"


async def test_shares_and_requests_are_checked(app: FastAPI, clock: FixedClock) -> None:
    keys, bid_id, recovery_id = await _failed_bidder(app, clock)
    supervision_share = await _opened_share(app, "cust-supervision", keys["cust-supervision"])
    notary_share = await _opened_share(app, "cust-notary", keys["cust-notary"])
    swapped = await _share(app, recovery_id, custodian("cust-notary"), supervision_share)
    stranger = await _share(app, recovery_id, custodian("cust-mayor"), notary_share)
    no_mfa = await _share(app, recovery_id, custodian("cust-notary", second_factor=False), notary_share)
    escrow_key = Principal(key_id="key-notary", tenant="*", scopes=frozenset({"bidding:escrow"}))
    by_app = await _share(app, recovery_id, escrow_key, notary_share)
    malformed = await _share(app, recovery_id, custodian("cust-notary"), "x-zz")
    async with client_for(app, bidder_key(1)) as other:
        not_theirs = await other.post(f"/v1/projects/{CODE}/bids/{bid_id}/recoveries", json={"reason": "故障"})
    async with client_for(app, bidder_key(2)) as bidder:
        twice = await bidder.post(f"/v1/projects/{CODE}/bids/{bid_id}/recoveries", json={"reason": "再次"})
    assert swapped.json()["errors"][0]["field"] == "share"
    assert stranger.json()["code"] == "not_a_custodian"
    assert no_mfa.json()["code"] == "second_factor_required"
    assert by_app.json()["code"] == "subject_not_allowed"
    assert malformed.status_code == 422
    assert not_theirs.status_code == 403
    assert twice.json()["code"] == "recovery_pending"
    async with client_for(app, CLERK) as clerk:
        log = (await clerk.get(f"/v1/projects/{CODE}/recoveries")).json()
        assert log[0]["submissions"] == []  # every refused share changed nothing
        abandoned = await clerk.post(f"/v1/projects/{CODE}/recoveries/{recovery_id}/abandon",
                                     json={"reason": "公证处无法到场"})
        clock.advance(timedelta(minutes=31))
        finished = await clerk.post(f"/v1/projects/{CODE}/opening/finish")
        log = (await clerk.get(f"/v1/projects/{CODE}/recoveries")).json()
        row = next(r for r in (await clerk.get(f"/v1/projects/{CODE}/opening")).json() if r["credit_code"] == enterprise(2))
    async with app.state.db.sessionmaker() as session:
        defaulted = {json.loads(body)["data"]["credit_code"] for body in (await session.execute(
            select(outbox_event.c.body).where(outbox_event.c.subject == "bidding.bidder.defaulted"))).scalars()}
    assert abandoned.json()["status"] == "abandoned"
    assert finished.status_code == 200
    # The custodians could not gather: the platform's failure, so the bid is void but not deemed withdrawn.
    assert row["validity"] == "void"
    assert enterprise(2) not in defaulted
    assert defaulted == {enterprise(1), enterprise(3)}  # they did not decrypt at all: deemed withdrawn
    assert "abandoned" in row["reason"]
    assert log[0]["status"] == "abandoned"
    late = await _share(app, recovery_id, custodian("cust-notary"), notary_share)
    assert late.json()["code"] == "recovery_closed"


async def test_an_escrow_opened_bid_passes_the_same_validity_checks_and_screens(app: FastAPI, clock: FixedClock) -> None:
    """招标投标法 §22/§36, 电子招标投标办法: a bid opened by the custodians is judged like a revealed one.

    Bidder 2's bid, opened through escrow, is above the ceiling and priced exactly like bidder 1's:
    it is invalid, and the identical-price screen names both bidders.
    """
    keys = await _register_keys(app, CUSTODIANS)
    prices = {1: "1200000.00", 2: "1200000.00", 3: "870000.00"}
    bids = await open_tender(app, clock, prices=prices, escrow={"threshold": 2, "custodians": CUSTODIANS})
    bid_id = bids[2][0]
    async with client_for(app, bidder_key(2)) as bidder:
        recovery_id = (await bidder.post(f"/v1/projects/{CODE}/bids/{bid_id}/recoveries",
                                         json={"reason": "CA 证书驱动故障，无法解密"})).json()["id"]
    for name in CUSTODIANS[1:]:
        await _share(app, recovery_id, custodian(name), await _opened_share(app, name, keys[name]))
    for n in (1, 3):
        async with client_for(app, bidder_key(n)) as bidder:
            revealed = await bidder.post(f"/v1/projects/{CODE}/bids/{bids[n][0]}/reveal", json=bids[n][1].as_reveal())
            assert revealed.status_code == 200, revealed.text
    clock.advance(timedelta(minutes=31))
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{CODE}/opening/finish")).status_code == 200
        opened = next(b for b in (await clerk.get(f"/v1/projects/{CODE}/bids")).json() if b["id"] == bid_id)
    async with client_for(app, SUPERVISOR) as supervisor:
        flags = (await supervisor.get("/v1/flags", params={"project_code": CODE})).json()
    assert opened["reveal_status"] == "escrow"
    assert (opened["validity"], opened["invalid_reason"]) == ("invalid", "price above the section's ceiling")
    identical = [f for f in flags if f["screen"] == "identical_prices"]
    assert [sorted(f["credit_codes"]) for f in identical] == [sorted([enterprise(1), enterprise(2)])]


async def test_a_bidder_that_has_not_signed_in_cannot_ask_for_backup_decryption(app: FastAPI, clock: FixedClock) -> None:
    """Backup decryption is decryption: like its own key, a bidder uses it only once signed in to the opening."""
    await _register_keys(app, CUSTODIANS)
    bids = await open_tender(app, clock, escrow={"threshold": 2, "custodians": CUSTODIANS}, signed_in=(1, 3))
    async with client_for(app, bidder_key(2)) as bidder:
        refused = await bidder.post(f"/v1/projects/{CODE}/bids/{bids[2][0]}/recoveries", json={"reason": "证书故障"})
    await sign_in(app, CODE, 2)
    async with client_for(app, bidder_key(2)) as bidder:
        requested = await bidder.post(f"/v1/projects/{CODE}/bids/{bids[2][0]}/recoveries", json={"reason": "证书故障"})
    assert refused.json()["code"] == "not_signed_in"
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.get(f"/v1/projects/{CODE}/recoveries")).json()[0]["id"] == requested.json()["id"]
