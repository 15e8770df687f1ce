"""The indicators of 实施条例 §40 the platform holds, each bidder's hearing (陈述申辩) before it is confirmed, the
supervisor's re-runs with thresholds of their own, and rotation over chosen sections; every run recorded."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from bidding_factories import (
    CLERK,
    DEADLINE,
    SUPERVISOR,
    account,
    bidder_key,
    enterprise,
    open_tender,
    project_body,
    register,
    sign_in,
    submit,
)
from fastapi import FastAPI
from sqlalchemy import select

from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import Principal
from bianmin.kit.tables import outbox_event
from bianmin.testing.client import DISTRICT_ADMIN, client_for

CODE = "BM-2026-001"
# Enterprise 1's and 4's bids are handled by one person: a signed-in account bound to both enterprises.
AGENT = account("enterprise", "agent-1", parties=(enterprise(1), enterprise(4)), scopes=frozenset({"bidding:bid"}))
SUPERVISOR_PERSON = account("supervisor", "sup-1", "supervisor")
PRICES = {1: "900000.00", 2: "950000.00", 3: "870000.00", 4: "990000.00"}


async def announced(app: FastAPI, subject: str) -> list[dict[str, Any]]:
    """The payloads of the outbox's events on ``subject``, oldest first."""
    async with app.state.db.sessionmaker() as session:
        bodies = (await session.execute(select(outbox_event.c.body).where(outbox_event.c.subject == subject)
                                        .order_by(outbox_event.c.seq))).scalars().all()
    return [json.loads(body)["data"] for body in bodies]


async def _indicated_tender(app: FastAPI, clock: FixedClock) -> dict[str, list[str]]:
    """A tender whose bidders share, pairwise, a payer account (1, 2), a contact phone (1, 3), a machine (2, 3),
    a project manager (1, 2) and an agent (1, 4); opened. The flags' bidders by screen."""
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post("/v1/projects", json=project_body(CODE))).status_code == 201
        assert (await clerk.post(f"/v1/projects/{CODE}/publish")).status_code == 200
        for n in PRICES:
            account_no = "6222000000000012" if n in (1, 2) else f"62220000000000{n:02d}"
            assert (await clerk.post("/v1/deposits", json={
                "project_code": CODE, "section_code": "S1", "credit_code": enterprise(n), "amount": "20000.00",
                "account": account_no, "reference": f"TX{n}"})).status_code == 201
    phones = {1: "+86 138-0000-1234", 2: "13900002222", 3: "13800001234", 4: "13700004444"}
    machines = {1: "MC-AAAA-0001", 2: "MC-BBBB-0002", 3: "mc-bbbb-0002", 4: None}
    managers = {1: "张 三", 2: "张三", 3: "李四", 4: "王五"}
    bids = {}
    for n, price in PRICES.items():
        async with client_for(app, AGENT if n in (1, 4) else bidder_key(n)) as bidder:
            assert (await register(bidder, CODE, n, phone=phones[n])).status_code == 201
            response, secret = await submit(bidder, CODE, n, price, manager=managers[n], machine_code=machines[n])
            assert response.status_code == 201, response.text
            bids[n] = (response.json()["bid_id"], secret)
    clock.at = DEADLINE
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{CODE}/close")).status_code == 200
        assert (await clerk.post(f"/v1/projects/{CODE}/opening/start")).status_code == 200
        for n, (bid_id, secret) in bids.items():
            await sign_in(app, CODE, n)
            async with client_for(app, AGENT if n in (1, 4) else bidder_key(n)) as bidder:
                assert (await bidder.post(f"/v1/projects/{CODE}/bids/{bid_id}/reveal",
                                          json=secret.as_reveal())).status_code == 200
        assert (await clerk.post(f"/v1/projects/{CODE}/opening/finish")).json()["status"] == "opened"
    async with client_for(app, SUPERVISOR) as supervisor:
        flags = (await supervisor.get("/v1/flags", params={"project_code": CODE})).json()
    return {f["screen"]: f for f in flags}


