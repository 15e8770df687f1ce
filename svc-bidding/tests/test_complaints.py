"""Complaints: the 10-day limit, objections first, handling deadlines, and the award held while pending."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bidding_factories import CLERK, SUPERVISOR, bidder_key, enterprise, publicised_tender
from fastapi import FastAPI

from bianmin.bidding.domain.complaints import late
from bianmin.kit.clock import FixedClock
from bianmin.kit.workdays import SHANGHAI
from bianmin.testing.client import client_for
from bianmin.testing.registry import load_made_up_2027

CODE = "BM-2026-001"


def test_the_ten_day_limit_counts_from_knowing() -> None:
    known = datetime(2026, 3, 1, 8, tzinfo=UTC)
    assert not late(known, known + timedelta(days=10), 10)
    assert late(known, known + timedelta(days=10, seconds=1), 10)


async def test_a_pending_complaint_holds_the_award_until_decided(app: FastAPI, clock: FixedClock) -> None:
    await publicised_tender(app, clock)
    now = clock.now()
    async with client_for(app, bidder_key(2)) as bidder:
        body = {"credit_code": enterprise(2), "text": "中标候选人业绩造假", "known_at": now.isoformat(),
                "matter": "evaluation_result"}
        no_objection = await bidder.post(f"/v1/projects/{CODE}/complaints", json=body)
        objection = await bidder.post(f"/v1/projects/{CODE}/responses",
                                      json={"credit_code": enterprise(2), "kind": "objection", "text": "业绩不实"})
        filed = await bidder.post(f"/v1/projects/{CODE}/complaints", json=body)
        stale = await bidder.post(f"/v1/projects/{CODE}/complaints", json={
            **body, "matter": "other", "known_at": (now - timedelta(days=11)).isoformat()})
        future = await bidder.post(f"/v1/projects/{CODE}/complaints", json={
            **body, "known_at": (now + timedelta(hours=1)).isoformat()})
    async with client_for(app, bidder_key(1)) as impostor:
        in_anothers_name = await impostor.post(f"/v1/projects/{CODE}/complaints", json=body)
    assert no_objection.json()["code"] == "objection_required"
    assert objection.status_code == 201
    assert filed.status_code == 201, filed.text
    assert stale.json()["code"] == "complaint_late"
    assert future.json()["errors"][0]["field"] == "known_at"
    assert in_anothers_name.status_code == 403
    assert filed.json()["due_at"] > (now + timedelta(days=40)).isoformat()
    clock.advance(timedelta(days=3))
    async with client_for(app, CLERK) as clerk:
        await clerk.post(f"/v1/projects/{CODE}/responses/{objection.json()['id']}/answer", json={"answer": "业绩已核实"})
        held = await clerk.post(f"/v1/projects/{CODE}/award")
    assert held.json()["code"] == "complaint_pending"
    async with client_for(app, SUPERVISOR) as supervisor:
        pending = (await supervisor.get("/v1/complaints", params={"status": "pending"})).json()
        decided = await supervisor.post(f"/v1/complaints/{filed.json()['id']}/decide",
                                        json={"outcome": "dismissed", "text": "经核查，投诉事项缺乏事实根据"})
        again = await supervisor.post(f"/v1/complaints/{filed.json()['id']}/decide",
                                      json={"outcome": "upheld", "text": "x"})
        bad = await supervisor.post(f"/v1/complaints/{filed.json()['id']}/decide", json={"outcome": "maybe", "text": "x"})
    assert [c["id"] for c in pending] == [filed.json()["id"]]
    assert decided.json()["decided_by"] == "super"
    assert again.json()["code"] == "complaint_decided"
    assert bad.status_code == 422
    async with client_for(app, CLERK) as clerk:
        awarded = await clerk.post(f"/v1/projects/{CODE}/award")
    assert awarded.json()["status"] == "awarded"


async def test_objections_to_candidates_close_with_the_publicity(app: FastAPI, clock: FixedClock) -> None:
    await publicised_tender(app, clock)
    clock.advance(timedelta(days=3))
    async with client_for(app, bidder_key(1)) as bidder:
        too_late = await bidder.post(f"/v1/projects/{CODE}/responses",
                                     json={"credit_code": enterprise(1), "kind": "objection", "text": "迟到的异议"})
    async with client_for(app, bidder_key(1)) as bidder:
        unknown = await bidder.post("/v1/projects/NOPE-1/complaints", json={
            "credit_code": enterprise(1), "text": "x", "known_at": clock.now().isoformat()})
    assert too_late.json()["code"] == "window_closed"
    assert unknown.status_code == 404


async def test_supervisors_see_complaints_near_their_deadline(app: FastAPI, clock: FixedClock) -> None:
    await publicised_tender(app, clock)
    async with client_for(app, bidder_key(3)) as bidder:
        filed = await bidder.post(f"/v1/projects/{CODE}/complaints", json={
            "credit_code": enterprise(3), "text": "评标过程违规", "known_at": clock.now().isoformat()})
    assert filed.status_code == 201
    clock.at = datetime.fromisoformat(filed.json()["due_at"]) - timedelta(days=1)
    async with client_for(app, SUPERVISOR) as supervisor:
        alerts = (await supervisor.get("/v1/alerts")).json()
    assert {"complaint_due"} <= {a["kind"] for a in alerts}


async def test_a_complaint_due_in_a_year_without_its_notice_is_provisional_until_the_notice_is_loaded(
        app: FastAPI, clock: FixedClock) -> None:
    await publicised_tender(app, clock)
    clock.at = datetime(2026, 12, 28, 10, tzinfo=SHANGHAI)

    def body(n: int) -> dict[str, str]:
        return {"credit_code": enterprise(n), "text": "招标文件设置不合理条款", "known_at": clock.now().isoformat(),
                "matter": "other"}

    async with client_for(app, bidder_key(2)) as bidder:
        early = (await bidder.post(f"/v1/projects/{CODE}/complaints", json=body(2))).json()
    await load_made_up_2027(app)
    async with client_for(app, bidder_key(3)) as bidder:
        later = (await bidder.post(f"/v1/projects/{CODE}/complaints", json=body(3))).json()
    async with client_for(app, SUPERVISOR) as supervisor:
        listed = {c["id"]: c for c in (await supervisor.get("/v1/complaints")).json()}
    # 3 + 30 working days from Monday 28 Dec: by weekends alone 11 Feb 2027; the made-up notice takes
    # 1, 4 and 5 Jan off and works Saturday 9 Jan, so 15 Feb.
    end_of = datetime(2027, 2, 11, 23, 59, 59, tzinfo=SHANGHAI)
    assert (early["due_provisional"], datetime.fromisoformat(early["due_at"])) == (True, end_of)
    assert "2027" in early["due_basis"]
    assert (later["due_provisional"], later["due_basis"]) == (False, None)
    assert datetime.fromisoformat(later["due_at"]) == end_of + timedelta(days=4)
    assert listed[early["id"]]["due_provisional"] is True
    assert listed[later["id"]]["due_provisional"] is False
