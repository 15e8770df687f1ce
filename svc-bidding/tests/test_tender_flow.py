"""A whole tender through the API: publish, register, seal, deadline, opening, evaluation, award."""

from __future__ import annotations

import base64
from datetime import timedelta

from bidding_factories import (
    CLERK,
    DEADLINE,
    SUPERVISOR,
    account,
    bidder_key,
    enterprise,
    package,
    project_body,
    register,
    submit,
)
from fastapi import FastAPI
from sqlalchemy import select

from bianmin.bidding.models import Bid, OpeningRecord
from bianmin.bidding.sealing import seal, verify_receipt
from bianmin.kit.clock import FixedClock
from bianmin.testing.client import client_for

CODE = "BM-2026-001"


async def _setup(app: FastAPI, bidders: int = 3) -> None:
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post("/v1/projects", json=project_body())).status_code == 201
        assert (await clerk.post(f"/v1/projects/{CODE}/publish")).status_code == 200
        for n in range(1, bidders + 1):
            assert (await clerk.post("/v1/deposits", json={
                "project_code": CODE, "section_code": "S1", "credit_code": enterprise(n), "amount": "20000.00",
                "account": f"62220000{n:04d}", "reference": f"TX{n}"})).status_code == 201


async def test_a_whole_tender_from_draft_to_award(app: FastAPI, clock: FixedClock) -> None:
    await _setup(app)
    secrets = {}
    prices = {1: "900000.00", 2: "950000.00", 3: "870000.00"}
    for n, price in prices.items():
        async with client_for(app, bidder_key(n)) as bidder:
            assert (await register(bidder, CODE, n)).status_code == 201
            response, secret = await submit(bidder, CODE, n, price,
                                            headers={"X-Forwarded-For": f"10.0.0.{n}", "X-Device-Fingerprint": f"dev{n}"})
            assert response.status_code == 201, response.text
            key = (await bidder.get("/v1/receipt-key")).json()["public_key"]
            assert verify_receipt(response.json(), key)
            secrets[n] = (response.json()["bid_id"], secret)
    clock.at = DEADLINE
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{CODE}/close")).json()["status"] == "closed"
        listed = (await clerk.get(f"/v1/projects/{CODE}/sections/S1/commitments")).json()["commitments"]
        assert len(listed) == 3
        assert (await clerk.post(f"/v1/projects/{CODE}/opening/start")).json()["status"] == "opening"
    for n, (bid_id, secret) in secrets.items():
        async with client_for(app, bidder_key(n)) as bidder:
            assert (await bidder.post(f"/v1/projects/{CODE}/opening/sign-in",
                                      json={"credit_code": enterprise(n)})).status_code == 200
            revealed = await bidder.post(f"/v1/projects/{CODE}/bids/{bid_id}/reveal", json=secret.as_reveal())
            assert revealed.status_code == 200, revealed.text
            assert revealed.json()["price"] == prices[n]
    async with client_for(app, CLERK) as clerk:
        finished = await clerk.post(f"/v1/projects/{CODE}/opening/finish")
        assert finished.json()["status"] == "opened", finished.text
        rows = (await clerk.get(f"/v1/projects/{CODE}/opening")).json()
        assert {r["validity"] for r in rows} == {"valid"}
        stream = await clerk.get(f"/v1/projects/{CODE}/opening/stream")
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert "event: opening_closed" in stream.text
        assert "event: end" in stream.text
        resumed = await clerk.get(f"/v1/projects/{CODE}/opening/stream", headers={"Last-Event-ID": "3"})
        assert "id: 3\n" not in resumed.text
        assert "id: 4\n" in resumed.text
    async with client_for(app, bidder_key(2)) as bidder:
        objection = await bidder.post(f"/v1/projects/{CODE}/responses",
                                      json={"credit_code": enterprise(2), "kind": "objection", "text": "价格读错"})
        assert objection.status_code == 201
    clock.advance(timedelta(minutes=20))
    async with client_for(app, CLERK) as clerk:
        blocked = await clerk.post(f"/v1/projects/{CODE}/evaluation/start")
        assert blocked.status_code == 409
        assert blocked.json()["code"] == "objections_unanswered"
        assert (await clerk.post(f"/v1/projects/{CODE}/responses/{objection.json()['id']}/answer",
                                 json={"answer": "已核对，价格无误"})).status_code == 200
        assert (await clerk.post(f"/v1/projects/{CODE}/evaluation/start")).json()["status"] == "evaluating"
        assert (await clerk.post(f"/v1/projects/{CODE}/evaluation/publicise")).json()["status"] == "publicised"
        early = await clerk.post(f"/v1/projects/{CODE}/award")
        assert early.status_code == 409
        assert early.json()["code"] == "publicity_running"
        clock.advance(timedelta(days=3))
        awarded = (await clerk.post(f"/v1/projects/{CODE}/award")).json()
        assert awarded["status"] == "awarded"
        assert awarded["sections"][0]["winner_credit_code"] == enterprise(3)
        assert awarded["sections"][0]["award_amount"] == "870000.00"
        again = await clerk.post(f"/v1/projects/{CODE}/award")
        assert again.status_code == 409
        assert again.json()["code"] == "transition_forbidden"
        history = [t["to_status"] for t in (await clerk.get(f"/v1/projects/{CODE}/transitions")).json()]
        assert history == ["draft", "published", "closed", "opening", "opened", "evaluating", "publicised", "awarded"]
    async with client_for(app, SUPERVISOR) as supervisor:
        flags = (await supervisor.get("/v1/flags", params={"project_code": CODE})).json()
        assert all(f["screen"] not in ("same_ip", "same_device_fingerprint") for f in flags)


