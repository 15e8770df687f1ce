"""Bulk import and export, CPSV-AP, cross-province agreements, and back-entry of applications."""

import csv
import io
from datetime import UTC, datetime, timedelta

from catalog_factories import CREDIT_CODE, TOWNSHIP, item_body, seed
from fastapi import FastAPI

from bianmin.catalog.app import create_app
from bianmin.catalog.settings import CatalogSettings
from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import ANONYMOUS, Principal
from bianmin.testing.client import client_for, running


def catalog() -> dict:  # type: ignore[type-arg]
    return {"departments": [{"code": "SCJG", "name": "区市场监督管理局"}, {"code": "GAJ", "name": "区公安分局"}],
            "items": [{**item_body("I-1", "食品经营许可证核发", fee="0"), "status": "published"},
                      {**item_body("I-2", "普通护照签发", department_code="GAJ", target_group="natural",
                                   cross_province_mode="full_online", cross_province_regions=["上海市", "江苏省"]),
                       "status": "suspended"}]}


async def test_an_import_creates_then_changes_nothing_when_repeated(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        first = await client.post("/v1/catalog/import", json=catalog())
        second = await client.post("/v1/catalog/import", json=catalog())
        changed = catalog()
        changed["items"][0]["promised_limit_days"] = 1
        third = await client.post("/v1/catalog/import", json=changed)
        backwards = catalog()
        backwards["items"][1]["status"] = "draft"
        refused = await client.post("/v1/catalog/import", json=backwards)
        twice = await client.post("/v1/catalog/import", json={"items": [item_body("X"), item_body("X")]})
        bad = await client.post("/v1/catalog/import", json={"items": [item_body("Y", promised_limit_days=99)]})
        found = (await client.get("/v1/items", params={"q": "护照", "status": "suspended"})).json()["items"]
    assert first.json() == {"departments": 2, "created": 2, "updated": 0, "status_changed": 1, "unchanged": 0}
    assert second.json() == {"departments": 0, "created": 0, "updated": 0, "status_changed": 0, "unchanged": 2}
    assert third.json()["updated"] == 1
    assert refused.status_code == 409
    assert twice.status_code == 422
    assert bad.status_code == 422
    assert [i["code"] for i in found] == ["I-2"]


async def test_the_export_round_trips_and_has_a_csv_form(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        await client.post("/v1/catalog/import", json=catalog())
        exported = await client.get("/v1/catalog/export")
        again = await client.post("/v1/catalog/import", json=exported.json())
        flat = await client.get("/v1/catalog/export", params={"format": "csv"})
    async with client_for(app, ANONYMOUS) as public:
        refused = await public.get("/v1/catalog/export")
    assert again.json()["unchanged"] == 2
    rows = list(csv.DictReader(io.StringIO(flat.text)))
    assert flat.headers["content-type"].startswith("text/csv")
    assert [(r["code"], r["channels"], r["fee"]) for r in rows] == [
        ("I-1", "online|window|bank_terminal", "0.00"), ("I-2", "online|window|bank_terminal", "0.00")]
    assert refused.status_code == 401


async def test_a_published_item_reads_as_a_cpsv_ap_public_service(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        await client.post("/v1/catalog/import", json=catalog())
    async with client_for(app, ANONYMOUS) as public:
        document = await public.get("/v1/items/I-1/cpsv")
        suspended = await public.get("/v1/items/I-2/cpsv")
    assert document.headers["content-type"] == "application/ld+json"
    body = document.json()
    assert body["@type"] == "cpsv:PublicService"
    assert body["cv:hasCompetentAuthority"]["skos:prefLabel"]["@value"] == "区市场监督管理局"
    assert body["cv:processingTime"] == "P3D"
    assert [e["dct:title"]["@value"] for e in body["cpsv:hasInput"]] == ["营业执照申请书", "住所证明", "章程"]
    assert {c["dct:type"] for c in body["cv:hasChannel"]} == {"online", "window", "bank_terminal"}
    assert suspended.status_code == 404


async def test_cross_province_agreements(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        await client.post("/v1/catalog/import", json=catalog())
        body = {"partner_region": "上海市闵行区", "signed_on": "2025-06-01", "mode": "receive_elsewhere",
                "item_codes": ["I-1", "I-2"]}
        created = await client.post("/v1/agreements", json=body)
        duplicate = await client.post("/v1/agreements", json=body)
        unknown = await client.post("/v1/agreements", json={**body, "signed_on": "2025-07-01", "item_codes": ["NOPE"]})
        bad_mode = await client.post("/v1/agreements", json={**body, "mode": "telepathy"})
    async with client_for(app, TOWNSHIP) as township:
        refused = await township.post("/v1/agreements", json={**body, "signed_on": "2025-08-01"})
    async with client_for(app, ANONYMOUS) as public:
        listed = (await public.get("/v1/agreements")).json()
    assert created.status_code == 201
    assert duplicate.status_code == 409
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "item_codes"
    assert bad_mode.status_code == 422
    assert refused.status_code == 403
    assert [a["partner_region"] for a in listed] == ["上海市闵行区"]


async def test_an_administrator_back_enters_an_earlier_application(settings: CatalogSettings, db_backend: str) -> None:
    now = datetime(2025, 11, 3, 2, 0, tzinfo=UTC)
    app = create_app(settings, clock=FixedClock(now))
    body = {"item_code": "330199-SC-001", "site_code": "330199001", "channel": "window",
            "applicant": {"type": "legal", "id_number": CREDIT_CODE, "name": "某公司", "phone": "13800001234"},
            "materials": [{"name": "营业执照申请书"}, {"name": "住所证明"}]}
    earlier = (now - timedelta(days=34)).isoformat()
    async with running(app), client_for(app) as client:
        await seed(client)
        entered = await client.post("/v1/applications", json={**body, "received_at": earlier})
        number = entered.json()["number"]
        before_previous = await client.post(f"/v1/applications/{number}/status",
                                            json={"status": "accepted", "at": (now - timedelta(days=40)).isoformat()})
        accepted = await client.post(f"/v1/applications/{number}/status",
                                     json={"status": "accepted", "at": (now - timedelta(days=33)).isoformat()})
        future = await client.post("/v1/applications", json={**body, "received_at": (now + timedelta(hours=1)).isoformat()})
        ancient = await client.post("/v1/applications", json={**body, "received_at": "2020-01-01T00:00:00+08:00"})
        naive = await client.post("/v1/applications", json={**body, "received_at": "2025-10-01T00:00:00"})
    clerk_app = create_app(settings, clock=FixedClock(now))
    async with running(clerk_app), client_for(clerk_app, Principal(
            key_id="clerk", tenant="*", scopes=frozenset({"catalog:write"}))) as clerk:
        refused = await clerk.post("/v1/applications", json={**body, "received_at": earlier})
    assert entered.status_code == 201
    assert entered.json()["submitted_at"].startswith("2025-09-30")
    assert entered.json()["promised_date"] == "2025-10-11"
    assert entered.json()["overdue"] is True
    assert before_previous.status_code == 422
    assert accepted.status_code == 200
    assert future.status_code == 422
    assert future.json()["errors"][0]["field"] == "received_at"
    assert ancient.status_code == 422
    assert naive.status_code == 422
    assert refused.status_code == 403


async def test_a_csv_with_a_lone_carriage_return_is_a_422_not_a_500(app: FastAPI) -> None:
    # Found by schemathesis through the gateway: b"\r0" raised csv.Error (new-line in an unquoted field).
    async with client_for(app) as client:
        response = await client.post("/v1/catalog/import/csv", content=b"\r0", headers={"content-type": "text/csv"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "csv"


async def test_a_csv_of_flat_fields_changes_items_and_names_a_bad_cell(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        await client.post("/v1/catalog/import", json=catalog())
        exported = (await client.get("/v1/catalog/export", params={"format": "csv"})).text
        same = await client.post("/v1/catalog/import/csv", content=exported.encode(), headers={"content-type": "text/csv"})
        changed_text = exported.replace("I-1,000105001000,食品经营许可证核发", "I-1,000105001000,食品经营许可证新办")
        changed = await client.post("/v1/catalog/import/csv", content=changed_text.encode())
        renamed = (await client.get("/v1/items/I-1")).json()
        new_row = exported.splitlines()[0] + "\nN-1,000100000001,新增事项,other,SCJG,both,township,5,3,0.00,,online,false,,false,draft,1\n"
        created = await client.post("/v1/catalog/import/csv", content=new_row.encode())
        bad_cell = await client.post("/v1/catalog/import/csv", content=new_row.replace(",5,3,", ",5,x,").replace("N-1", "N-2").encode())
        bad_header = await client.post("/v1/catalog/import/csv", content=b"colour\nred\n")
        not_utf8 = await client.post("/v1/catalog/import/csv", content="code\n事项".encode("gbk"))
    assert same.json()["unchanged"] == 2
    assert changed.json()["updated"] == 1
    assert renamed["name"] == "食品经营许可证新办"
    assert renamed["materials"][0]["name"] == "营业执照申请书"
    assert created.json()["created"] == 1
    assert bad_cell.status_code == 422
    assert bad_cell.json()["errors"][0]["field"] == "rows.1.promised_limit_days"
    assert bad_header.status_code == 422
    assert not_utf8.status_code == 422
