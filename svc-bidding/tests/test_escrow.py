"""Escrow recovery: a recorded failure, logged shares, k-1 refused, k recovers, a wrong share never does."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bidding_factories import CLERK, bidder_key, open_tender
from fastapi import FastAPI
from sqlalchemy import select

from bianmin.bidding import shamir
from bianmin.bidding.domain.escrow import recover_private_key
from bianmin.bidding.models import EscrowShare
from bianmin.bidding.sealing import generate_escrow_keypair
from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import Principal
from bianmin.testing.client import client_for

CODE = "BM-2026-001"
CUSTODIANS = ["trading-centre", "supervision", "notary"]


def custodian(name: str) -> Principal:
    """The key of an escrow custodian."""
    return Principal(key_id=f"key-{name}", tenant="*", scopes=frozenset({"bidding:escrow"}))


async def _failed_bidder(app: FastAPI, clock: FixedClock) -> tuple[dict[str, Any], str, str]:
    escrow: dict[str, Any] = {"threshold": 2, "custodians": CUSTODIANS}
    bids = await open_tender(app, clock, escrow=escrow)
    bid_id = bids[2][0]
    async with client_for(app, bidder_key(2)) as bidder:
        requested = await bidder.post(f"/v1/projects/{CODE}/bids/{bid_id}/recoveries",
                                      json={"reason": "CA 证书驱动故障，无法解密"})
    assert requested.status_code == 201, requested.text
    return escrow["issued"], bid_id, requested.json()["id"]


async def _share(app: FastAPI, recovery_id: str, name: str, share: str) -> Any:
    async with client_for(app, custodian(name)) as c:
        return await c.post(f"/v1/projects/{CODE}/recoveries/{recovery_id}/shares",
                            json={"custodian": name, "share": share})


def test_any_k_shares_recover_the_key_and_a_foreign_share_does_not() -> None:
    private, public = generate_escrow_keypair()
    shares = shamir.split(private, threshold=2, shares=3)
    foreign = shamir.split(generate_escrow_keypair()[0], threshold=2, shares=3)
    assert recover_private_key(shares[1:], threshold=2, public_key=public) == private
    assert recover_private_key([foreign[0], shares[1]], threshold=2, public_key=public) is None
    assert recover_private_key([foreign[0], shares[1], shares[2]], threshold=2, public_key=public) == private


async def test_k_minus_one_shares_open_nothing_and_the_kth_opens_the_bid(app: FastAPI, clock: FixedClock) -> None:
    issued, bid_id, recovery_id = await _failed_bidder(app, clock)
    first = await _share(app, recovery_id, "supervision", issued["shares"]["supervision"])
    assert first.json()["status"] == "collecting"
    async with client_for(app, CLERK) as clerk:
        clock.advance(timedelta(minutes=31))
        blocked = await clerk.post(f"/v1/projects/{CODE}/opening/finish")
    assert blocked.json()["code"] == "recovery_pending"
    second = await _share(app, recovery_id, "notary", issued["shares"]["notary"])
    assert second.json()["status"] == "completed"
    assert [s["custodian"] for s in second.json()["submissions"]] == ["supervision", "notary"]
    assert second.json()["submissions"][1]["submitted_by"] == "key-notary"
    async with app.state.db.sessionmaker() as session:
        stored = list((await session.execute(select(EscrowShare.share))).scalars())
    assert stored == [None, None]
    async with client_for(app, CLERK) as clerk:
        finished = await clerk.post(f"/v1/projects/{CODE}/opening/finish")
        bids = (await clerk.get(f"/v1/projects/{CODE}/bids")).json()
    assert finished.json()["status"] == "failed"  # the other two bidders never revealed
    recovered = next(b for b in bids if b["id"] == bid_id)
    assert recovered["price"] == "950000.00"
    assert recovered["reveal_status"] == "escrow"


async def test_a_wrong_share_is_never_combined_into_a_wrong_key(app: FastAPI, clock: FixedClock) -> None:
    issued, _bid_id, recovery_id = await _failed_bidder(app, clock)
    foreign = shamir.split(generate_escrow_keypair()[0], threshold=2, shares=3)
    wrong = await _share(app, recovery_id, "trading-centre", foreign[0])
    right = await _share(app, recovery_id, "supervision", issued["shares"]["supervision"])
    assert wrong.status_code == 200
    assert right.json()["status"] == "collecting"
    done = await _share(app, recovery_id, "notary", issued["shares"]["notary"])
    assert done.json()["status"] == "completed"


async def test_shares_and_requests_are_checked(app: FastAPI, clock: FixedClock) -> None:
    issued, bid_id, recovery_id = await _failed_bidder(app, clock)
    swapped = await _share(app, recovery_id, "notary", issued["shares"]["supervision"])
    stranger = await _share(app, recovery_id, "mayor", issued["shares"]["notary"])
    async with client_for(app, custodian("notary")) as c:
        malformed = await c.post(f"/v1/projects/{CODE}/recoveries/{recovery_id}/shares",
                                 json={"custodian": "notary", "share": "x-zz"})
    async with client_for(app, bidder_key(1)) as other:
        not_theirs = await other.post(f"/v1/projects/{CODE}/bids/{bid_id}/recoveries", json={"reason": "故障"})
    async with client_for(app, bidder_key(2)) as bidder:
        twice = await bidder.post(f"/v1/projects/{CODE}/bids/{bid_id}/recoveries", json={"reason": "再次"})
        no_scope = await bidder.post(f"/v1/projects/{CODE}/recoveries/{recovery_id}/shares",
                                     json={"custodian": "notary", "share": issued["shares"]["notary"]})
    assert swapped.json()["errors"][0]["field"] == "share"
    assert stranger.json()["errors"][0]["field"] == "custodian"
    assert malformed.status_code == 422
    assert not_theirs.status_code == 403
    assert twice.json()["code"] == "recovery_pending"
    assert no_scope.status_code == 403
    async with client_for(app, CLERK) as clerk:
        abandoned = await clerk.post(f"/v1/projects/{CODE}/recoveries/{recovery_id}/abandon",
                                     json={"reason": "公证处无法到场"})
        clock.advance(timedelta(minutes=31))
        finished = await clerk.post(f"/v1/projects/{CODE}/opening/finish")
        log = (await clerk.get(f"/v1/projects/{CODE}/recoveries")).json()
    assert abandoned.json()["status"] == "abandoned"
    assert finished.status_code == 200
    assert log[0]["status"] == "abandoned"
    late = await _share(app, recovery_id, "notary", issued["shares"]["notary"])
    assert late.json()["code"] == "recovery_closed"
