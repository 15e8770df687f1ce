"""People and roles (issue 19): the catalog decides on the subject acting, not on the key that calls.

Each finding of the issue has its denial here: a portal key deciding its own application, the
applicant approving their own (受审分离), a rating not from the applicant (国办发〔2019〕51号), an
appeal decided by the rated site, a redemption approved by its recorder, applicant data unmasked
for whoever reads (个人信息保护法), items edited without their department's editor, a township's
cockpit counting another township, and a route without a declared policy.
"""

from typing import Any

import httpx
from catalog_factories import (
    CREDIT_CODE,
    HALL,
    HALL_ACCEPTOR,
    HALL_APPROVER,
    OTHER_TOWNSHIP,
    TOWN,
    TOWN_ACCEPTOR,
    TOWNSHIP,
    citizen,
    seed,
)
from fastapi import FastAPI

from bianmin.catalog.app import create_app
from bianmin.catalog.domain.applications import public_actor
from bianmin.catalog.settings import CatalogSettings
from bianmin.kit.app import api_routes
from bianmin.kit.identity import Principal
from bianmin.kit.policy import declared_policy
from bianmin.testing.client import client_for, person

PORTAL = Principal(key_id="key-portal", tenant="*", scopes=frozenset({"catalog:read", "catalog:write"}), name="portal")


def body(site: str = HALL) -> dict[str, Any]:
    """An application for the seeded item at ``site``."""
    return {"item_code": "330199-SC-001", "site_code": site, "channel": "window",
            "applicant": {"type": "legal", "id_number": CREDIT_CODE, "name": "便民区1号建设有限公司", "phone": "13800001234"},
            "materials": [{"name": "营业执照申请书"}, {"name": "住所证明"}]}


async def submit(app: FastAPI, who: Principal, site: str = HALL) -> str:
    """Submit an application as ``who``; its number."""
    async with client_for(app, who) as client:
        response = await client.post("/v1/applications", json=body(site))
    assert response.status_code == 201, response.text
    return response.json()["number"]


async def step(app: FastAPI, who: Principal, number: str, status: str, **extra: str) -> httpx.Response:
    """Move application ``number`` to ``status`` as ``who``."""
    async with client_for(app, who) as client:
        return await client.post(f"/v1/applications/{number}/status", json={"status": status, **extra})


async def seeded(app: FastAPI) -> None:
    async with client_for(app) as admin:
        await seed(admin)


async def test_a_portal_key_neither_accepts_approves_nor_completes_its_own_application(app: FastAPI) -> None:
    await seeded(app)
    number = await submit(app, PORTAL)
    accepted = await step(app, PORTAL, number, "accepted")
    assert accepted.status_code == 403
    assert accepted.json()["code"] == "subject_not_allowed"
    assert (await step(app, HALL_ACCEPTOR, number, "accepted")).status_code == 200
    approved = await step(app, PORTAL, number, "approved")
    assert approved.status_code == 403


async def test_only_the_sites_acceptor_and_approver_of_the_department_decide(app: FastAPI) -> None:
    await seeded(app)
    number = await submit(app, citizen())
    clerk = person("staff", "clerk", site=HALL)
    other_department = person("staff", "acceptor", site=HALL, department="GAJ")
    no_second_factor = person("staff", "approver", site=HALL, department="SCJG", second_factor=False)
    by_clerk = await step(app, clerk, number, "accepted")
    by_other_township = await step(app, TOWN_ACCEPTOR, number, "accepted")
    by_other_department = await step(app, other_department, number, "accepted")
    by_citizen = await step(app, citizen(), number, "accepted")
    approver_accepting = await step(app, HALL_APPROVER, number, "accepted")
    accepted = await step(app, HALL_ACCEPTOR, number, "accepted")
    acceptor_approving = await step(app, HALL_ACCEPTOR, number, "approved")
    without_factor = await step(app, no_second_factor, number, "approved")
    approved = await step(app, HALL_APPROVER, number, "approved")
    assert by_clerk.json()["code"] == "role_missing"
    assert by_other_township.status_code == 404  # another township's staff do not even see it
    assert by_other_department.status_code == 404
    assert by_citizen.json()["code"] == "role_missing"
    assert approver_accepting.json()["code"] == "role_missing"
    assert accepted.status_code == 200
    assert acceptor_approving.json()["code"] == "role_missing"
    assert without_factor.json()["code"] == "second_factor_required"
    assert approved.status_code == 200


