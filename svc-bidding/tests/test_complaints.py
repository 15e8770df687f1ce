"""Complaints: the 10-day limit, objections first, handling deadlines, and the award held while pending."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bidding_factories import CLERK, SUPERVISOR, account, bidder_key, enterprise, publicised_tender
from fastapi import FastAPI

from bianmin.bidding.domain.complaints import late
from bianmin.kit.calendar import bundled_calendar
from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import Principal
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
        accepted = await supervisor.post(f"/v1/complaints/{filed.json()['id']}/accept")
    async with client_for(app, CLERK) as clerk:
        still_held = await clerk.post(f"/v1/projects/{CODE}/award")
    assert accepted.json()["status"] == "accepted"
    assert still_held.json()["code"] == "complaint_pending"
    async with client_for(app, SUPERVISOR) as supervisor:
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


SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
THURSDAY = datetime(2026, 3, 26, 10, tzinfo=SHANGHAI)


def complaint(n: int | None, **changes: object) -> dict[str, object]:
    """A complaint on ``other`` matters, by enterprise ``n`` (or by a person in their own name when None)."""
    body: dict[str, object] = {"text": "招标文件设置歧视性资格条件", "known_at": THURSDAY.isoformat(), "matter": "other"}
    if n is not None:
        body["credit_code"] = enterprise(n)
    body.update(changes)
    return body


async def test_a_complaint_carries_its_attachments_by_hash_name_and_size(app: FastAPI, clock: FixedClock) -> None:
    await publicised_tender(app, clock)
    clock.at = THURSDAY
    files = [{"sha256": SHA, "name": "资格条件对比.pdf", "size": 20480},
             {"sha256": SHA.replace("9f", "0a", 1), "name": "业绩证明.jpg", "size": 1}]
    async with client_for(app, bidder_key(2)) as bidder:
        filed = await bidder.post(f"/v1/projects/{CODE}/complaints", json=complaint(2, attachments=files))
        upper = await bidder.post(f"/v1/projects/{CODE}/complaints", json=complaint(
            2, attachments=[{**files[0], "sha256": "XYZ"}]))
        twice = await bidder.post(f"/v1/projects/{CODE}/complaints", json=complaint(2, attachments=[files[0], files[0]]))
        empty = await bidder.post(f"/v1/projects/{CODE}/complaints", json=complaint(
            2, attachments=[{**files[0], "size": 0}]))
    async with client_for(app, SUPERVISOR) as supervisor:
        listed = (await supervisor.get("/v1/complaints")).json()
    assert filed.status_code == 201, filed.text
    assert filed.json()["attachments"] == files
    assert upper.json()["errors"][0]["field"] == "attachments.0.sha256"
    assert twice.json()["errors"][0]["field"] == "attachments.1.sha256"
    assert empty.json()["errors"][0]["field"] == "attachments.0.size"
    assert [c["attachments"] for c in listed] == [files]


async def test_any_interested_party_may_complain_stating_its_interest(app: FastAPI, clock: FixedClock) -> None:
    await publicised_tender(app, clock)
    clock.at = THURSDAY
    interest = "具备同类业绩，因资格条件无法报名"
    async with client_for(app, bidder_key(5)) as outsider:
        unstated = await outsider.post(f"/v1/projects/{CODE}/complaints", json=complaint(5))
        potential = await outsider.post(f"/v1/projects/{CODE}/complaints", json=complaint(5, interest=interest))
        for_another = await outsider.post(f"/v1/projects/{CODE}/complaints", json=complaint(6, interest=interest))
        on_opening = await outsider.post(f"/v1/projects/{CODE}/complaints", json=complaint(
            5, interest=interest, matter="opening"))
    async with client_for(app, account("citizen", "c-1")) as person:
        in_person = await person.post(f"/v1/projects/{CODE}/complaints", json=complaint(None, interest="分包人，权益受损"))
    async with client_for(app, bidder_key(1)) as bidder:
        registered = await bidder.post(f"/v1/projects/{CODE}/complaints", json=complaint(1))
    async with client_for(app, Principal(key_id="app", tenant="*", scopes=frozenset({"bidding:bid"}))) as app_alone:
        nobody = await app_alone.post(f"/v1/projects/{CODE}/complaints", json=complaint(None, interest=interest))
    assert unstated.json()["errors"][0]["field"] == "interest"
    assert potential.status_code == 201, potential.text
    assert (potential.json()["complainant_kind"], potential.json()["interest"]) == ("interested_party", interest)
    assert for_another.status_code == 403
    assert on_opening.json()["code"] == "objection_required"
    assert in_person.status_code == 201, in_person.text
    assert in_person.json()["complainant_kind"] == "person"
    assert in_person.json()["complainant_credit_code"] is None
    assert in_person.json()["complainant_id"] == "citizen:c-1"
    assert registered.json()["complainant_kind"] == "bidder"
    assert nobody.json()["errors"][0]["field"] == "credit_code"


async def test_a_complaint_is_accepted_within_three_working_days_or_shows_overdue(app: FastAPI,
                                                                               clock: FixedClock) -> None:
    await publicised_tender(app, clock)
    clock.at = THURSDAY
    async with client_for(app, bidder_key(2)) as bidder:
        filed = (await bidder.post(f"/v1/projects/{CODE}/complaints", json=complaint(2))).json()
        other = (await bidder.post(f"/v1/projects/{CODE}/complaints", json=complaint(2, text="另一事项"))).json()
    # Thursday's third working day after it: Friday, Monday, Tuesday.
    assert datetime.fromisoformat(filed["accept_due_at"]) == datetime(2026, 3, 31, 23, 59, 59, tzinfo=SHANGHAI)
    assert (filed["status"], filed["accept_overdue"]) == ("pending", False)
    async with client_for(app, SUPERVISOR) as supervisor:
        early = await supervisor.post(f"/v1/complaints/{filed['id']}/decide", json={"outcome": "upheld", "text": "x"})
        on_time = (await supervisor.get("/v1/alerts")).json()
    assert early.json()["code"] == "complaint_not_accepted"
    assert "complaint_accept_overdue" not in {a["kind"] for a in on_time}
    clock.at = datetime(2026, 4, 1, 0, 0, 1, tzinfo=SHANGHAI)
    async with client_for(app, SUPERVISOR) as supervisor:
        late = (await supervisor.get("/v1/alerts")).json()
        listed = {c["id"]: c for c in (await supervisor.get("/v1/complaints")).json()}
        accepted = await supervisor.post(f"/v1/complaints/{filed['id']}/accept")
        again = await supervisor.post(f"/v1/complaints/{filed['id']}/accept")
        refused = await supervisor.post(f"/v1/complaints/{other['id']}/decide",
                                        json={"outcome": "not_accepted", "text": "投诉事项不具体，且未提供必要的证明材料"})
        not_after = await supervisor.post(f"/v1/complaints/{filed['id']}/decide",
                                          json={"outcome": "not_accepted", "text": "x"})
        after = (await supervisor.get("/v1/alerts")).json()
        decided = await supervisor.post(f"/v1/complaints/{filed['id']}/decide",
                                        json={"outcome": "dismissed", "text": "经核查，资格条件合法"})
    overdue = [a for a in late if a["kind"] == "complaint_accept_overdue"]
    assert {a["id"] for a in overdue} == {filed["id"], other["id"]}
    assert listed[filed["id"]]["accept_overdue"] is True
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert (body["status"], body["accepted_by"], body["accept_overdue"]) == ("accepted", "super", True)
    # The decision is due 30 working days from the day of acceptance (§61), not from the filing.
    assert datetime.fromisoformat(body["due_at"]) == bundled_calendar().deadline(clock.now(), 30)
    assert body["due_at"] != filed["due_at"]
    assert again.json()["code"] == "complaint_decided"
    assert refused.json()["status"] == "not_accepted"
    assert not_after.json()["code"] == "complaint_decided"
    assert not [a for a in after if a["kind"] == "complaint_accept_overdue"]
    assert decided.json()["status"] == "dismissed"
