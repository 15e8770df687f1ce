"""The suggestion box: anonymous entries, tracking codes that show status and reply only, handling."""

from consult_factories import ADMIN, seed_departments, staff
from fastapi import FastAPI

from bianmin.consult.domain.codes import hash_code
from bianmin.kit.identity import ANONYMOUS
from bianmin.testing.client import client_for

ENTRY = {"kind": "complaint", "department_code": "SCJ", "title": "窗口排队太久",
         "body": "周一上午在市场监管窗口等了两个小时，希望增加窗口。", "anonymous": True}


async def drop(app: FastAPI, **fields: object) -> dict:
    """Submit an entry anonymously through the public route."""
    async with client_for(app, ADMIN) as admin:
        await seed_departments(admin)
    async with client_for(app, ANONYMOUS) as public:
        response = await public.post("/v1/suggestions", json={**ENTRY, **fields})
    assert response.status_code == 201, response.text
    return response.json()


async def test_an_anonymous_entry_gets_an_unguessable_tracking_code(app: FastAPI) -> None:
    receipt = await drop(app)
    async with client_for(app, staff("SCJ")) as scj:
        listed = (await scj.get("/v1/suggestions")).json()["items"]
    assert len(receipt["tracking_code"]) >= 22  # 18 random bytes, base64url: 144 bits
    assert set(receipt) == {"tracking_code", "status", "submitted_at", "due_at", "due_provisional", "due_basis"}
    assert receipt["due_at"].startswith("2026-10-2")  # 13 working days after 28 Sep, over National Day
    assert listed[0]["anonymous"] is True
    assert listed[0]["contact_name"] is None
    assert receipt["tracking_code"] not in str(listed)
    assert hash_code(receipt["tracking_code"]) not in str(listed)


async def test_the_tracking_code_shows_status_and_reply_and_nothing_else(app: FastAPI) -> None:
    receipt = await drop(app)
    code = receipt["tracking_code"]
    async with client_for(app, staff("SCJ")) as scj:
        entry_id = (await scj.get("/v1/suggestions")).json()["items"][0]["id"]
        await scj.post(f"/v1/suggestions/{entry_id}/accept")
        await scj.post(f"/v1/suggestions/{entry_id}/reply", json={"reply": "已增设两个综合窗口，感谢监督。"})
    async with client_for(app, ANONYMOUS) as public:
        tracked = await public.get(f"/v1/suggestions/track/{code}")
        as_entry = await public.get(f"/v1/suggestions/{code}")
        as_consultation = await public.get(f"/v1/consultations/track/{code}")
        by_id = await public.get(f"/v1/suggestions/track/{entry_id}")
        reply = await public.post(f"/v1/suggestions/{entry_id}/reply", json={"reply": "伪造的答复内容"})
    assert tracked.status_code == 200
    assert tracked.json() == {"status": "replied", "reply": "已增设两个综合窗口，感谢监督。",
                              "replied_at": tracked.json()["replied_at"]}
    assert as_entry.status_code == 401
    assert as_consultation.status_code == 404
    assert by_id.status_code == 404
    assert reply.status_code == 401


async def test_wrong_and_malformed_codes_get_the_same_404(app: FastAPI) -> None:
    receipt = await drop(app)
    code = receipt["tracking_code"]
    flipped = code[:-1] + ("A" if code[-1] != "A" else "B")
    async with client_for(app, ANONYMOUS) as public:
        answers = [await public.get(f"/v1/suggestions/track/{c}") for c in (flipped, "x", "短码", code[:-4], "a" * 100)]
        too_long = await public.get(f"/v1/suggestions/track/{'a' * 101}")
    bodies = [(a.status_code, a.json()["code"], a.json()["detail"]) for a in answers]
    assert set(bodies) == {(404, "unknown_tracking_code", "No entry for this tracking code.")}
    assert too_long.status_code == 422


async def test_entries_are_validated(app: FastAPI) -> None:
    async with client_for(app, ADMIN) as admin:
        await seed_departments(admin)
    async with client_for(app, ANONYMOUS) as public:
        with_contact = await public.post("/v1/suggestions", json={**ENTRY, "contact_phone": "13800138000"})
        named = await public.post("/v1/suggestions", json={**ENTRY, "anonymous": False})
        unknown = await public.post("/v1/suggestions", json={**ENTRY, "department_code": "XYZ"})
        bad_kind = await public.post("/v1/suggestions", json={**ENTRY, "kind": "rumour"})
    assert with_contact.status_code == 422
    assert with_contact.json()["errors"][0]["field"] == "contact_phone"
    assert named.json()["errors"][0]["field"] == "contact_name"
    assert unknown.json()["errors"][0]["field"] == "department_code"
    assert bad_kind.json()["errors"][0]["field"] == "kind"


async def test_departments_handle_only_their_own_entries_in_order(app: FastAPI) -> None:
    await drop(app)
    async with client_for(app, staff("RSJ")) as rsj:
        assert (await rsj.get("/v1/suggestions")).json()["items"] == []
    async with client_for(app, staff("SCJ")) as scj:
        entry_id = (await scj.get("/v1/suggestions")).json()["items"][0]["id"]
        early_close = await scj.post(f"/v1/suggestions/{entry_id}/close")
        replied = await scj.post(f"/v1/suggestions/{entry_id}/reply", json={"reply": "感谢您的意见。"})
        closed = await scj.post(f"/v1/suggestions/{entry_id}/close")
        again = await scj.post(f"/v1/suggestions/{entry_id}/reply", json={"reply": "再次答复。"})
    async with client_for(app, staff("RSJ")) as rsj:
        foreign = await rsj.get(f"/v1/suggestions/{entry_id}")
    assert early_close.status_code == 409
    assert early_close.json()["code"] == "transition_forbidden"
    assert replied.json()["status"] == "replied"
    assert closed.json()["status"] == "closed"
    assert again.status_code == 409
    assert foreign.status_code == 404


async def test_the_box_pages_with_cursors_and_refuses_a_foreign_one(app: FastAPI) -> None:
    for n in range(3):
        await drop(app, title=f"窗口排队太久{n}")
    async with client_for(app, staff("SCJ")) as scj:
        first = (await scj.get("/v1/suggestions", params={"limit": 2})).json()
        second = (await scj.get("/v1/suggestions", params={"limit": 2, "cursor": first["next_cursor"]})).json()
        # [1, "a"]: the right length, but a number where the list's cursor holds a time.
        foreign = await scj.get("/v1/suggestions", params={"cursor": "WzEsImEiXQ"})
    seen = [e["id"] for page in (first, second) for e in page["items"]]
    assert len(seen) == len(set(seen)) == 3
    assert second["next_cursor"] is None
    assert foreign.status_code == 422
    assert foreign.json()["errors"][0]["field"] == "cursor"
