"""Evaluation after service (一次一评) and the rectification flow of bad reviews."""

from datetime import date, timedelta

import httpx
from fastapi import FastAPI
from queue_factories import call, deliver, fabricated_notice, make_hall, take

from bianmin.contracts.events.catalog import CalendarDayChanged
from bianmin.kit.clock import FixedClock
from bianmin.testing.client import client_for


async def served_ticket(client: httpx.AsyncClient, counter: int) -> int:
    ticket = await take(client)
    await call(client, counter)
    await client.post(f"/v1/tickets/{ticket['id']}/start")
    await client.post(f"/v1/tickets/{ticket['id']}/complete")
    return ticket["id"]


async def test_a_service_is_evaluated_once_after_it_is_done(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        hall = await make_hall(client)
        waiting = await take(client)
        early = await client.post(f"/v1/tickets/{waiting['id']}/evaluation", json={"level": 5})
        await client.post(f"/v1/tickets/{waiting['id']}/evaluation", json={"level": 5})
        ticket = waiting["id"]
        await call(client, hall["counters"][1])
        await client.post(f"/v1/tickets/{ticket}/start")
        await client.post(f"/v1/tickets/{ticket}/complete")
        good = await client.post(f"/v1/tickets/{ticket}/evaluation", json={"level": 4, "comment": "很快"})
        twice = await client.post(f"/v1/tickets/{ticket}/evaluation", json={"level": 1})
        bad_level = await client.post(f"/v1/tickets/{ticket}/evaluation", json={"level": 6})
        read = await client.get(f"/v1/tickets/{ticket}/evaluation")
    assert early.json()["code"] == "transition_forbidden"
    assert good.status_code == 201
    assert good.json()["level_name"] == "满意"
    assert good.json()["rectification_id"] is None
    assert twice.json()["code"] == "already_evaluated"
    assert bad_level.status_code == 422
    assert read.json()["comment"] == "很快"


async def test_a_bad_review_opens_a_rectification_that_runs_its_course(app: FastAPI, clock: FixedClock,
                                                                      db_backend: str) -> None:
    async with client_for(app) as client:
        hall = await make_hall(client)
        ticket = await served_ticket(client, hall["counters"][1])
        bad = await client.post(f"/v1/tickets/{ticket}/evaluation", json={"level": 2, "comment": "等太久"})
        case = bad.json()["rectification_id"]
        listed = await client.get("/v1/rectifications", params={"state": "open"})
        skip = await client.post(f"/v1/rectifications/{case}/actions", json={"action": "fix", "note": "x"})
        clock.advance(timedelta(days=2))
        overdue = await client.get("/v1/rectifications")
        contacted = await client.post(f"/v1/rectifications/{case}/actions", json={"action": "contact", "note": "已电话联系"})
        no_note = await client.post(f"/v1/rectifications/{case}/actions", json={"action": "fix"})
        fixed = await client.post(f"/v1/rectifications/{case}/actions", json={"action": "fix", "note": "增开窗口"})
        no_level = await client.post(f"/v1/rectifications/{case}/actions", json={"action": "re_rate"})
        closed = await client.post(f"/v1/rectifications/{case}/actions", json={"action": "re_rate", "level": 4})
    assert bad.json()["bad_review"] is True
    assert listed.json()["items"][0]["contact_due"] == "2026-12-02"
    assert listed.json()["items"][0]["fix_due"] == "2026-12-22"
    assert listed.json()["items"][0]["deadline_provisional"] is False
    assert skip.json()["code"] == "transition_forbidden"
    assert overdue.json()["items"][0]["overdue"] is True
    assert contacted.json()["state"] == "contacted"
    assert no_note.status_code == 422
    assert fixed.json()["state"] == "fixed"
    assert no_level.json()["errors"][0]["field"] == "level"
    assert closed.json()["state"] == "closed"
    assert closed.json()["re_rated_level"] == 4


async def test_an_upheld_appeal_voids_a_malicious_review(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        hall = await make_hall(client)
        first = await served_ticket(client, hall["counters"][1])
        second = await served_ticket(client, hall["counters"][1])
        one = (await client.post(f"/v1/tickets/{first}/evaluation", json={"level": 1})).json()["rectification_id"]
        two = (await client.post(f"/v1/tickets/{second}/evaluation", json={"level": 1})).json()["rectification_id"]
        appealed = await client.post(f"/v1/rectifications/{one}/actions", json={"action": "appeal", "note": "恶意差评"})
        upheld = await client.post(f"/v1/rectifications/{one}/actions", json={"action": "appeal_upheld"})
        await client.post(f"/v1/rectifications/{two}/actions", json={"action": "appeal", "note": "不实"})
        rejected = await client.post(f"/v1/rectifications/{two}/actions", json={"action": "appeal_rejected"})
        missing = await client.post("/v1/rectifications/999/actions", json={"action": "contact"})
        first_page = await client.get("/v1/rectifications", params={"limit": 1})
        second_page = await client.get("/v1/rectifications", params={"limit": 1, "cursor": first_page.json()["next_cursor"]})
    assert appealed.json()["state"] == "appealed"
    assert upheld.json()["state"] == "voided"
    assert rejected.json()["state"] == "open"
    assert missing.status_code == 404
    assert [c["id"] for c in first_page.json()["items"] + second_page.json()["items"]] == [two, one]
    assert second_page.json()["next_cursor"] is None


async def test_a_voided_review_counts_in_no_satisfaction_figure(app: FastAPI, db_backend: str) -> None:
    """国办发〔2019〕51号: a review found malicious on appeal is not counted; queue counted it (0.5000 before and after)."""
    async with client_for(app) as client:
        hall = await make_hall(client)
        good = await served_ticket(client, hall["counters"][1])
        bad = await served_ticket(client, hall["counters"][1])
        await client.post(f"/v1/tickets/{good}/evaluation", json={"level": 5})
        case = (await client.post(f"/v1/tickets/{bad}/evaluation", json={"level": 1})).json()["rectification_id"]
        before = (await client.get("/v1/stats")).json()
        await client.post(f"/v1/rectifications/{case}/actions", json={"action": "appeal", "note": "恶意差评"})
        await client.post(f"/v1/rectifications/{case}/actions", json={"action": "appeal_upheld"})
        after = (await client.get("/v1/stats")).json()
        cockpit = {f["name"]: f for f in (await client.get("/v1/stats/overview")).json()["figures"]}
    assert (before["evaluations"], before["satisfaction_rate"]) == (2, "0.5000")
    assert (after["evaluations"], after["satisfaction_rate"], after["mean_level"]) == (1, "1.0000", "5.00")
    assert cockpit["satisfaction_rate"]["value"] == "1.0000"
    assert "voided" in cockpit["satisfaction_rate"]["definition"]


async def test_a_deadline_in_a_year_without_a_notice_is_provisional_until_the_notice_moves_it(
        app: FastAPI, clock: FixedClock, db_backend: str) -> None:
    """15 working days from Monday 21 December 2026 end in 2027, whose notice the bundled years lack. The
    2027 notice loaded here is fabricated for the test (1 and 4 January made holidays), not the real one."""
    clock.advance(timedelta(days=20))
    async with client_for(app) as client:
        hall = await make_hall(client)
        running = await served_ticket(client, hall["counters"][1])
        settled = await served_ticket(client, hall["counters"][1])
        case = (await client.post(f"/v1/tickets/{running}/evaluation", json={"level": 1})).json()["rectification_id"]
        voided = (await client.post(f"/v1/tickets/{settled}/evaluation", json={"level": 1})).json()["rectification_id"]
        await client.post(f"/v1/rectifications/{voided}/actions", json={"action": "appeal", "note": "恶意差评"})
        await client.post(f"/v1/rectifications/{voided}/actions", json={"action": "appeal_upheld"})
        before = {c["id"]: c for c in (await client.get("/v1/rectifications")).json()["items"]}
        contacted = await client.post(f"/v1/rectifications/{case}/actions", json={"action": "contact", "note": "已联系"})
        await deliver(app, clock, "catalog.calendar.year_loaded",
                      fabricated_notice(2027, ["2027-01-01", "2027-01-04"], []))
        after = {c["id"]: c for c in (await client.get("/v1/rectifications")).json()["items"]}
    assert (before[case]["contact_due"], before[case]["fix_due"]) == ("2026-12-22", "2027-01-11")
    assert before[case]["deadline_provisional"] is True
    assert "2027" in before[case]["provisional_reason"]
    assert contacted.json()["deadline_provisional"] is True
    assert (after[case]["contact_due"], after[case]["fix_due"]) == ("2026-12-22", "2027-01-13")
    assert after[case]["deadline_provisional"] is False
    assert after[case]["provisional_reason"] is None
    # A voided case's deadlines no longer run: nothing about them is provisional, and the notice leaves them be.
    assert before[voided]["deadline_provisional"] is False
    assert after[voided]["fix_due"] == "2027-01-11"


async def test_a_day_mended_in_the_calendar_moves_the_deadlines_reaching_over_it(app: FastAPI, clock: FixedClock,
                                                                                db_backend: str) -> None:
    async with client_for(app) as client:
        hall = await make_hall(client)
        ticket = await served_ticket(client, hall["counters"][1])
        case = (await client.post(f"/v1/tickets/{ticket}/evaluation", json={"level": 2})).json()["rectification_id"]
        await deliver(app, clock, "catalog.calendar.changed",
                      CalendarDayChanged(day=date(2026, 12, 10), workday=False, note="台风停工"))
        listed = (await client.get("/v1/rectifications")).json()["items"]
    assert [(c["id"], c["contact_due"], c["fix_due"]) for c in listed] == [(case, "2026-12-02", "2026-12-23")]
