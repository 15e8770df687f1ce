"""The remote opening by the rules: sign-in before decryption, prices published together when the window
closes, a bid not decrypted deemed withdrawn (《电子招标投标办法》), and the opening's own schedule.

The schedule is the worker's: it starts a closed tender's opening at ``opening_at`` and finishes it when
the decryption window closes, exactly once however many replicas run the pass at the same moment.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

from bidding_factories import (
    CLERK,
    DEADLINE,
    SUPERVISOR,
    bidder_key,
    enterprise,
    open_tender,
    project_body,
    register,
    sign_in,
    submit,
)
from fastapi import FastAPI
from sqlalchemy import func, select

from bianmin.bidding.domain import opening
from bianmin.bidding.models import OpeningRecord, Project
from bianmin.bidding.sealing import BidSecret
from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import ANONYMOUS
from bianmin.kit.tables import outbox_event
from bianmin.testing.client import client_for

CODE = "BM-2026-001"
PRICES = {1: "987654.32", 2: "912345.67", 3: "876543.21", 4: "934567.89"}
WINDOW = timedelta(minutes=30)  # the tender's default decryption_minutes


async def announced(app: FastAPI, subject: str) -> list[dict[str, Any]]:
    """The payloads of the outbox's events on ``subject``, oldest first."""
    async with app.state.db.sessionmaker() as session:
        bodies = (await session.execute(select(outbox_event.c.body).where(outbox_event.c.subject == subject)
                                        .order_by(outbox_event.c.seq))).scalars().all()
    return [json.loads(body)["data"] for body in bodies]


async def entries(app: FastAPI, kind: str | None = None) -> list[OpeningRecord]:
    """The opening record's entries (what the live stream sends), of one ``kind`` or all."""
    async with app.state.db.sessionmaker() as session:
        statement = select(OpeningRecord).order_by(OpeningRecord.seq)
        if kind is not None:
            statement = statement.where(OpeningRecord.kind == kind)
        return list((await session.execute(statement)).scalars())


async def status(app: FastAPI) -> str:
    """The tender's status."""
    async with app.state.db.sessionmaker() as session:
        return (await session.execute(select(Project.status).where(Project.code == CODE))).scalar_one()


async def reveal(app: FastAPI, n: int, bid: tuple[str, BidSecret]) -> None:
    """Enterprise ``n`` decrypts its own bid."""
    bid_id, secret = bid
    async with client_for(app, bidder_key(n)) as bidder:
        revealed = await bidder.post(f"/v1/projects/{CODE}/bids/{bid_id}/reveal", json=secret.as_reveal())
    assert revealed.status_code == 200, revealed.text


async def schedule_pass(app: FastAPI) -> tuple[list[str], list[str]]:
    """One pass of the opening's schedule as one replica's worker runs it: the codes started and finished."""
    async with app.state.db.sessionmaker() as session:
        started = await opening.start_due(session, now=app.state.clock.now(), settings=app.state.settings)
        await session.commit()
    async with app.state.db.sessionmaker() as session:
        finished = await opening.finish_due(session, now=app.state.clock.now(), settings=app.state.settings)
        await session.commit()
    return started, finished


def needles(prices: list[str]) -> list[str]:
    """The ways a price may be written in a response."""
    found = []
    for price in prices:
        whole, cents = price.split(".")
        found += [price, whole + cents, f"{int(whole):,}"]
    return found


async def test_a_bidder_that_has_not_signed_in_cannot_decrypt(app: FastAPI, clock: FixedClock) -> None:
    bids = await open_tender(app, clock, signed_in=(2, 3))
    bid_id, secret = bids[1]
    async with client_for(app, bidder_key(1)) as bidder:
        refused = await bidder.post(f"/v1/projects/{CODE}/bids/{bid_id}/reveal", json=secret.as_reveal())
        sealed = (await bidder.get(f"/v1/projects/{CODE}/sections/S1/bids",
                                   params={"credit_code": enterprise(1)})).json()[-1]["reveal_status"]
    await sign_in(app, CODE, 1)
    await reveal(app, 1, bids[1])
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "not_signed_in"
    assert "sign" in refused.json()["detail"]
    assert sealed == "sealed"


async def test_prices_are_published_together_when_the_window_closes_not_as_each_bid_is_decrypted(
        app: FastAPI, clock: FixedClock) -> None:
    """A bidder still deciding whether to decrypt learns nothing of the prices already decrypted."""
    prices = {n: PRICES[n] for n in (1, 2, 3)}
    bids = await open_tender(app, clock, prices=prices)
    for n in (1, 2):
        await reveal(app, n, bids[n])
    hidden = needles([prices[1], prices[2]])
    leaks = []
    for who in (ANONYMOUS, CLERK, SUPERVISOR, bidder_key(3)):
        async with client_for(app, who) as client:
            for url in (f"/v1/projects/{CODE}", f"/v1/projects/{CODE}/opening", f"/v1/projects/{CODE}/bids",
                        f"/v1/projects/{CODE}/responses"):
                response = await client.get(url)
                assert response.status_code < 500, response.text
                leaks += [f"{url} as {who.key_id}: {needle}" for needle in hidden if needle in response.text]
    streamed = json.dumps([e.data for e in await entries(app)], ensure_ascii=False)
    leaks += [f"stream: {needle}" for needle in hidden if needle in streamed]
    async with client_for(app, CLERK) as clerk:
        bids_during = await clerk.get(f"/v1/projects/{CODE}/bids")
    assert not leaks, "\n".join(leaks)
    assert bids_during.status_code == 409
    assert bids_during.json()["code"] == "opening_running"
    clock.advance(WINDOW)
    await schedule_pass(app)
    async with client_for(app, ANONYMOUS) as public:
        record = {r["credit_code"]: r["price"] for r in (await public.get(f"/v1/projects/{CODE}/opening")).json()}
    assert record == {enterprise(1): prices[1], enterprise(2): prices[2], enterprise(3): None}


