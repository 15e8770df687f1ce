"""The district's sites as data: districts named in configuration, code shapes per level, import in one call, events."""

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from catalog_factories import CREDIT_CODE, seed
from fastapi import FastAPI
from pydantic import ValidationError
from sqlalchemy import func, select

from bianmin.catalog.__main__ import main
from bianmin.catalog.app import create_app
from bianmin.catalog.domain.sites import announce_sites
from bianmin.catalog.settings import CatalogSettings
from bianmin.kit.identity import ANONYMOUS
from bianmin.kit.site_registry import KnownSite, registry_digest
from bianmin.kit.sites import within
from bianmin.kit.tables import outbox_event
from bianmin.testing.client import client_for, running

# A second county beside the fictitious 330199: 320583 (Kunshan, Jiangsu), with a township numbered
# above the demo's ten and a village, an outlet and a terminal under it. The file lists children
# before their parents, as a spreadsheet sorted by name would.
SECOND_DISTRICT_CSV = """code,name,level,parent_code,lat,lng,address,opening_hours,phone,kind
320583011001,第十一街道花园社区便民服务站,village,320583011,31.301,121.081,,周一至周五 9:00-16:30,,
320583011B01,农商银行第十一街道支行便民服务点,bank,320583011,31.292,121.071,,,,
320583011B01T01,农商银行第十一街道支行自助终端,terminal,320583011B01,31.292,121.071,,,,self_service
320583011,第十一街道便民服务中心,township,320583000,31.290,121.060,昆山市第十一街道政务路1号,周一至周五 8:30-17:00,0512-57690011,
320583000,昆山市政务服务中心,district,,31.380,120.980,昆山市前进西路,周一至周五 9:00-17:00,0512-57000000,
"""
HALL = {"code": "330199000", "name": "便民区政务服务中心", "level": "district", "lat": 30.25, "lng": 120.16}
TOWN = {"code": "330199001", "name": "东城街道便民服务中心", "level": "township", "parent_code": "330199000",
        "lat": 30.26, "lng": 120.2}
VILLAGE = {"code": "330199001001", "name": "春晖社区便民服务站", "level": "village", "parent_code": "330199001",
           "lat": 30.265, "lng": 120.205}


@pytest.fixture
def two_districts(settings: CatalogSettings) -> CatalogSettings:
    """A deployment serving the demo district and a second county side by side."""
    return settings.model_copy(update={"districts": ["330199", "320583"]})


async def site_events(app: FastAPI) -> list[dict[str, Any]]:
    """The ``catalog.site.changed`` events in the outbox, oldest first: their payload with the envelope's tenant."""
    async with app.state.db.sessionmaker() as session:
        rows = await session.execute(select(outbox_event.c.body).where(outbox_event.c.subject == "catalog.site.changed")
                                     .order_by(outbox_event.c.seq))
        events = [json.loads(body) for (body,) in rows]
    return [{**e["data"], "tenant": e["tenant"]} for e in events]


async def outbox_size(app: FastAPI) -> int:
    """How many events the outbox holds."""
    async with app.state.db.sessionmaker() as session:
        return int((await session.execute(select(func.count()).select_from(outbox_event))).scalar_one())


async def import_csv(client: Any, text: str) -> Any:
    """POST a site file as CSV."""
    return await client.post("/v1/sites/import", content=text.encode(), headers={"Content-Type": "text/csv"})


def test_the_districts_are_read_from_the_environment_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIANMIN_CATALOG_DISTRICTS", "330199, 320583")
    assert CatalogSettings().districts == ["330199", "320583"]
    monkeypatch.setenv("BIANMIN_CATALOG_DISTRICTS", "")
    assert CatalogSettings().districts == []
    monkeypatch.setenv("BIANMIN_CATALOG_DISTRICTS", "330199,33019")
    with pytest.raises(ValidationError, match="GB/T 2260"):
        CatalogSettings()