async def test_the_indicators_of_article_40_are_flagged_at_the_opening_naming_the_bidders(
        app: FastAPI, clock: FixedClock) -> None:
    flags = await _indicated_tender(app, clock)
    pairs = {screen: flag["credit_codes"] for screen, flag in flags.items()}
    e = enterprise
    assert pairs["same_deposit_account"] == sorted([e(1), e(2)])
    assert pairs["same_contact_phone"] == sorted([e(1), e(3)])
    assert pairs["same_machine_code"] == sorted([e(2), e(3)])
    assert pairs["same_project_manager"] == sorted([e(1), e(2)])
    assert pairs["same_agent"] == sorted([e(1), e(4)])
    assert flags["same_agent"]["evidence"] == {"agent": "enterprise:agent-1"}
    assert flags["same_contact_phone"]["evidence"] == {"contact_phone": "13800001234"}
    async with client_for(app, SUPERVISOR) as supervisor:
        (run,) = (await supervisor.get("/v1/screen-runs", params={"project_code": CODE})).json()
    assert run["kind"] == "opening"
    assert run["scope"] == [f"{CODE}/S1"]
    assert run["thresholds"]["cv_max"] == "calibrated"
    assert sorted(run["raised"]) == sorted(f["id"] for f in flags.values())
    assert all(f["run_id"] == run["id"] for f in flags.values())


async def test_a_machine_code_that_is_not_printable_is_refused_naming_the_field(app: FastAPI, clock: FixedClock) -> None:
    async with client_for(app, CLERK) as clerk:
        await clerk.post("/v1/projects", json=project_body(CODE))
        await clerk.post(f"/v1/projects/{CODE}/publish")
    async with client_for(app, bidder_key(1)) as bidder:
        await register(bidder, CODE, 1)
        refused, _ = await submit(bidder, CODE, 1, "900000.00", machine_code="机器\n1")
        history = (await bidder.get(f"/v1/projects/{CODE}/sections/S1/bids", params={"credit_code": enterprise(1)})).json()
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"].endswith("machine_code")
    assert history == []