async def test_nothing_stored_or_served_before_the_opening_reveals_the_price(app: FastAPI, clock: FixedClock) -> None:
    await _setup(app)
    async with client_for(app, bidder_key(1)) as bidder:
        await register(bidder, CODE, 1)
        response, _ = await submit(bidder, CODE, 1, "912345.67")
        served = [response.text,
                  (await bidder.get(f"/v1/projects/{CODE}/sections/S1/bids", params={"credit_code": enterprise(1)})).text,
                  (await bidder.get(f"/v1/projects/{CODE}")).text]
    assert (await client_for(app, CLERK).get(f"/v1/projects/{CODE}/opening")).status_code == 409
    async with app.state.db.sessionmaker() as session:
        stored = [repr(vars(b)) for b in (await session.execute(select(Bid))).scalars()]
        stored += [repr(r.data) for r in (await session.execute(select(OpeningRecord))).scalars()]
    for text in served + stored:
        assert "912345" not in text


async def test_the_deadline_is_exact_to_the_microsecond(app: FastAPI, clock: FixedClock) -> None:
    await _setup(app)
    async with client_for(app, bidder_key(1)) as bidder:
        await register(bidder, CODE, 1)
        clock.at = DEADLINE - timedelta(microseconds=1)
        accepted, _ = await submit(bidder, CODE, 1, "900000.00")
        clock.at = DEADLINE
        refused, _ = await submit(bidder, CODE, 1, "800000.00")
        withdraw = await bidder.post(f"/v1/projects/{CODE}/sections/S1/bids/withdraw",
                                     json={"credit_code": enterprise(1)})
    assert accepted.status_code == 201
    assert refused.status_code == 409
    assert refused.json()["code"] == "deadline_passed"
    assert withdraw.status_code == 409


async def test_a_replaced_bid_keeps_its_history_and_only_the_last_counts(app: FastAPI, clock: FixedClock) -> None:
    await _setup(app)
    async with client_for(app, bidder_key(1)) as bidder:
        await register(bidder, CODE, 1)
        first, _ = await submit(bidder, CODE, 1, "900000.00")
        second, _ = await submit(bidder, CODE, 1, "880000.00")
        history = (await bidder.get(f"/v1/projects/{CODE}/sections/S1/bids", params={"credit_code": enterprise(1)})).json()
    assert [b["status"] for b in history] == ["replaced", "active"]
    assert second.json()["version"] == 2
    assert first.json()["commitment"] != second.json()["commitment"]
    async with client_for(app, bidder_key(2)) as other:
        stolen = await other.get(f"/v1/projects/{CODE}/sections/S1/bids", params={"credit_code": enterprise(1)})
    assert stolen.status_code == 403


async def test_fewer_than_three_bidders_fail_the_tender_at_the_opening(app: FastAPI, clock: FixedClock) -> None:
    await _setup(app, bidders=2)
    for n in (1, 2):
        async with client_for(app, bidder_key(n)) as bidder:
            await register(bidder, CODE, n)
            await submit(bidder, CODE, n, "900000.00")
    clock.at = DEADLINE + timedelta(minutes=1)
    async with client_for(app, CLERK) as clerk:
        await clerk.post(f"/v1/projects/{CODE}/close")
        started = (await clerk.post(f"/v1/projects/{CODE}/opening/start")).json()
    assert started["status"] == "failed"
    assert "§44" in started["sections"][0]["failure_reason"]


