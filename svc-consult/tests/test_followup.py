"""Extensions, ratings, rectification and reopening, through the API."""

from consult_factories import ADMIN, ask, at, instant, seed_departments, staff
from fastapi import FastAPI

from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import ANONYMOUS
from bianmin.testing.client import client_for


async def answered(app: FastAPI) -> dict:
    """A consultation of SCJ, answered on the day it was asked."""
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        receipt = await ask(public, department_code="SCJ")
    async with client_for(app, staff("SCJ")) as scj:
        response = await scj.post(f"/v1/consultations/{receipt['id']}/answer", json={"answer": "请到三号窗口办理。"})
    assert response.status_code == 200
    return receipt


async def test_an_extension_requested_before_the_deadline_and_approved_moves_it(app: FastAPI, clock: FixedClock) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        receipt = await ask(public, department_code="SCJ")
        async with client_for(app, staff("SCJ")) as scj:
            too_many = await scj.post(f"/v1/consultations/{receipt['id']}/extensions", json={"days": 20, "reason": "材料复杂"})
            asked = await scj.post(f"/v1/consultations/{receipt['id']}/extensions", json={"days": 2, "reason": "需要现场核查"})
            pending = await scj.post(f"/v1/consultations/{receipt['id']}/extensions", json={"days": 1, "reason": "再延一天"})
            self_approve = await scj.post(f"/v1/consultations/{receipt['id']}/extensions/{asked.json()['id']}/approve")
        clock.at = at("2026-10-09 09:00")  # after the deadline: approval still counts, the request came before
        approved = await admin.post(f"/v1/consultations/{receipt['id']}/extensions/{asked.json()['id']}/approve")
        twice = await admin.post(f"/v1/consultations/{receipt['id']}/extensions/{asked.json()['id']}/reject")
        detail = (await admin.get(f"/v1/consultations/{receipt['id']}")).json()
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "days"
    assert asked.status_code == 201
    assert pending.status_code == 409
    assert pending.json()["code"] == "extension_pending"
    assert self_approve.status_code == 403
    assert approved.json()["status"] == "approved"
    assert twice.status_code == 409
    assert instant(detail["due_at"]) == at("2026-10-10 23:59:59")


async def test_an_extension_after_the_deadline_is_refused(app: FastAPI, clock: FixedClock) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        receipt = await ask(public, department_code="SCJ")
        clock.at = at("2026-10-09 09:00")
        late = await admin.post(f"/v1/consultations/{receipt['id']}/extensions", json={"days": 2, "reason": "太忙了"})
    assert late.status_code == 409
    assert late.json()["code"] == "extension_too_late"


async def test_a_good_rating_closes_the_consultation_and_is_final(app: FastAPI) -> None:
    receipt = await answered(app)
    code = receipt["access_code"]
    async with client_for(app, ANONYMOUS) as public:
        rated = await public.post(f"/v1/consultations/track/{code}/rating", json={"level": "satisfied"})
        again = await public.post(f"/v1/consultations/track/{code}/rating", json={"level": "very_satisfied"})
        reopen = await public.post(f"/v1/consultations/track/{code}/reopen", json={"reason": "还有问题"})
        bad_level = await public.post(f"/v1/consultations/track/{code}/rating", json={"level": "meh"})
    assert rated.json()["status"] == "closed"
    assert rated.json()["rating"] == "satisfied"
    assert again.status_code == 409
    assert reopen.status_code == 409
    assert bad_level.status_code == 422


async def test_a_bad_rating_opens_rectification_and_the_asker_rates_again(app: FastAPI) -> None:
    receipt = await answered(app)
    code = receipt["access_code"]
    async with client_for(app, ANONYMOUS) as public:
        await public.post(f"/v1/consultations/track/{code}/rating", json={"level": "dissatisfied", "comment": "答非所问"})
        early = await public.post(f"/v1/consultations/track/{code}/rating", json={"level": "satisfied"})
        async with client_for(app, staff("SCJ")) as scj:
            cases = (await scj.get("/v1/rectifications")).json()
            case_id = cases[0]["id"]
            fix_first = await scj.post(f"/v1/rectifications/{case_id}/fix", json={"note": "已重新答复"})
            await scj.post(f"/v1/rectifications/{case_id}/contact")
            fixed = await scj.post(f"/v1/rectifications/{case_id}/fix", json={"note": "已电话联系并重新说明材料清单"})
        async with client_for(app, staff("RSJ")) as rsj:
            foreign = await rsj.post(f"/v1/rectifications/{case_id}/contact")
        follow_up = await public.post(f"/v1/consultations/track/{code}/rating", json={"level": "satisfied"})
        async with client_for(app, staff("SCJ")) as scj:
            closed = (await scj.get("/v1/rectifications", params={"status": "closed"})).json()
    assert cases[0]["status"] == "open"
    assert instant(cases[0]["contact_due_at"]) == at("2026-09-29 23:59:59")
    assert early.status_code == 409
    assert fix_first.status_code == 409
    assert fix_first.json()["code"] == "transition_forbidden"
    assert fixed.json()["status"] == "fixed"
    assert foreign.status_code == 404
    assert follow_up.status_code == 200
    assert closed[0]["follow_up_rating"] == "satisfied"


async def test_reopening_is_possible_only_within_the_window(app: FastAPI, clock: FixedClock) -> None:
    receipt = await answered(app)
    code = receipt["access_code"]
    async with client_for(app, ANONYMOUS) as public:
        window = (await public.get(f"/v1/consultations/track/{code}")).json()["reopen_until"]
        # Five working days after Monday 28 Sep: 29, 30 Sep, 8, 9, 10 Oct (Saturday, 调休).
        clock.at = at("2026-10-11 10:00")
        late = await public.post(f"/v1/consultations/track/{code}/reopen", json={"reason": "还有问题"})
    assert instant(window) == at("2026-10-10 23:59:59")
    assert late.status_code == 409
    assert late.json()["code"] == "reopen_window_closed"