async def test_a_bidder_is_confirmed_only_after_its_hearing_and_only_it_is_announced_to_credit(
        app: FastAPI, clock: FixedClock) -> None:
    flags = await _indicated_tender(app, clock)
    flag = flags["same_project_manager"]
    one, two = enterprise(1), enterprise(2)
    base = f"/v1/flags/{flag['id']}"
    async with client_for(app, SUPERVISOR_PERSON) as supervisor:
        unheard = await supervisor.post(f"{base}/bidders/{one}/confirm", json={"note": "同一项目经理"})
        stranger = await supervisor.post(f"{base}/hearings", json={"credit_code": enterprise(3), "notice": "告知"})
        opened = await supervisor.post(f"{base}/hearings", json={
            "credit_code": one, "notice": "你单位与另一投标人的投标文件载明的项目经理为同一人（实施条例第四十条第三项）"})
        twice = await supervisor.post(f"{base}/hearings", json={"credit_code": one, "notice": "再次告知"})
        early = await supervisor.post(f"{base}/bidders/{one}/confirm", json={"note": "同一项目经理"})
    assert (unheard.status_code, unheard.json()["code"]) == (409, "hearing_pending")
    assert stranger.status_code == 422
    assert stranger.json()["errors"][0]["field"] == "credit_code"
    assert opened.status_code == 201, opened.text
    (hearing,) = opened.json()["hearings"]
    # Opened on Sunday 22 March 2026 (Shanghai): five working days end on Friday the 27th.
    assert datetime.fromisoformat(hearing["due_at"]) == datetime.fromisoformat("2026-03-27T23:59:59+08:00")
    assert (twice.status_code, twice.json()["code"]) == (409, "hearing_opened")
    assert (early.status_code, early.json()["code"]) == (409, "hearing_pending")
    assert await announced(app, "bidding.collusion.confirmed") == []
    (notice,) = await announced(app, "bidding.collusion.hearing_opened")
    assert (notice["credit_code"], notice["flag_id"]) == (one, flag["id"])

    operator_app = Principal(key_id="operator", tenant="*", scopes=frozenset({"admin"}))
    async with client_for(app, bidder_key(2)) as other, client_for(app, operator_app) as operator:
        not_theirs = await other.post(f"{base}/hearings/{one}/statement", json={"statement": "代为申辩"})
        not_their_list = await other.get("/v1/collusion-hearings", params={"credit_code": one})
        for_them = await operator.post(f"{base}/hearings/{one}/statement", json={"statement": "代为申辩"})
        probing = await other.post(f"/v1/flags/{'0' * 32}/hearings/{one}/statement", json={"statement": "探测"})
    assert not_theirs.status_code == 403
    assert not_their_list.status_code == 403
    assert for_them.status_code == 403
    assert probing.status_code == 403  # not 404: whether a flag names enterprise 1 is not enterprise 2's to learn
    async with client_for(app, AGENT) as bidder:
        (listed,) = (await bidder.get("/v1/collusion-hearings", params={"credit_code": one})).json()
        stated = await bidder.post(f"{base}/hearings/{one}/statement", json={"statement": "项目经理张三仅受聘于我单位，另一家系同名"})
        again = await bidder.post(f"{base}/hearings/{one}/statement", json={"statement": "补充"})
    assert listed["hearing"]["notice"].startswith("你单位")
    assert listed["screen"] == "same_project_manager"
    assert stated.status_code == 200, stated.text
    assert stated.json()["hearing"]["answered_by"] == "enterprise:agent-1"
    assert (again.status_code, again.json()["code"]) == (409, "hearing_closed")

    async with client_for(app, SUPERVISOR_PERSON) as supervisor:
        ready = [a for a in (await supervisor.get("/v1/alerts")).json() if a["kind"] == "collusion_hearing_ready"]
        confirmed = await supervisor.post(f"{base}/bidders/{one}/confirm", json={"note": "经核查，注册建造师为同一人"})
        decided = [a for a in (await supervisor.get("/v1/alerts")).json() if a["kind"] == "collusion_hearing_ready"]
        opened_two = await supervisor.post(f"{base}/hearings", json={"credit_code": two, "notice": "同一项目经理"})
    assert [(a["id"], a["credit_code"]) for a in ready] == [(flag["id"], one)]  # answered: the supervisor decides
    assert decided == []
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "open"  # enterprise 2 is not decided yet
    assert opened_two.status_code == 201
    (event,) = await announced(app, "bidding.collusion.confirmed")
    assert event["credit_codes"] == [one]

    clock.advance(timedelta(days=6))  # past Friday the 27th: enterprise 2 did not answer
    async with client_for(app, bidder_key(2)) as bidder:
        late = await bidder.post(f"{base}/hearings/{two}/statement", json={"statement": "迟到的申辩"})
    async with client_for(app, SUPERVISOR_PERSON) as supervisor:
        expired = await supervisor.post(f"{base}/bidders/{two}/confirm", json={"note": "逾期未申辩"})
        after = await supervisor.post(f"{base}/bidders/{one}/clear", json={"note": "改判"})
    assert (late.status_code, late.json()["code"]) == (409, "hearing_closed")
    assert expired.status_code == 200, expired.text
    assert expired.json()["status"] == "confirmed"
    assert [h["decision"] for h in expired.json()["hearings"]] == ["confirmed", "confirmed"]
    assert after.status_code == 409
    assert [e["credit_codes"] for e in await announced(app, "bidding.collusion.confirmed")] == [[one], [two]]


async def test_a_cleared_bidder_gets_no_record_and_a_flag_with_a_confirmed_bidder_is_not_dismissed(
        app: FastAPI, clock: FixedClock) -> None:
    flags = await _indicated_tender(app, clock)
    phone = flags["same_contact_phone"]
    one, three = enterprise(1), enterprise(3)
    base = f"/v1/flags/{phone['id']}"
    async with client_for(app, SUPERVISOR_PERSON) as supervisor:
        unheard = await supervisor.post(f"{base}/bidders/{three}/clear", json={"note": "号码为代理机构总机"})
        for code in (one, three):
            assert (await supervisor.post(f"{base}/hearings", json={"credit_code": code, "notice": "同一联系电话"})).status_code == 201
        cleared = await supervisor.post(f"{base}/bidders/{three}/clear", json={"note": "号码为代理机构总机"})
        clock.advance(timedelta(days=10))
        confirmed = await supervisor.post(f"{base}/bidders/{one}/confirm", json={"note": "逾期未申辩"})
        dismissed = await supervisor.post(f"{base}/dismiss", json={"note": "撤销"})
    assert (unheard.status_code, unheard.json()["code"]) == (409, "hearing_pending")
    assert cleared.status_code == 200, cleared.text
    assert confirmed.json()["status"] == "confirmed"
    assert dismissed.status_code == 409
    assert [e["credit_codes"] for e in await announced(app, "bidding.collusion.confirmed")] == [[one]]


