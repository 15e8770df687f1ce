"""Evaluations (好差评): one rating per application, rectification cases, appeals, satisfaction."""

from datetime import UTC, datetime

from catalog_factories import CREDIT_CODE, TOWN_ACCEPTOR, TOWNSHIP, citizen, seed
from fastapi import FastAPI

from bianmin.catalog.app import create_app
from bianmin.catalog.settings import CatalogSettings
from bianmin.kit.clock import FixedClock
from bianmin.testing.client import client_for, running

# Tuesday 30 September 2025 in Shanghai; 1-8 October are off.
NOW = datetime(2025, 9, 30, 2, 0, tzinfo=UTC)
BODY = {"item_code": "330199-SC-001", "site_code": "330199001", "channel": "window",
        "applicant": {"type": "legal", "id_number": CREDIT_CODE, "name": "便民区1号建设有限公司", "phone": "13800001234"},
        "materials": [{"name": "营业执照申请书"}, {"name": "住所证明"}]}


async def _accepted(app: FastAPI, who: str = "zhang") -> str:
    """An application the citizen ``who`` submitted and the township's acceptor accepted (issue 19: not one admin key)."""
    async with client_for(app, citizen(who)) as applicant, client_for(app, TOWN_ACCEPTOR) as acceptor:
        number = (await applicant.post("/v1/applications", json=BODY)).json()["number"]
        assert (await acceptor.post(f"/v1/applications/{number}/status", json={"status": "accepted"})).status_code == 200
    return number


async def _rate(app: FastAPI, number: str, level: int, who: str = "zhang", **extra: object):  # type: ignore[no-untyped-def]
    """The applicant ``who`` rates ``number`` (国办发〔2019〕51号: only the holder rates)."""
    async with client_for(app, citizen(who)) as applicant:
        return await applicant.post("/v1/evaluations", json={"application_number": number, "level": level, **extra})


async def test_a_bad_review_opens_a_case_with_deadlines_in_working_days(settings: CatalogSettings,
                                                                        db_backend: str) -> None:
    app = create_app(settings, clock=FixedClock(NOW))
    async with running(app), client_for(app) as client:
        await seed(client)
        async with client_for(app, citizen()) as applicant:
            submitted_only = (await applicant.post("/v1/applications", json=BODY)).json()["number"]
        number = await _accepted(app)
        too_early = await _rate(app, submitted_only, 5)
        bad = await _rate(app, number, 2, comment="等太久")
        twice = await _rate(app, number, 5)
        out_of_range = await _rate(app, number, 6)
    assert too_early.status_code == 409
    assert bad.status_code == 201
    case = bad.json()
    assert case["bad"] is True
    assert case["level_name"] == "不满意"
    assert case["case_status"] == "open"
    assert case["contact_due"] == "2025-10-09"
    assert case["fix_due"] == "2025-10-28"  # 15 working days, counting Sat 11 Oct (调休)
    assert twice.status_code == 409
    assert out_of_range.status_code == 422


async def test_a_case_runs_contact_rectify_rerate_and_refuses_steps_out_of_order(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        await seed(client)
        number = await _accepted(app)
        good = await _rate(app, number, 4)
        no_case = await client.post(f"/v1/evaluations/{good.json()['id']}/steps", json={"action": "contact"})
        other = await _accepted(app)
        case_id = (await _rate(app, other, 1)).json()["id"]
    # Issue 19: the second rating (追评) is the applicant's; the township's key contacts and rectifies.
    async with client_for(app, TOWNSHIP) as township, client_for(app, citizen()) as applicant:
        early = await applicant.post(f"/v1/evaluations/{case_id}/steps", json={"action": "rerate", "level": 5})
        contacted = await township.post(f"/v1/evaluations/{case_id}/steps", json={"action": "contact", "note": "电话回访"})
        rectified = await township.post(f"/v1/evaluations/{case_id}/steps", json={"action": "rectify", "note": "已整改"})
        no_level = await applicant.post(f"/v1/evaluations/{case_id}/steps", json={"action": "rerate"})
        closed = await applicant.post(f"/v1/evaluations/{case_id}/steps", json={"action": "rerate", "level": 4})
        listed = await township.get("/v1/evaluations", params={"bad": "true"})
    assert no_case.status_code == 409
    assert early.status_code == 409
    assert early.json()["code"] == "transition_forbidden"
    assert contacted.json()["case_status"] == "contacted"
    assert rectified.json()["case_status"] == "rectified"
    assert no_level.status_code == 422
    assert closed.json()["case_status"] == "closed"
    assert closed.json()["second_level"] == 4
    assert [e["id"] for e in listed.json()["items"]] == [case_id]


async def test_an_upheld_appeal_voids_a_malicious_review(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as admin:
        await seed(admin)
        number = await _accepted(app)
        case_id = (await _rate(app, number, 1)).json()["id"]
        before = (await admin.get("/v1/stats/applications")).json()
    async with client_for(app, TOWNSHIP) as township:
        no_reason = await township.post(f"/v1/evaluations/{case_id}/steps", json={"action": "appeal"})
        appealed = await township.post(f"/v1/evaluations/{case_id}/steps",
                                       json={"action": "appeal", "note": "恶意差评，与办理无关"})
        self_decided = await township.post(f"/v1/evaluations/{case_id}/steps",
                                           json={"action": "decide_appeal", "upheld": True})
    async with client_for(app) as admin:
        undecided = await admin.post(f"/v1/evaluations/{case_id}/steps", json={"action": "decide_appeal"})
        voided = await admin.post(f"/v1/evaluations/{case_id}/steps", json={"action": "decide_appeal", "upheld": True})
        after = (await admin.get("/v1/stats/applications")).json()
        missing = await admin.get("/v1/evaluations/999")
    assert no_reason.status_code == 422
    assert appealed.json()["case_status"] == "appealed"
    assert self_decided.status_code == 403
    assert self_decided.json()["code"] == "decided_above_site"
    assert undecided.status_code == 422
    assert voided.json()["case_status"] == "voided"
    assert voided.json()["appeal_decision"] == "upheld"
    assert before["satisfaction_rate"] == "0.0000"
    assert after["satisfaction_rate"] is None
    assert after["evaluations"] == 0
    assert missing.status_code == 404
