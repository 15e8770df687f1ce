"""The consultation routes: asking, routing, the department's queue, answering, transfer, waiting."""

from datetime import timedelta

from consult_factories import ADMIN, ask, at, instant, seed_departments, staff
from fastapi import FastAPI

from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import ANONYMOUS
from bianmin.testing.client import client_for


async def test_an_anonymous_asker_gets_a_number_a_deadline_and_an_access_code(app: FastAPI) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        receipt = await ask(public, department_code="SCJ")
        tracked = await public.get(f"/v1/consultations/track/{receipt['access_code']}")
    assert receipt["number"].startswith("ZX20260928")
    assert receipt["status"] == "assigned"
    assert receipt["department_code"] == "SCJ"
    # Monday 28 Sep is day zero; 29 and 30 Sep are working days, 1-7 Oct is the National Day holiday.
    assert instant(receipt["due_at"]) == at("2026-10-08 23:59:59")
    assert len(receipt["access_code"]) >= 24
    assert tracked.status_code == 200
    assert tracked.json()["number"] == receipt["number"]
    assert "contact_phone" not in tracked.json()


async def test_a_question_nobody_can_route_waits_in_triage_until_assigned(app: FastAPI) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        receipt = await ask(public, title="一般问题", body="请问周末有人上班吗？")
        triage = (await admin.get("/v1/consultations", params={"triage": "true"})).json()["items"]
        assigned = await admin.post(f"/v1/consultations/{receipt['id']}/assign", json={"department_code": "RSJ"})
        again = await admin.post(f"/v1/consultations/{receipt['id']}/assign", json={"department_code": "RSJ"})
    assert receipt["status"] == "open"
    assert receipt["department_code"] is None
    assert [c["id"] for c in triage] == [receipt["id"]]
    assert assigned.json()["status"] == "assigned"
    assert assigned.json()["transfers"][0]["reason"] == "triage"
    assert again.status_code == 409
    assert again.json()["code"] == "transition_forbidden"


async def test_staff_see_only_their_department_and_site(app: FastAPI) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        scj = await ask(public, department_code="SCJ")
        rsj = await ask(public, department_code="RSJ", site_code="330199003")
        async with client_for(app, staff("SCJ")) as scj_staff:
            seen = (await scj_staff.get("/v1/consultations")).json()["items"]
            hidden = await scj_staff.get(f"/v1/consultations/{rsj['id']}")
        async with client_for(app, staff("RSJ", tenant="330199001")) as other_township:
            elsewhere = (await other_township.get("/v1/consultations")).json()["items"]
        async with client_for(app, staff("RSJ", tenant="330199003")) as township:
            mine = (await township.get("/v1/consultations")).json()["items"]
    assert [c["id"] for c in seen] == [scj["id"]]
    assert hidden.status_code == 404
    assert elsewhere == []
    assert [c["id"] for c in mine] == [rsj["id"]]


async def test_a_township_key_lists_what_it_may_open_the_questions_asked_at_its_villages_too(app: FastAPI) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        village = await ask(public, department_code="RSJ", site_code="330199003001")
        hall = await ask(public, department_code="RSJ", site_code="330199003")
        await ask(public, department_code="RSJ", site_code="330199004001")
    async with client_for(app, staff("RSJ", tenant="330199003")) as township:
        listed = (await township.get("/v1/consultations")).json()["items"]
        opened = await township.get(f"/v1/consultations/{village['id']}")
    assert opened.status_code == 200
    assert sorted(c["id"] for c in listed) == sorted([village["id"], hall["id"]])


async def test_site_codes_are_normalised_then_narrowed_to_where_people_ask(app: FastAPI) -> None:
    # The kit's one rule for identifiers: blanks dropped and letters upper-cased before the check.
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        outlet = await ask(public, department_code="RSJ", site_code=" 330199b01 ")
        terminal = await public.post("/v1/consultations", json={
            "title": "问题", "body": "内容内容", "contact_name": "李四", "site_code": "330199001T01"})
        district = await public.post("/v1/consultations", json={
            "title": "问题", "body": "内容内容", "contact_name": "李四", "site_code": "330199"})
        stored = (await admin.get(f"/v1/consultations/{outlet['id']}")).json()
    assert stored["tenant"] == "330199B01"
    assert terminal.status_code == district.status_code == 422
    assert terminal.json()["errors"][0]["field"] == "site_code"


async def test_keys_without_consult_scopes_and_anonymous_callers_cannot_read_the_queue(app: FastAPI) -> None:
    async with client_for(app, staff("SCJ").__class__(key_id="k", tenant="*", scopes=frozenset({"queue:write"}))) as c:
        refused = await c.get("/v1/consultations")
    async with client_for(app, ANONYMOUS) as public:
        anonymous = await public.get("/v1/consultations")
    assert refused.status_code == 403
    assert anonymous.status_code == 401