async def test_a_supervisor_reruns_the_screens_with_new_thresholds_and_every_run_is_recorded(
        app: FastAPI, clock: FixedClock) -> None:
    async with client_for(app, CLERK) as clerk:
        await clerk.post("/v1/projects", json=project_body("BM-2026-002"))
    bids = await open_tender(app, clock)
    for n, (bid_id, secret) in bids.items():
        async with client_for(app, bidder_key(n)) as bidder:
            assert (await bidder.post(f"/v1/projects/{CODE}/bids/{bid_id}/reveal", json=secret.as_reveal())).status_code == 200
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{CODE}/opening/finish")).json()["status"] == "opened"
    async with client_for(app, SUPERVISOR_PERSON) as supervisor:
        before = (await supervisor.get("/v1/flags", params={"project_code": CODE})).json()
        clock.advance(timedelta(minutes=5))
        loose = await supervisor.post(f"/v1/projects/{CODE}/screen-runs", json={"cv_max": "0.5", "note": "按本中心历史数据"})
        clock.advance(timedelta(minutes=5))
        same = await supervisor.post(f"/v1/projects/{CODE}/screen-runs", json={"cv_max": "0.5"})
        bad = await supervisor.post(f"/v1/projects/{CODE}/screen-runs", json={"cv_max": "-1"})
        unopened = await supervisor.post("/v1/projects/BM-2026-002/screen-runs", json={})
        runs = (await supervisor.get("/v1/screen-runs", params={"project_code": CODE})).json()
        after = (await supervisor.get("/v1/flags", params={"project_code": CODE})).json()
    async with client_for(app, bidder_key(1)) as bidder:
        refused = await bidder.post(f"/v1/projects/{CODE}/screen-runs", json={})
    assert "coefficient_of_variation" not in {f["screen"] for f in before}
    assert loose.status_code == 201, loose.text
    (raised,) = loose.json()["raised"]
    cv = next(f for f in after if f["id"] == raised)
    assert cv["screen"] == "coefficient_of_variation"
    assert cv["evidence"]["basis"] == "setting"
    assert loose.json()["thresholds"]["cv_max"] == "0.5"
    assert loose.json()["thresholds"]["rd_min"] == "calibrated"
    assert loose.json()["run_by"] == "supervisor:sup-1"
    assert loose.json()["note"] == "按本中心历史数据"
    assert same.json()["raised"] == []
    assert raised in same.json()["matched"]
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"].endswith("cv_max")
    assert (unopened.status_code, unopened.json()["code"]) == (409, "not_opened")
    assert [r["kind"] for r in runs] == ["rerun", "rerun", "opening"]
    assert len(after) == len(before) + 1
    assert refused.status_code == 403


ROUND = ("BM-2026-101", "BM-2026-102", "BM-2026-103", "BM-2026-104", "BM-2026-105")