async def test_an_unrevealed_bid_is_void_and_an_unsecured_one_invalid(app: FastAPI, clock: FixedClock) -> None:
    await _setup(app, bidders=4)
    secrets = {}
    for n in (1, 2, 3, 4, 5):
        async with client_for(app, bidder_key(n)) as bidder:
            await register(bidder, CODE, n)
            response, secret = await submit(bidder, CODE, n, f"{900000 + n * 1000}.00")
            secrets[n] = (response.json()["bid_id"], secret)
    clock.at = DEADLINE
    async with client_for(app, CLERK) as clerk:
        await clerk.post(f"/v1/projects/{CODE}/close")
        await clerk.post(f"/v1/projects/{CODE}/opening/start")
    for n in (1, 2, 3, 5):
        async with client_for(app, bidder_key(n)) as bidder:
            bid_id, secret = secrets[n]
            await bidder.post(f"/v1/projects/{CODE}/opening/sign-in", json={"credit_code": enterprise(n)})
            assert (await bidder.post(f"/v1/projects/{CODE}/bids/{bid_id}/reveal", json=secret.as_reveal())).status_code == 200
    async with client_for(app, CLERK) as clerk:
        early = await clerk.post(f"/v1/projects/{CODE}/opening/finish")
        assert early.status_code == 409
        assert early.json()["code"] == "window_open"
        clock.advance(timedelta(minutes=30))
    async with client_for(app, bidder_key(4)) as late:
        bid_id, secret = secrets[4]
        too_late = await late.post(f"/v1/projects/{CODE}/bids/{bid_id}/reveal", json=secret.as_reveal())
        assert too_late.status_code == 409
        assert too_late.json()["code"] == "window_closed"
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{CODE}/opening/finish")).json()["status"] == "opened"
        rows = {r["credit_code"]: r for r in (await clerk.get(f"/v1/projects/{CODE}/opening")).json()}
    assert rows[enterprise(4)]["validity"] == "void"
    assert rows[enterprise(5)]["validity"] == "invalid"
    assert rows[enterprise(5)]["deposit_secured"] is False
    assert rows[enterprise(1)]["validity"] == "valid"


async def test_a_wrong_key_is_refused_and_can_be_retried(app: FastAPI, clock: FixedClock) -> None:
    await _setup(app)
    secrets = {}
    for n in (1, 2, 3):
        async with client_for(app, bidder_key(n)) as bidder:
            await register(bidder, CODE, n)
            response, secret = await submit(bidder, CODE, n, "900000.00")
            secrets[n] = (response.json()["bid_id"], secret)
    clock.at = DEADLINE
    async with client_for(app, CLERK) as clerk:
        await clerk.post(f"/v1/projects/{CODE}/close")
        await clerk.post(f"/v1/projects/{CODE}/opening/start")
    async with client_for(app, bidder_key(1)) as bidder:
        bid_id, secret = secrets[1]
        await bidder.post(f"/v1/projects/{CODE}/opening/sign-in", json={"credit_code": enterprise(1)})
        wrong = await bidder.post(f"/v1/projects/{CODE}/bids/{bid_id}/reveal",
                                  json={"data_key": secrets[2][1].data_key, "salt": secret.salt})
        bad_salt = await bidder.post(f"/v1/projects/{CODE}/bids/{bid_id}/reveal",
                                     json={"data_key": secret.data_key, "salt": "0" * 64})
        right = await bidder.post(f"/v1/projects/{CODE}/bids/{bid_id}/reveal", json=secret.as_reveal())
    assert wrong.status_code == 422
    assert wrong.json()["code"] == "reveal_failed"
    assert bad_salt.status_code == 422
    assert "commitment" in bad_salt.json()["detail"]
    assert right.status_code == 200




async def test_a_ciphertext_that_is_not_the_padded_size_is_refused(app: FastAPI) -> None:
    """§22: a ciphertext of any length but the padded package's would tell the price's number of digits."""
    await _setup(app, bidders=1)
    sealed, _ = seal(package("900000.00"), project=CODE, section="S1", bidder=enterprise(1))
    short = base64.b64encode(bytes(200)).decode()
    async with client_for(app, bidder_key(1)) as bidder:
        assert (await register(bidder, CODE, 1)).status_code == 201
        refused = await bidder.post(f"/v1/projects/{CODE}/sections/S1/bids", json={
            "credit_code": enterprise(1), **sealed.as_request(), "ciphertext": short})
        mine = (await bidder.get(f"/v1/projects/{CODE}/sections/S1/bids", params={"credit_code": enterprise(1)})).json()
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "ciphertext"
    assert mine == []


async def test_deposits_are_listed_to_the_managing_site_only_after_the_deadline(app: FastAPI, clock: FixedClock) -> None:
    """招标投标法 §22: a deposit names a bidder, so before the deadline only supervision lists them."""
    await _setup(app)
    agent = account("staff", "agent-1", "tender_agent", site="330199")
    supervisor = account("supervisor", "sup-1", "supervisor", site="330199")
    url = f"/v1/projects/{CODE}/deposits"
    early = {}
    for name, who in {"clerk": CLERK, "agent": agent, "supervisor": SUPERVISOR, "person": supervisor}.items():
        async with client_for(app, who) as c:
            early[name] = await c.get(url)
    clock.at = DEADLINE
    async with client_for(app, CLERK) as clerk:
        late = await clerk.get(url)
    assert early["clerk"].status_code == early["agent"].status_code == 409
    assert early["clerk"].json()["code"] == "deadline_not_reached"
    assert enterprise(1) not in early["agent"].text
    assert len(early["supervisor"].json()) == len(early["person"].json()) == 3
    assert {d["credit_code"] for d in late.json()} == {enterprise(n) for n in (1, 2, 3)}