async def test_answering_records_on_time_and_the_asker_sees_the_answer(app: FastAPI, clock: FixedClock) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        receipt = await ask(public, department_code="SCJ")
        clock.advance(timedelta(days=1))
        async with client_for(app, staff("SCJ")) as scj:
            answered = await scj.post(f"/v1/consultations/{receipt['id']}/answer",
                                      json={"answer": "请携带身份证和经营场所证明到市场监管窗口办理。"})
            twice = await scj.post(f"/v1/consultations/{receipt['id']}/answer", json={"answer": "再答一次"})
        tracked = (await public.get(f"/v1/consultations/track/{receipt['access_code']}")).json()
    assert answered.status_code == 200
    assert answered.json()["status"] == "answered"
    assert answered.json()["answered_on_time"] is True
    assert twice.status_code == 409
    assert tracked["answer"].startswith("请携带身份证")
    assert tracked["reopen_until"] is not None


async def test_transfer_keeps_the_clock_and_needs_a_reason(app: FastAPI, clock: FixedClock) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        receipt = await ask(public, department_code="SCJ")
        clock.advance(timedelta(days=1))
        async with client_for(app, staff("SCJ")) as scj:
            no_reason = await scj.post(f"/v1/consultations/{receipt['id']}/transfer", json={"department_code": "RSJ"})
            unknown = await scj.post(f"/v1/consultations/{receipt['id']}/transfer",
                                     json={"department_code": "XXJ", "reason": "不归我们管"})
            moved = await scj.post(f"/v1/consultations/{receipt['id']}/transfer",
                                   json={"department_code": "RSJ", "reason": "涉及社保，不属市场监管"})
            gone = await scj.get(f"/v1/consultations/{receipt['id']}")
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "reason"
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "department_code"
    assert moved.json()["department_code"] == "RSJ"
    assert instant(moved.json()["due_at"]) == instant(receipt["due_at"])
    assert moved.json()["transfers"][0]["from_department"] == "SCJ"
    assert gone.status_code == 404


async def test_waiting_for_the_asker_pauses_the_clock(app: FastAPI, clock: FixedClock) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        receipt = await ask(public, department_code="SCJ")
        async with client_for(app, staff("SCJ")) as scj:
            waiting = await scj.post(f"/v1/consultations/{receipt['id']}/info-requests",
                                     json={"message": "请补充经营场所地址。"})
            clock.at = at("2026-09-30 11:00")
            reply = await public.post(f"/v1/consultations/track/{receipt['access_code']}/replies",
                                      json={"message": "地址是便民区幸福路1号。"})
            after = await scj.get(f"/v1/consultations/{receipt['id']}")
    assert waiting.json()["status"] == "waiting"
    assert reply.json()["status"] == "assigned"
    body = after.json()
    assert body["pauses"][0]["workdays"] == 2
    # Two working days paused (29 and 30 Sep): 8 Oct + 2 working days = 9 Oct, then Sat 10 Oct is a 调休 workday.
    assert instant(body["due_at"]) == at("2026-10-10 23:59:59")


async def test_invalid_input_is_a_problem_naming_the_field(app: FastAPI) -> None:
    async with client_for(app, ANONYMOUS) as public:
        bad_phone = await public.post("/v1/consultations", json={
            "title": "问题", "body": "内容内容", "contact_name": "李四", "contact_phone": "12345"})
        bad_kind = await public.post("/v1/consultations", json={
            "title": "问题", "body": "内容内容", "contact_name": "李四", "kind": "gossip"})
        unknown_dept = await public.post("/v1/consultations", json={
            "title": "问题", "body": "内容内容", "contact_name": "李四", "department_code": "NOPE"})
        bad_code = await public.get("/v1/consultations/track/not-a-code")
    assert bad_phone.status_code == 422
    assert bad_phone.json()["errors"][0]["field"] == "contact_phone"
    assert bad_kind.status_code == 422
    assert bad_kind.json()["errors"][0]["field"] == "kind"
    assert unknown_dept.status_code == 422
    assert unknown_dept.json()["errors"][0]["field"] == "department_code"
    assert bad_code.status_code == 404


async def test_a_create_with_the_same_idempotency_key_is_answered_once(app: FastAPI) -> None:
    body = {"title": "问题标题", "body": "问题的内容", "contact_name": "李四"}
    headers = {"Idempotency-Key": "ask-1"}
    async with client_for(app, staff("SCJ")) as kiosk:
        first = await kiosk.post("/v1/consultations", json=body, headers=headers)
        second = await kiosk.post("/v1/consultations", json=body, headers=headers)
        different = await kiosk.post("/v1/consultations", json={**body, "title": "别的问题"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert different.status_code == 422