async def test_whoever_submitted_an_application_never_approves_it(app: FastAPI) -> None:
    await seeded(app)
    both = person("staff", "acceptor", "approver", site=HALL, department="SCJG")
    number = await submit(app, both)
    assert (await step(app, HALL_ACCEPTOR, number, "accepted")).status_code == 200
    own = await step(app, both, number, "approved")
    assert own.status_code == 403
    assert own.json()["code"] == "separation_of_duties"
    assert (await step(app, HALL_APPROVER, number, "approved")).status_code == 200
    completed = await step(app, both, number, "completed", certificate_no="C-1")
    assert completed.json()["code"] == "separation_of_duties"


async def test_a_citizen_applies_sees_and_withdraws_their_own_applications_only(app: FastAPI) -> None:
    await seeded(app)
    mine = await submit(app, citizen("zhang"))
    theirs = await submit(app, citizen("li"))
    async with client_for(app, citizen("zhang")) as zhang:
        listed = (await zhang.get("/v1/applications")).json()["items"]
        other = await zhang.get(f"/v1/applications/{theirs}")
        withdraw_theirs = await zhang.post(f"/v1/applications/{theirs}/status", json={"status": "withdrawn"})
    by_staff = await step(app, HALL_ACCEPTOR, mine, "withdrawn")
    withdrawn = await step(app, citizen("zhang"), mine, "withdrawn")
    assert [a["number"] for a in listed] == [mine]
    assert listed[0]["applicant_id_number"] == CREDIT_CODE  # their own data, unmasked
    assert other.status_code == 404
    assert withdraw_theirs.status_code == 404
    assert by_staff.json()["code"] == "not_the_holder"
    assert withdrawn.json()["status"] == "withdrawn"


async def test_a_citizen_back_enters_nothing_and_events_never_name_them(app: FastAPI) -> None:
    await seeded(app)
    async with client_for(app, citizen()) as applicant:
        back_entered = await applicant.post("/v1/applications", json={**body(), "received_at": "2025-01-02T09:00:00+08:00"})
    assert back_entered.status_code == 403
    assert back_entered.json()["code"] == "scope_missing"
    assert public_actor("citizen:citizen-zhang") == "applicant"
    assert public_actor("staff:acct-1") == "staff:acct-1"


async def test_only_the_applicant_rates_and_rates_again(app: FastAPI) -> None:
    await seeded(app)
    number = await submit(app, citizen(), site=TOWN)
    assert (await step(app, TOWN_ACCEPTOR, number, "accepted")).status_code == 200
    rating = {"application_number": number, "level": 1}
    async with client_for(app, TOWN_ACCEPTOR) as staff, client_for(app, TOWNSHIP) as key:
        by_staff = await staff.post("/v1/evaluations", json=rating)
        by_key = await key.post("/v1/evaluations", json=rating)
    async with client_for(app, citizen()) as holder:
        rated = await holder.post("/v1/evaluations", json=rating)
    case = rated.json()["id"]
    async with client_for(app, TOWNSHIP) as key:
        await key.post(f"/v1/evaluations/{case}/steps", json={"action": "contact", "note": "电话回访"})
        await key.post(f"/v1/evaluations/{case}/steps", json={"action": "rectify", "note": "已整改"})
        rerate_by_key = await key.post(f"/v1/evaluations/{case}/steps", json={"action": "rerate", "level": 5})
    async with client_for(app, citizen("li")) as stranger:
        by_stranger = await stranger.post(f"/v1/evaluations/{case}/steps", json={"action": "rerate", "level": 5})
    for refused in (by_staff, by_key, rerate_by_key):
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "not_the_holder"
    assert rated.status_code == 201
    assert by_stranger.status_code == 404