async def test_a_second_district_is_imported_by_csv_beside_the_first(two_districts: CatalogSettings,
                                                                       db_backend: str) -> None:
    app = create_app(two_districts)
    async with running(app), client_for(app) as admin:
        await seed(admin)
        imported = await import_csv(admin, SECOND_DISTRICT_CSV)
        again = await import_csv(admin, SECOND_DISTRICT_CSV)
        listed = (await admin.get("/v1/sites", params={"limit": 50})).json()["items"]
        under = (await admin.get("/v1/sites", params={"parent": "320583011"})).json()["items"]
        terminal = (await admin.get("/v1/sites/320583011B01T01")).json()
    async with client_for(app, ANONYMOUS) as public:
        near = (await public.get("/v1/sites", params={"near": "31.29,121.06", "radius_km": 5})).json()["items"]
    assert imported.status_code == 200, imported.text
    assert imported.json() == {"created": 5, "updated": 0, "unchanged": 0}
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 5}
    by_code = {s["code"]: s for s in listed}
    assert {"330199000", "330199001", "330199001B01", "320583000", "320583011", "320583011001"} <= set(by_code)
    assert by_code["320583000"]["tenant"] == "*"
    assert {by_code[c]["tenant"] for c in ("320583011", "320583011001", "320583011B01", "320583011B01T01")} == {"320583011"}
    assert [s["code"] for s in under] == ["320583011001", "320583011B01"]
    assert terminal["kind"] == "self_service"
    assert terminal["active"] is True
    assert [s["code"] for s in near] == ["320583011", "320583011B01", "320583011B01T01", "320583011001"]
    # The registry's parents agree with the kit's reading of the codes (tenancy and roles use the latter).
    for site in listed:
        parent = by_code.get(site["parent_code"] or "")
        if parent is not None:
            area = parent["code"][:6] if parent["level"] == "district" else parent["code"]
            assert within(site["code"], area), site["code"]


async def test_a_site_outside_the_deployments_districts_is_refused(two_districts: CatalogSettings,
                                                                     settings: CatalogSettings,
                                                                     db_backend: str) -> None:
    app = create_app(two_districts)
    async with running(app), client_for(app) as admin:
        elsewhere = await admin.post("/v1/sites", json={**HALL, "code": "310112000", "name": "闵行区政务服务中心"})
        in_file = await import_csv(admin, "code,name,level,lat,lng\n320583000,昆山市政务服务中心,district,31.38,120.98\n"
                                          "310112000,闵行区政务服务中心,district,31.11,121.38\n")
        listed = (await admin.get("/v1/sites")).json()["items"]
    unnamed = create_app(settings.model_copy(update={"districts": []}))
    async with running(unnamed), client_for(unnamed) as admin:
        none_named = await admin.post("/v1/sites", json=HALL)
        none_imported = await import_csv(admin, "code,name,level,lat,lng\n330199000,便民区政务服务中心,district,30.25,120.16\n")
    assert elsewhere.status_code == 422
    assert elsewhere.json()["errors"][0]["field"] == "code"
    assert "330199, 320583" in elsewhere.json()["errors"][0]["reason"]
    assert in_file.status_code == 422
    assert [e["field"] for e in in_file.json()["errors"]] == ["sites.1.code"]
    assert listed == []
    assert none_named.status_code == 422
    assert none_named.json()["errors"][0]["field"] == "code"
    assert "names no district" in none_named.json()["errors"][0]["reason"]
    assert none_imported.json()["errors"][0]["field"] == "sites.0.code"


