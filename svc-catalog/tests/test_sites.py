"""Sites, delegation and the service map; departments."""

import pytest
from catalog_factories import OTHER_TOWNSHIP, TOWNSHIP, seed
from fastapi import FastAPI

from bianmin.catalog.domain.sites import bounding_box, haversine_km, parse_point
from bianmin.kit.errors import Unprocessable
from bianmin.kit.identity import ANONYMOUS
from bianmin.testing.client import client_for


def test_haversine_matches_a_known_distance() -> None:
    # Beijing (39.9042, 116.4074) to Shanghai (31.2304, 121.4737): about 1067 km.
    assert haversine_km(39.9042, 116.4074, 31.2304, 121.4737) == pytest.approx(1067, abs=3)


def test_the_bounding_box_contains_the_circle() -> None:
    south, north, west, east = bounding_box(30.0, 120.0, 10)
    assert haversine_km(30.0, 120.0, north, 120.0) == pytest.approx(10, rel=1e-3)
    assert haversine_km(30.0, 120.0, 30.0, east) >= 10 - 1e-6
    assert south < 30 < north
    assert west < 120 < east


@pytest.mark.parametrize("text", ["91,120", "30,181", "abc", "30", "30,120,1", "nan,120"])
def test_a_point_off_the_earth_is_refused(text: str) -> None:
    with pytest.raises(Unprocessable) as caught:
        parse_point(text)
    assert caught.value.errors is not None
    assert caught.value.errors[0].field == "near"