async def test_an_appeal_is_decided_above_the_rated_site(app: FastAPI) -> None:
    await seeded(app)
    number = await submit(app, citizen(), site=TOWN)
    assert (await step(app, TOWN_ACCEPTOR, number, "accepted")).status_code == 200
    async with client_for(app, citizen()) as holder:
        case = (await holder.post("/v1/evaluations", json={"application_number": number, "level": 1})).json()["id"]
    own_manager = person("staff", "hall_manager", site=TOWN)
    district_manager = person("staff", "hall_manager", site="330199")
    without_factor = person("staff", "hall_manager", site="330199", second_factor=False)
    decide = {"action": "decide_appeal", "upheld": True}
    async with client_for(app, own_manager) as manager:
        appealed = await manager.post(f"/v1/evaluations/{case}/steps", json={"action": "appeal", "note": "恶意差评"})
        by_own = await manager.post(f"/v1/evaluations/{case}/steps", json=decide)
    async with client_for(app, TOWNSHIP) as key:
        by_own_key = await key.post(f"/v1/evaluations/{case}/steps", json=decide)
    async with client_for(app, without_factor) as manager:
        no_factor = await manager.post(f"/v1/evaluations/{case}/steps", json=decide)
    async with client_for(app, district_manager) as manager:
        decided = await manager.post(f"/v1/evaluations/{case}/steps", json=decide)
    assert appealed.json()["case_status"] == "appealed"
    assert by_own.status_code == 403
    assert by_own.json()["code"] == "decided_above_site"
    assert by_own_key.json()["code"] == "decided_above_site"
    assert no_factor.json()["code"] == "second_factor_required"
    assert decided.json()["case_status"] == "voided"


async def test_whoever_records_a_redemption_never_approves_it(app: FastAPI) -> None:
    async with client_for(app) as admin:
        await admin.put("/v1/departments/JXJ", json={"code": "JXJ", "name": "区经济和信息化局"})
        await admin.post("/v1/policies", json={"code": "P-1", "name": "小微企业首次上规奖励", "department_code": "JXJ",
                                               "expected_amount": "1000000.00", "period_start": "2000-01-01",
                                               "period_end": "2999-12-31"})
    both = person("staff", "acceptor", "approver", department="JXJ")
    redemption = {"credit_code": CREDIT_CODE, "enterprise_name": "便民区1号建设有限公司", "amount": "1000.00"}
    async with client_for(app, both) as recorder:
        recorded = await recorder.post("/v1/policies/P-1/redemptions", json=redemption)
        rid = recorded.json()["id"]
        own = await recorder.post(f"/v1/redemptions/{rid}/status", json={"status": "approved"})
    async with client_for(app) as key:
        by_key = await key.post(f"/v1/redemptions/{rid}/status", json={"status": "approved"})
    other_enterprise = person("enterprise", parties=("91330199MA0000002X",))
    async with client_for(app, other_enterprise) as enterprise:
        not_theirs = await enterprise.post("/v1/policies/P-1/redemptions", json=redemption)
    async with client_for(app, person("staff", "approver", department="JXJ", second_factor=False)) as approver:
        no_factor = await approver.post(f"/v1/redemptions/{rid}/status", json={"status": "approved"})
    async with client_for(app, person("staff", "approver", department="GAJ")) as approver:
        other_department = await approver.post(f"/v1/redemptions/{rid}/status", json={"status": "approved"})
    async with client_for(app, person("staff", "approver", department="JXJ")) as approver:
        approved = await approver.post(f"/v1/redemptions/{rid}/status", json={"status": "approved"})
    assert recorded.status_code == 201
    assert own.json()["code"] == "separation_of_duties"
    assert by_key.json()["code"] == "subject_not_allowed"
    assert not_theirs.json()["code"] == "not_this_enterprise"
    assert no_factor.json()["code"] == "second_factor_required"
    assert other_department.json()["code"] == "role_missing"
    assert approved.json()["status"] == "approved"


