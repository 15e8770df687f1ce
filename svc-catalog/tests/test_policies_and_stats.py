"""Policy redemption and the catalog's figures (applications, online receipt rate, overview)."""

from datetime import UTC, datetime, timedelta

from catalog_factories import CREDIT_CODE, HALL_ACCEPTOR, HALL_APPROVER, RESIDENT_ID, TOWNSHIP, seed

from bianmin.catalog.app import create_app
from bianmin.catalog.domain.stats import ratio
from bianmin.catalog.settings import CatalogSettings
from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import Principal
from bianmin.testing.client import client_for, person, running

NOW = datetime(2025, 9, 30, 2, 0, tzinfo=UTC)


def test_a_ratio_of_nothing_is_none() -> None:
    assert ratio(0, 0) is None
    assert str(ratio(1, 3)) == "0.3333"


async def test_redemptions_count_towards_the_completion_rate_when_paid(settings: CatalogSettings,
                                                                       db_backend: str) -> None:
    app = create_app(settings, clock=FixedClock(NOW))
    async with running(app), client_for(app) as client:
        await client.put("/v1/departments/JXJ", json={"code": "JXJ", "name": "区经济和信息化局"})
        policy = {"code": "P-2025-01", "name": "小微企业首次上规奖励", "department_code": "JXJ",
                  "expected_amount": "1000000.00", "period_start": "2025-01-01", "period_end": "2025-12-31"}
        created = await client.post("/v1/policies", json=policy)
        duplicate = await client.post("/v1/policies", json=policy)
        backwards = await client.post("/v1/policies", json={**policy, "code": "P-X", "period_end": "2024-01-01"})
        closed = await client.post("/v1/policies", json={**policy, "code": "P-OLD", "period_start": "2024-01-01",
                                                          "period_end": "2024-12-31"})
        first = await client.post("/v1/policies/P-2025-01/redemptions",
                                  json={"credit_code": CREDIT_CODE, "enterprise_name": "便民区1号建设有限公司",
                                        "amount": "200000.00"})
        bad_code = await client.post("/v1/policies/P-2025-01/redemptions",
                                     json={"credit_code": "91310110666007217U", "enterprise_name": "x", "amount": "1"})
        too_late = await client.post("/v1/policies/P-OLD/redemptions",
                                     json={"credit_code": CREDIT_CODE, "enterprise_name": "x", "amount": "1"})
        rid = first.json()["id"]
        # Issue 19: an approver of the policy's department (second factor) decides, no longer the admin key.
        async with client_for(app, person("staff", "approver", department="JXJ")) as approver:
            skipped = await approver.post(f"/v1/redemptions/{rid}/status", json={"status": "paid"})
            await approver.post(f"/v1/redemptions/{rid}/status", json={"status": "approved"})
            paid = await approver.post(f"/v1/redemptions/{rid}/status", json={"status": "paid"})
        stats = (await client.get("/v1/stats/policies", params={"from": "2025-01-01", "to": "2025-12-31"})).json()
        listed = await client.get("/v1/policies/P-2025-01/redemptions")
        public = await client.get("/v1/policies")
    assert created.status_code == 201
    assert duplicate.status_code == 409
    assert backwards.status_code == 422
    assert backwards.json()["errors"][0]["field"] == "period_end"
    assert closed.status_code == 201
    assert bad_code.status_code == 422
    assert bad_code.json()["errors"][0]["field"] == "credit_code"
    assert too_late.status_code == 409
    assert skipped.status_code == 409
    assert skipped.json()["code"] == "transition_forbidden"
    assert paid.json()["status"] == "paid"
    assert stats["expected"] == "1000000.00"
    assert stats["redeemed"] == "200000.00"
    assert stats["completion_rate"] == "0.2000"
    assert len(listed.json()) == 1
    assert len(public.json()) == 2


async def test_the_online_receipt_rate_and_application_figures(settings: CatalogSettings, db_backend: str) -> None:
    clock = FixedClock(NOW)
    app = create_app(settings, clock=clock)
    applicant = {"type": "legal", "id_number": CREDIT_CODE, "name": "某公司", "phone": "13800001234"}
    materials = [{"name": "营业执照申请书"}, {"name": "住所证明"}]
    async with running(app), client_for(app) as client:
        await seed(client)
        await client.patch("/v1/items/330199-SC-001", json={"target_group": "both"})
        numbers = []
        for site, channel in (("330199000", "online"), ("330199000", "window"), ("330199001", "window"),
                              ("330199000", "online")):
            response = await client.post("/v1/applications", json={
                "item_code": "330199-SC-001", "site_code": site, "channel": channel, "applicant": applicant,
                "materials": materials})
            numbers.append(response.json()["number"])
        await client.post("/v1/applications", json={
            "item_code": "330199-SC-001", "site_code": "330199000", "channel": "window", "materials": materials,
            "applicant": {"type": "natural", "id_number": RESIDENT_ID, "name": "张三", "phone": "0571-87654321"}})
        async with client_for(app, HALL_ACCEPTOR) as acceptor, client_for(app, HALL_APPROVER) as approver:
            await acceptor.post(f"/v1/applications/{numbers[0]}/status", json={"status": "accepted"})
            await approver.post(f"/v1/applications/{numbers[0]}/status", json={"status": "approved"})
            clock.advance(timedelta(days=10))
            await approver.post(f"/v1/applications/{numbers[0]}/status",
                                json={"status": "completed", "certificate_no": "C1"})
        everything = (await client.get("/v1/stats/applications", params={"from": "2025-09-01", "to": "2025-09-30"})).json()
        hall = (await client.get("/v1/stats/applications", params={"site": "330199000"})).json()
        empty = (await client.get("/v1/stats/applications", params={"from": "2025-01-01", "to": "2025-01-31"})).json()
        backwards = await client.get("/v1/stats/applications", params={"from": "2025-02-01", "to": "2025-01-31"})
        cockpit = Principal(key_id="k-cockpit", tenant="*", scopes=frozenset({"cockpit:read"}))
        async with client_for(app, cockpit) as reader:
            overview = (await reader.get("/v1/stats/overview")).json()
    async with client_for(app, TOWNSHIP) as township:
        own = (await township.get("/v1/stats/applications")).json()
    assert everything["received"] == 5
    assert everything["online_received"] == 2
    assert everything["online_receipt_rate"] == "0.4000"
    assert everything["completed"] == 1
    # Completed on 10 Oct: 9 and 10 Oct are the working days after 30 Sep; the promise was 11 Oct.
    assert everything["average_handling_days"] == "2.00"
    assert everything["overdue"] == 0
    assert hall["received"] == 4
    assert empty["received"] == 0
    assert empty["online_receipt_rate"] is None
    assert backwards.status_code == 422
    assert own["received"] == 1
    figures = {f["name"]: f for f in overview["figures"]}
    assert figures["online_receipt_rate"]["value"] == "0.4000"
    assert figures["online_receipt_rate"]["breakdown"] == {"SCJG": "0.4000"}
    assert "online" in figures["online_receipt_rate"]["definition"]
    assert figures["items_published"]["value"] == 1