BAD_FILES = {
    "a code listed twice": ("330199001,东城街道,township,330199000,30.26,120.2\n"
                            "330199001,东城街道（重复）,township,330199000,30.26,120.2\n", "sites.2.code"),
    "an unknown parent": ("330199001001,春晖社区,village,330199009,30.26,120.2\n", "sites.1.parent_code"),
    "a code of the wrong shape": ("330199B07,某街道,township,330199000,30.26,120.2\n", "sites.1.code"),
    "a village not extending its township": ("330199002001,某村,village,330199001,30.26,120.2\n"
                                             "330199001,东城街道,township,330199000,30.26,120.2\n", "sites.1.code"),
    "an outlet not extending its parent": ("330199001,东城街道,township,330199000,30.26,120.2\n"
                                           "330199002B01,某银行,bank,330199001,30.26,120.2\n", "sites.2.code"),
    "a parent of the wrong level": ("330199001,东城街道,township,330199000,30.26,120.2\n"
                                    "330199001002,某村,village,330199000,30.26,120.2\n", "sites.2.parent_code"),
    "a latitude off the Earth": ("330199001,东城街道,township,330199000,91,120.2\n", "sites.1.lat"),
    "an unknown level": ("330199001,东城街道,county,330199000,30.26,120.2\n", "sites.1.level"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
async def test_a_bad_row_names_its_row_and_field_and_nothing_is_written(app: FastAPI, case: str,
                                                                        db_backend: str) -> None:
    rows, field = BAD_FILES[case]
    text = "code,name,level,parent_code,lat,lng\n330199000,便民区政务服务中心,district,,30.25,120.16\n" + rows
    async with client_for(app) as admin:
        before = await outbox_size(app)
        refused = await import_csv(admin, text)
        listed = (await admin.get("/v1/sites", params={"include_closed": True})).json()["items"]
    assert refused.status_code == 422, refused.text
    assert field in [e["field"] for e in refused.json()["errors"]]
    assert listed == []
    assert await outbox_size(app) == before


async def test_a_json_import_upserts_and_counts_what_it_changed(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as admin:
        created = await admin.post("/v1/sites/import", json={"sites": [VILLAGE, TOWN, HALL]})
        renamed = await admin.post("/v1/sites/import", json={"sites": [
            HALL, {**TOWN, "name": "东城街道党群服务中心"}, {**VILLAGE, "code": "330199001002", "name": "和平村便民服务站"}]})
        bad = await admin.post("/v1/sites/import", json={"sites": [HALL, {**TOWN, "lat": "north"}]})
        read = (await admin.get("/v1/sites/330199001")).json()
    events = await site_events(app)
    assert created.json() == {"created": 3, "updated": 0, "unchanged": 0}
    assert renamed.json() == {"created": 1, "updated": 1, "unchanged": 1}
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "sites.1.lat"
    assert read["name"] == "东城街道党群服务中心"
    # Parents are written (and announced) before their children, whatever the order of the file.
    assert [e["code"] for e in events] == ["330199000", "330199001", "330199001001", "330199001", "330199001002"]
    assert events[3]["name"] == "东城街道党群服务中心"


async def test_a_township_may_be_named_by_its_12_digit_statistical_code(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as admin:
        await admin.post("/v1/sites", json=HALL)
        township = await admin.post("/v1/sites", json={**TOWN, "code": "330199011000", "name": "第十一街道"})
        village = await admin.post("/v1/sites", json={**VILLAGE, "code": "330199011001", "parent_code": "330199011000"})
        not_a_village = await admin.post("/v1/sites", json={**VILLAGE, "code": "330199011000",
                                                            "parent_code": "330199011"})
    assert township.status_code == 201, township.text
    assert township.json()["code"] == "330199011"
    assert village.json()["parent_code"] == "330199011"
    assert village.json()["tenant"] == "330199011"
    assert not_a_village.status_code == 422
    assert not_a_village.json()["errors"][0]["field"] == "code"


async def test_an_outlet_under_the_hall_extends_the_county_code(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as admin:
        await admin.post("/v1/sites", json=HALL)
        outlet = await admin.post("/v1/sites", json={"code": "330199B02", "name": "邮储银行便民服务点", "level": "bank",
                                                     "parent_code": "330199000", "lat": 30.25, "lng": 120.16})
        no_parent = await admin.post("/v1/sites", json={"code": "330199B03", "name": "某银行", "level": "bank",
                                                        "lat": 30.25, "lng": 120.16})
    assert outlet.status_code == 201, outlet.text
    assert outlet.json()["tenant"] == "*"
    assert no_parent.status_code == 422
    assert no_parent.json()["errors"][0]["field"] == "parent_code"


async def test_every_change_of_a_site_is_an_event(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as admin:
        await admin.post("/v1/sites", json=HALL)
        await admin.post("/v1/sites", json=TOWN)
        await admin.post("/v1/sites", json=VILLAGE)
        body = {k: v for k, v in VILLAGE.items() if k != "code"}
        renamed = await admin.put("/v1/sites/330199001001", json={**body, "name": "春晖社区党群服务站"})
        same = await admin.put("/v1/sites/330199001001", json={**body, "name": "春晖社区党群服务站"})
        closed = await admin.put("/v1/sites/330199001001", json={**body, "name": "春晖社区党群服务站", "active": False})
    events = await site_events(app)
    assert renamed.status_code == 200
    assert same.status_code == 200
    assert closed.json()["active"] is False
    assert [(e["code"], e["tenant"]) for e in events] == [
        ("330199000", "*"), ("330199001", "330199001"), ("330199001001", "330199001"),
        ("330199001001", "330199001"), ("330199001001", "330199001")]
    assert events[3]["name"] == "春晖社区党群服务站"
    assert events[3]["active"] is True
    assert events[4]["active"] is False
    assert events[2]["parent_code"] == "330199001"
    assert events[2]["level"] == "village"


async def test_a_closed_site_leaves_lists_and_map_and_takes_nothing_new(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as admin:
        await seed(admin)
        body = {k: v for k, v in VILLAGE.items() if k != "code"}
        township = {k: v for k, v in TOWN.items() if k != "code"}
        parent_open = await admin.put("/v1/sites/330199001", json={**township, "active": False})
        closed = await admin.put("/v1/sites/330199001001", json={**body, "active": False})
        listed = [s["code"] for s in (await admin.get("/v1/sites", params={"limit": 50})).json()["items"]]
        everything = (await admin.get("/v1/sites", params={"limit": 50, "include_closed": True})).json()["items"]
        read = (await admin.get("/v1/sites/330199001001")).json()
        near = (await admin.get("/v1/sites", params={"near": "30.265,120.205", "radius_km": 1})).json()["items"]
        under_closed = await admin.post("/v1/sites", json={**body, "code": "330199001001B01", "level": "bank",
                                                           "parent_code": "330199001001"})
        await admin.put("/v1/sites/330199001001/offerings",
                        json={"offerings": [{"item_code": "330199-SC-001", "channels": ["window"]}]})
        applied = await admin.post("/v1/applications", json={
            "item_code": "330199-SC-001", "site_code": "330199001001", "channel": "window",
            "applicant": {"type": "legal", "id_number": CREDIT_CODE, "name": "某公司", "phone": "13800001234"},
            "materials": [{"name": "营业执照申请书"}, {"name": "住所证明"}]})
        reopened = await admin.put("/v1/sites/330199001001", json=body)
    assert parent_open.status_code == 409
    assert parent_open.json()["code"] == "site_has_open_sites"
    assert closed.status_code == 200
    assert "330199001001" not in listed
    assert "330199001" in listed
    assert {s["code"]: s["active"] for s in everything}["330199001001"] is False
    assert read["active"] is False
    assert "330199001001" not in [s["code"] for s in near]
    assert under_closed.status_code == 422
    assert under_closed.json()["errors"][0]["field"] == "parent_code"
    assert applied.status_code == 422
    assert applied.json()["errors"][0]["field"] == "site_code"
    assert reopened.json()["active"] is True


async def test_announce_sites_emits_the_state_of_every_site(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as admin:
        await admin.post("/v1/sites/import", json={"sites": [HALL, TOWN, VILLAGE]})
        body = {k: v for k, v in VILLAGE.items() if k != "code"}
        await admin.put("/v1/sites/330199001001", json={**body, "active": False})
    before = len(await site_events(app))
    async with app.state.db.sessionmaker() as session:
        announced = await announce_sites(session)
        await session.commit()
    events = (await site_events(app))[before:]
    assert announced == 3
    assert [(e["code"], e["active"], e["tenant"]) for e in events] == [
        ("330199000", True, "*"), ("330199001", True, "330199001"), ("330199001001", False, "330199001")]


async def test_the_registrys_digest_is_the_one_every_copy_computes_from_the_announced_sites(
        app: FastAPI, db_backend: str) -> None:
    async with client_for(app, ANONYMOUS) as anyone:
        empty = (await anyone.get("/v1/site-registry")).json()
    async with client_for(app) as admin:
        await admin.post("/v1/sites/import", json={"sites": [HALL, TOWN, VILLAGE]})
        body = {k: v for k, v in VILLAGE.items() if k != "code"}
        await admin.put("/v1/sites/330199001001", json={**body, "active": False})
    async with client_for(app, ANONYMOUS) as anyone:
        state = (await anyone.get("/v1/site-registry")).json()
    # A copy that applied the announced events holds the open sites only, as the digest counts them.
    latest = {e["code"]: e for e in await site_events(app)}
    copy = [KnownSite(code=e["code"], name=e["name"], level=e["level"], parent_code=e["parent_code"], tenant=e["tenant"])
            for e in latest.values() if e["active"]]
    assert empty["sites"] == 0
    assert state == {"sites": 2, "digest": registry_digest(copy)}


def test_the_command_line_imports_a_site_file_into_the_database(settings: CatalogSettings, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("bianmin.kit.cli.configure_logging", lambda *args, **kwargs: None)  # keep pytest's handlers
    monkeypatch.setenv("BIANMIN_CATALOG_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("BIANMIN_CATALOG_DISTRICTS", "320583")
    good, bad = tmp_path / "kunshan.csv", tmp_path / "bad.json"
    good.write_text(SECOND_DISTRICT_CSV, encoding="utf-8")
    bad.write_text(json.dumps({"sites": [{**HALL, "code": "320583000"}, {**TOWN, "code": "320583B01"}]}), encoding="utf-8")
    main(["sites", "import", str(good)])
    first = capsys.readouterr().out
    with pytest.raises(SystemExit) as refused:
        main(["sites", "import", str(bad)])
    problems = capsys.readouterr().err

    async def read() -> list[dict[str, Any]]:
        app = create_app(settings)
        async with running(app), client_for(app) as client:
            return (await client.get("/v1/sites", params={"limit": 50})).json()["items"]

    listed = asyncio.run(read())
    assert "created 5, updated 0, unchanged 0" in first
    assert refused.value.code == 1
    assert "sites.1.code" in problems
    assert sorted(s["code"] for s in listed) == ["320583000", "320583011", "320583011001", "320583011B01",
                                                 "320583011B01T01"]