async def _awarded_in_turn(app: FastAPI, clock: FixedClock, winners: list[int]) -> None:
    """Tenders of ROUND, the same three bidders in each, each won by the next of ``winners`` at the lowest price."""
    from bianmin.bidding.sealing import BidSecret

    secrets: dict[str, dict[int, tuple[str, BidSecret]]] = {}
    async with client_for(app, CLERK) as clerk:
        for code in ROUND[:len(winners)]:
            assert (await clerk.post("/v1/projects", json=project_body(code))).status_code == 201
            assert (await clerk.post(f"/v1/projects/{code}/publish")).status_code == 200
            for n in (1, 2, 3):
                assert (await clerk.post("/v1/deposits", json={
                    "project_code": code, "section_code": "S1", "credit_code": enterprise(n), "amount": "20000.00",
                    "account": f"62220000{n:04d}", "reference": f"{code}-TX{n}"})).status_code == 201
    for code, winner in zip(ROUND, winners, strict=False):
        secrets[code] = {}
        for n in (1, 2, 3):
            price = "870000.00" if n == winner else f"{900000 + 20000 * n}.00"
            async with client_for(app, bidder_key(n)) as bidder:
                assert (await register(bidder, code, n)).status_code == 201
                response, secret = await submit(bidder, code, n, price)
                secrets[code][n] = (response.json()["bid_id"], secret)
    clock.at = DEADLINE
    async with client_for(app, CLERK) as clerk:
        for code in secrets:
            clock.advance(timedelta(minutes=1))
            assert (await clerk.post(f"/v1/projects/{code}/close")).status_code == 200
            assert (await clerk.post(f"/v1/projects/{code}/opening/start")).status_code == 200
            for n, (bid_id, secret) in secrets[code].items():
                await sign_in(app, code, n)
                async with client_for(app, bidder_key(n)) as bidder:
                    await bidder.post(f"/v1/projects/{code}/bids/{bid_id}/reveal", json=secret.as_reveal())
            assert (await clerk.post(f"/v1/projects/{code}/opening/finish")).json()["status"] == "opened"
        clock.advance(timedelta(minutes=20))
        for code in secrets:
            assert (await clerk.post(f"/v1/projects/{code}/evaluation/start")).status_code == 200
            assert (await clerk.post(f"/v1/projects/{code}/evaluation/publicise")).status_code == 200
        clock.advance(timedelta(days=3))
        for code, winner in zip(secrets, winners, strict=True):
            awarded = (await clerk.post(f"/v1/projects/{code}/award")).json()
            assert awarded["sections"][0]["winner_credit_code"] == enterprise(winner), awarded


async def test_a_supervisor_screens_chosen_sections_for_a_ring_winning_in_turn(app: FastAPI, clock: FixedClock) -> None:
    await _awarded_in_turn(app, clock, [1, 2, 3, 1, 2])
    chosen = [{"project_code": code, "section_code": "S1"} for code in ROUND]
    township = Principal(key_id="township-sup", tenant="330199001", scopes=frozenset({"bidding:supervise"}))
    async with client_for(app, SUPERVISOR_PERSON) as supervisor:
        four = await supervisor.post("/v1/rotation-screens", json={"sections": chosen[:4]})
        five = await supervisor.post("/v1/rotation-screens", json={"sections": list(reversed(chosen)), "note": "同一采购人"})
        twice = await supervisor.post("/v1/rotation-screens", json={"sections": [chosen[0], *chosen[:3]]})
        unknown = await supervisor.post("/v1/rotation-screens", json={"sections": [
            *chosen[:2], {"project_code": "BM-2026-999", "section_code": "S1"}]})
        few = await supervisor.post("/v1/rotation-screens", json={"sections": chosen[:2]})
        flags = (await supervisor.get("/v1/flags", params={"project_code": ROUND[-1]})).json()
        runs = (await supervisor.get("/v1/screen-runs")).json()
    async with client_for(app, township) as other:
        foreign = await other.post("/v1/rotation-screens", json={"sections": chosen})
    # Three firms winning four tenders in turn happen by chance 12/81 of the time: not flagged. Five: 12/243.
    assert four.status_code == 201, four.text
    assert four.json()["raised"] == []
    assert five.status_code == 201, five.text
    (flag_id,) = five.json()["raised"]
    assert five.json()["scope"] == [f"{code}/S1" for code in ROUND]  # in the order they opened
    assert five.json()["thresholds"] == {"alpha": "0.05"}
    rotation = next(f for f in flags if f["id"] == flag_id)
    assert rotation["screen"] == "rotation"
    assert rotation["credit_codes"] == sorted(enterprise(n) for n in (1, 2, 3))
    assert rotation["evidence"]["winners"] == [enterprise(n) for n in (1, 2, 3, 1, 2)]
    assert twice.status_code == 422
    assert unknown.status_code == 404
    assert few.status_code == 422
    assert foreign.status_code == 404
    assert [r["kind"] for r in runs if r["kind"] == "rotation"] == ["rotation", "rotation"]
    async with client_for(app, DISTRICT_ADMIN) as admin:
        assert (await admin.get("/v1/screen-runs")).status_code == 200