async def test_a_bid_not_decrypted_is_deemed_withdrawn_and_its_default_announced(app: FastAPI, clock: FixedClock) -> None:
    """《电子招标投标办法》: a bid not decrypted through the bidder's fault is deemed withdrawn; guarantee
    files the tenderer's demand on its bond and credit records the default."""
    bids = await open_tender(app, clock, prices=PRICES, signed_in=(1, 2, 3))
    for n in (1, 2, 3):
        await reveal(app, n, bids[n])
    clock.advance(WINDOW)
    async with client_for(app, CLERK) as clerk:
        finished = await clerk.post(f"/v1/projects/{CODE}/opening/finish")
        rows = {r["credit_code"]: r for r in (await clerk.get(f"/v1/projects/{CODE}/opening")).json()}
    defaults = await announced(app, "bidding.bidder.defaulted")
    assert finished.json()["status"] == "opened", finished.text
    assert rows[enterprise(4)]["validity"] == "void"
    assert "deemed withdrawn" in rows[enterprise(4)]["reason"]
    assert [(d["credit_code"], d["section_code"], d["reason"]) for d in defaults] == [
        (enterprise(4), "S1", "withdrew_after_deadline")]
    assert defaults[0]["detail"].startswith("failed_to_decrypt")
    assert "not signed in" in defaults[0]["detail"]


async def test_the_opening_starts_at_its_time_and_finishes_when_the_window_closes_once_across_replicas(
        app: FastAPI, clock: FixedClock) -> None:
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post("/v1/projects", json=project_body(CODE))).status_code == 201
        assert (await clerk.post(f"/v1/projects/{CODE}/publish")).status_code == 200
        for n in (1, 2, 3):
            assert (await clerk.post("/v1/deposits", json={
                "project_code": CODE, "section_code": "S1", "credit_code": enterprise(n), "amount": "20000.00",
                "account": f"62220000{n:04d}", "reference": f"TX{n}"})).status_code == 201
    bids = {}
    for n in (1, 2, 3):
        async with client_for(app, bidder_key(n)) as bidder:
            assert (await register(bidder, CODE, n)).status_code == 201
            response, secret = await submit(bidder, CODE, n, PRICES[n])
            bids[n] = (response.json()["bid_id"], secret)
    clock.at = DEADLINE
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{CODE}/close")).status_code == 200
    clock.at = DEADLINE - timedelta(seconds=1)
    early = await schedule_pass(app)
    clock.at = DEADLINE
    starts = await asyncio.gather(*(schedule_pass(app) for _ in range(3)))
    for n in (1, 2):
        await sign_in(app, CODE, n)
        await reveal(app, n, bids[n])
    clock.advance(WINDOW - timedelta(seconds=1))
    in_window = await schedule_pass(app)
    clock.advance(timedelta(seconds=1))
    finishes = await asyncio.gather(*(schedule_pass(app) for _ in range(3)))
    async with client_for(app, CLERK) as clerk:
        again = await clerk.post(f"/v1/projects/{CODE}/opening/finish")
    assert early == ([], [])
    assert sorted(c for started, _ in starts for c in started) == [CODE]
    assert in_window == ([], [])
    assert sorted(c for _, finished in finishes for c in finished) == [CODE]
    assert await status(app) == "opened"
    assert len(await entries(app, "opening_started")) == 1
    assert len(await entries(app, "opening_closed")) == 1
    assert len(await announced(app, "bidding.project.opened")) == 1
    assert [d["credit_code"] for d in await announced(app, "bidding.bidder.defaulted")] == [enterprise(3)]
    assert again.status_code == 409


async def test_a_clerk_and_the_worker_finishing_at_once_finish_once(app: FastAPI, clock: FixedClock) -> None:
    bids = await open_tender(app, clock)
    for n, bid in bids.items():
        await reveal(app, n, bid)
    clock.advance(WINDOW)

    async def clerk_finish() -> int:
        async with client_for(app, CLERK) as clerk:
            return (await clerk.post(f"/v1/projects/{CODE}/opening/finish")).status_code

    results = await asyncio.gather(clerk_finish(), schedule_pass(app), clerk_finish(), schedule_pass(app))
    codes = [r for r in results if isinstance(r, int)]
    finished = [c for r in results if isinstance(r, tuple) for c in r[1]]
    async with app.state.db.sessionmaker() as session:
        closed = (await session.execute(select(func.count()).select_from(OpeningRecord)
                                        .where(OpeningRecord.kind == "opening_closed"))).scalar_one()
    assert codes.count(200) + len(finished) == 1
    assert all(c in (200, 409) for c in codes)
    assert closed == 1
    assert len(await announced(app, "bidding.project.opened")) == 1