async def test_applicant_data_is_masked_unless_handled_and_each_unmasked_read_is_logged(app: FastAPI) -> None:
    await seeded(app)
    hall = await submit(app, citizen())
    town = await submit(app, citizen(), site=TOWN)
    other_township_staff = person("staff", "acceptor", site="330199002", department="SCJG")
    hall_clerk = person("staff", "clerk", site=HALL)
    reads: dict[str, Any] = {}
    for name, who in (("district key", None), ("township key", TOWNSHIP), ("other township key", OTHER_TOWNSHIP),
                      ("other township staff", other_township_staff), ("hall clerk", hall_clerk),
                      ("hall acceptor", HALL_ACCEPTOR)):
        async with client_for(app, *(() if who is None else (who,))) as client:
            reads[name] = (await client.get("/v1/applications")).json()["items"]
    async with client_for(app, hall_clerk) as clerk:
        one_masked = (await clerk.get(f"/v1/applications/{hall}")).json()
    async with client_for(app, HALL_ACCEPTOR) as acceptor:
        one_unmasked = (await acceptor.get(f"/v1/applications/{hall}")).json()
    async with client_for(app, person("supervisor", "supervisor")) as supervisor:
        log = (await supervisor.get("/v1/access-log")).json()["items"]
    masked = {name: {a["number"]: "*" in a["applicant_id_number"] and a["applicant_phone"] != "13800001234"
                     for a in items} for name, items in reads.items()}
    assert masked["district key"] == {hall: True, town: True}
    assert masked["township key"] == {town: True}
    assert masked["other township key"] == {}
    assert masked["other township staff"] == {}
    assert masked["hall clerk"] == {hall: True}
    assert masked["hall acceptor"] == {hall: False}
    assert one_masked["applicant_name"] != "便民区1号建设有限公司"
    assert one_unmasked["applicant_name"] == "便民区1号建设有限公司"
    assert [(e["action"], e["resource"], e["subject_id"]) for e in reversed(log)] == [
        ("GET /applications", f"application/{hall}", HALL_ACCEPTOR.subject.id),  # type: ignore[union-attr]
        ("GET /applications/{number}", f"application/{hall}", HALL_ACCEPTOR.subject.id),  # type: ignore[union-attr]
    ]
    assert all(e["purpose"] and e["site_code"] == HALL for e in log)


async def test_items_and_sites_are_edited_by_their_departments_editor(app: FastAPI) -> None:
    await seeded(app)
    change = {"promised_limit_days": 2}
    async with client_for(app, person("staff", "item_editor", department="GAJ")) as other:
        by_other_department = await other.patch("/v1/items/330199-SC-001", json=change)
    async with client_for(app, person("staff", "clerk")) as clerk:
        by_clerk = await clerk.patch("/v1/items/330199-SC-001", json=change)
    async with client_for(app, person("staff", "item_editor", site="330199002")) as other:
        other_site = await other.put(f"/v1/sites/{TOWN}/offerings", json={"offerings": []})
    async with client_for(app, person("staff", "item_editor", department="SCJG")) as editor:
        changed = await editor.patch("/v1/items/330199-SC-001", json=change)
        offerings = await editor.put(f"/v1/sites/{TOWN}/offerings", json={"offerings": []})
    assert by_other_department.json()["code"] == "role_missing"
    assert by_clerk.json()["code"] == "role_missing"
    assert other_site.json()["code"] == "role_missing"
    assert changed.json()["promised_limit_days"] == 2
    assert offerings.json() == {"offerings": []}


async def test_a_townships_cockpit_counts_its_own_sites_only(app: FastAPI) -> None:
    await seeded(app)
    await submit(app, citizen())
    await submit(app, citizen(), site=TOWN)
    township_key = Principal(key_id="key-cockpit-t1", tenant=TOWN, scopes=frozenset({"cockpit:read"}))
    received = {}
    for name, who in (("district", person("staff", "cockpit_viewer")), ("township key", township_key),
                      ("township viewer", person("staff", "cockpit_viewer", site=TOWN)),
                      ("other township viewer", person("staff", "cockpit_viewer", site="330199002"))):
        async with client_for(app, who) as client:
            figures = {f["name"]: f["value"] for f in (await client.get("/v1/stats/overview")).json()["figures"]}
        received[name] = figures["applications_received"]
    assert received == {"district": 2, "township key": 1, "township viewer": 1, "other township viewer": 0}


def test_every_route_declares_its_policy(settings: CatalogSettings) -> None:
    undeclared = {f"{method} {route.path}" for route in api_routes(create_app(settings))
                  if route.path.startswith("/v1") and declared_policy(route) is None for method in route.methods}
    assert not undeclared