async def test_the_service_map_lists_the_nearest_sites_offering_an_item(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as admin:
        await seed(admin)
    async with client_for(app, ANONYMOUS) as public:
        near = await public.get("/v1/sites", params={"near": "30.2609,120.1985", "item": "330199-SC-001"})
        small = await public.get("/v1/sites", params={"near": "30.2609,120.1985", "item": "330199-SC-001",
                                                      "radius_km": 1})
        bad = await public.get("/v1/sites", params={"near": "95,120"})
        bad_lng = await public.get("/v1/sites", params={"near": "30,-200"})
        unknown = await public.get("/v1/sites", params={"near": "30,120", "item": "NOPE"})
        no_point = await public.get("/v1/sites", params={"item": "330199-SC-001"})
        everything = await public.get("/v1/sites", params={"limit": 2})
        rest = await public.get("/v1/sites", params={"limit": 10, "cursor": everything.json()["next_cursor"]})
    found = near.json()["items"]
    assert [s["code"] for s in found] == ["330199001B01", "330199001", "330199000"]
    assert found[0]["distance_km"] < found[1]["distance_km"] < found[2]["distance_km"]
    assert [s["code"] for s in small.json()["items"]] == ["330199001B01", "330199001"]
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "near"
    assert bad_lng.status_code == 422
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "item"
    assert no_point.status_code == 422
    assert len(everything.json()["items"]) == 2
    assert len(rest.json()["items"]) == 3


async def test_site_codes_parents_and_tenants_follow_the_district_scheme(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as admin:
        await seed(admin)
        village = await admin.get("/v1/sites/330199001001")
        bank = await admin.get("/v1/sites/330199001B01")
        wrong_shape = await admin.post("/v1/sites", json={"code": "330199001B01X", "name": "x", "level": "bank",
                                                          "lat": 30, "lng": 120})
        wrong_parent = await admin.post("/v1/sites", json={"code": "330199002001", "name": "某村", "level": "village",
                                                           "parent_code": "330199001", "lat": 30, "lng": 120})
        orphan = await admin.post("/v1/sites", json={"code": "330199002002", "name": "某村", "level": "village",
                                                     "lat": 30, "lng": 120})
        taken = await admin.post("/v1/sites", json={"code": "330199001", "name": "x", "level": "township",
                                                    "parent_code": "330199000", "lat": 30, "lng": 120})
        bad_lat = await admin.post("/v1/sites", json={"code": "330199003", "name": "x", "level": "township",
                                                      "lat": 91, "lng": 120})
        missing = await admin.get("/v1/sites/330199009")
    assert village.json()["tenant"] == "330199001"
    assert bank.json()["tenant"] == "330199001"
    assert wrong_shape.status_code == 422
    assert wrong_shape.json()["errors"][0]["field"] == "code"
    assert wrong_parent.status_code == 422
    assert wrong_parent.json()["errors"][0]["field"] == "code"
    assert orphan.status_code == 422
    assert orphan.json()["errors"][0]["field"] == "parent_code"
    assert taken.status_code == 409
    assert bad_lat.status_code == 422
    assert bad_lat.json()["errors"][0]["field"] == "lat"
    assert missing.status_code == 404


async def test_a_site_code_is_normalised_before_the_district_scheme_checks_it(app: FastAPI, db_backend: str) -> None:
    # The kit's SiteCode drops the blanks and upper-cases: a lowercase outlet code, refused before, is that outlet.
    async with client_for(app) as admin:
        await seed(admin)
        created = await admin.post("/v1/sites", json={"code": " 330199002b01 ", "name": "农商银行西湖支行", "level": "bank",
                                                      "parent_code": "330199002", "lat": 30.2, "lng": 120.05})
        read = await admin.get("/v1/sites/330199002B01")
    assert created.status_code == 201, created.text
    assert created.json()["code"] == "330199002B01"
    assert read.json()["tenant"] == "330199002"


async def test_a_township_key_edits_its_own_sites_only(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as admin:
        await seed(admin)
    body = {"name": "春晖社区便民服务站", "level": "village", "parent_code": "330199001", "lat": 30.27, "lng": 120.21,
            "opening_hours": "周一至周五 8:30-17:00"}
    async with client_for(app, TOWNSHIP) as own:
        allowed = await own.put("/v1/sites/330199001001", json=body)
        offerings = await own.put("/v1/sites/330199001001/offerings",
                                  json={"offerings": [{"item_code": "330199-SC-001", "channels": ["window"]}]})
        wrong_channel = await own.put("/v1/sites/330199001001/offerings",
                                      json={"offerings": [{"item_code": "330199-SC-001", "channels": ["kiosk"]}]})
        unknown_item = await own.put("/v1/sites/330199001001/offerings",
                                     json={"offerings": [{"item_code": "NOPE", "channels": ["window"]}]})
        new_level = await own.put("/v1/sites/330199001001", json={**body, "level": "township"})
    async with client_for(app, OTHER_TOWNSHIP) as other:
        refused = await other.put("/v1/sites/330199001001", json=body)
        refused_create = await other.post("/v1/sites", json={"code": "330199001002", "name": "x", "level": "village",
                                                             "parent_code": "330199001", "lat": 30, "lng": 120})
    async with client_for(app, ANONYMOUS) as public:
        listed = await public.get("/v1/sites/330199001001/offerings")
    assert allowed.status_code == 200
    assert allowed.json()["opening_hours"].startswith("周一")
    assert offerings.status_code == 200
    assert wrong_channel.status_code == 422
    assert wrong_channel.json()["errors"][0]["field"] == "offerings.0.channels"
    assert unknown_item.status_code == 422
    assert unknown_item.json()["errors"][0]["field"] == "offerings.0.item_code"
    assert new_level.status_code == 422
    assert refused.status_code == 403
    assert refused_create.status_code == 403
    assert listed.json() == {"offerings": [{"item_code": "330199-SC-001", "channels": ["window"]}]}


async def test_departments_are_public_and_renamed_in_place(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as admin:
        created = await admin.put("/v1/departments/SCJG", json={"code": "SCJG", "name": "市场监管局"})
        renamed = await admin.put("/v1/departments/SCJG", json={"code": "SCJG", "name": "区市场监督管理局"})
        mismatch = await admin.put("/v1/departments/SCJG", json={"code": "GAJ", "name": "x"})
    async with client_for(app, ANONYMOUS) as public:
        listed = await public.get("/v1/departments")
        refused = await public.put("/v1/departments/X", json={"code": "X", "name": "x"})
    assert created.status_code == 201
    assert renamed.status_code == 200
    assert mismatch.status_code == 422
    assert listed.json() == [{"code": "SCJG", "name": "区市场监督管理局"}]
    assert refused.status_code == 401
