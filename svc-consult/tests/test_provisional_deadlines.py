"""Deadlines counted into a year whose holiday notice is not loaded say so, and why (issue 20).

The bundled calendar ends with 2026; the 2027 notice used here is made up (bianmin.testing.registry.MADE_UP_2027).
"""

from consult_factories import ADMIN, ask, at, instant, seed_departments
from fastapi import FastAPI

from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import ANONYMOUS
from bianmin.testing.client import client_for
from bianmin.testing.registry import load_made_up_2027

ENTRY = {"kind": "suggestion", "department_code": "RSJ", "title": "建议", "body": "窗口请延长开放时间", "anonymous": True}


async def test_a_question_due_in_an_unknown_year_is_provisional_and_one_asked_after_its_notice_is_not(
        app: FastAPI, clock: FixedClock) -> None:
    clock.at = at("2026-12-30 10:00")
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        early = await ask(public, department_code="SCJ")
        followed = (await public.get(f"/v1/consultations/track/{early['access_code']}")).json()
        listed = (await admin.get("/v1/consultations")).json()["items"]
        await load_made_up_2027(app)
        later = await ask(public, department_code="SCJ")
        read = (await admin.get(f"/v1/consultations/{later['id']}")).json()
        still = (await admin.get(f"/v1/consultations/{early['id']}")).json()
    assert (early["due_provisional"], instant(early["due_at"])) == (True, at("2027-01-04 23:59:59"))
    assert "2027" in early["due_basis"]
    assert (followed["due_provisional"], followed["due_basis"]) == (True, early["due_basis"])
    assert [c["due_provisional"] for c in listed] == [True]
    # The made-up notice takes 1, 4 and 5 Jan off: the question asked after it is due on 7 Jan.
    assert (later["due_provisional"], later["due_basis"]) == (False, None)
    assert instant(later["due_at"]) == at("2027-01-07 23:59:59")
    assert (read["due_provisional"], read["due_basis"]) == (False, None)
    # Counted before the notice came, the first deadline stays marked: it was counted by weekends alone.
    assert still["due_provisional"] is True


async def test_a_suggestion_due_in_an_unknown_year_is_provisional(app: FastAPI, clock: FixedClock) -> None:
    clock.at = at("2026-12-30 10:00")
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        # 13 working days from 30 Dec reach 18 Jan 2027.
        receipt = (await public.post("/v1/suggestions", json=ENTRY)).json()
        entries = (await admin.get("/v1/suggestions")).json()["items"]
        await load_made_up_2027(app)
        later = (await public.post("/v1/suggestions", json=ENTRY)).json()
    assert receipt["due_provisional"] is True
    assert "2027" in receipt["due_basis"]
    assert [e["due_provisional"] for e in entries] == [True]
    assert (later["due_provisional"], later["due_basis"]) == (False, None)
    assert instant(later["due_at"]) > instant(receipt["due_at"])
