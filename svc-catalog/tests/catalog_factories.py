"""Factories for the catalog's tests: departments, sites and items through the public API."""

from __future__ import annotations

from typing import Any

import httpx

from bianmin.kit.identifiers import with_resident_id_check, with_uscc_check
from bianmin.kit.identity import Principal
from bianmin.kit.subjects import Subject
from bianmin.testing.client import person

TOWNSHIP = Principal(key_id="key-t1", tenant="330199001", scopes=frozenset({"catalog:write", "catalog:admin"}))
OTHER_TOWNSHIP = Principal(key_id="key-t2", tenant="330199002", scopes=frozenset({"catalog:write", "catalog:admin"}))
CLERK = Principal(key_id="key-clerk", tenant="*", scopes=frozenset({"catalog:write"}))
HALL, TOWN = "330199000", "330199001"
# People (issue 19): the item's department is SCJG; the district hall and the first township each have their staff.
HALL_ACCEPTOR = person("staff", "acceptor", site=HALL, department="SCJG")
HALL_APPROVER = person("staff", "approver", site=HALL, department="SCJG")
TOWN_ACCEPTOR = person("staff", "acceptor", site=TOWN, department="SCJG")
TOWN_APPROVER = person("staff", "approver", site=TOWN, department="SCJG")


def citizen(ident: str = "zhang") -> Principal:
    """A citizen signed in through the platform's portal (an app of every scope, district-wide)."""
    return Principal(key_id="app-portal", tenant="*", scopes=frozenset({"catalog:read", "catalog:write"}),
                     subject=Subject(kind="citizen", id=f"citizen-{ident}"))


RESIDENT_ID = with_resident_id_check("33019919850312002")
CREDIT_CODE = with_uscc_check("91330199MA0000001")

SITES: list[dict[str, Any]] = [
    {"code": "330199000", "name": "便民区政务服务中心", "level": "district", "lat": 30.2500, "lng": 120.1600},
    {"code": "330199001", "name": "东城街道便民服务中心", "level": "township", "parent_code": "330199000",
     "lat": 30.2600, "lng": 120.2000},
    {"code": "330199002", "name": "西湖镇便民服务中心", "level": "township", "parent_code": "330199000",
     "lat": 30.2000, "lng": 120.0500},
    {"code": "330199001001", "name": "东城街道春晖社区便民服务站", "level": "village", "parent_code": "330199001",
     "lat": 30.2650, "lng": 120.2050},
    {"code": "330199001B01", "name": "农商银行东城支行", "level": "bank", "parent_code": "330199001",
     "lat": 30.2610, "lng": 120.1980},
]


def item_body(code: str = "330199-SC-001", name: str = "企业营业执照设立登记", **extra: Any) -> dict[str, Any]:
    """A valid item creation body."""
    body: dict[str, Any] = {
        "code": code, "basic_code": "000105001000", "name": name, "aliases": ["开公司"], "keywords": ["营业执照"],
        "type": "licensing", "department_code": "SCJG", "target_group": "legal", "exercise_level": "district",
        "legal_limit_days": 20, "promised_limit_days": 3, "fee": "0.00",
        "materials": [{"name": "营业执照申请书", "required": True},
                      {"name": "住所证明", "required": True, "e_licence": True},
                      {"name": "章程", "required": False}],
        "channels": ["online", "window", "bank_terminal"],
    }
    body.update(extra)
    return body


async def seed(client: httpx.AsyncClient, *, publish: bool = True) -> None:
    """Two departments, the sites above, one published item offered at the hall and a township."""
    for code, name in (("SCJG", "区市场监督管理局"), ("GAJ", "区公安分局")):
        assert (await client.put(f"/v1/departments/{code}", json={"code": code, "name": name})).status_code in (200, 201)
    for site in SITES:
        response = await client.post("/v1/sites", json=site)
        assert response.status_code == 201, response.text
    response = await client.post("/v1/items", json=item_body())
    assert response.status_code == 201, response.text
    if publish:
        assert (await client.post("/v1/items/330199-SC-001/status", json={"status": "published"})).status_code == 200
    for site, channels in (("330199000", ["online", "window"]), ("330199001", ["window"]),
                           ("330199001B01", ["bank_terminal"])):
        response = await client.put(f"/v1/sites/{site}/offerings",
                                    json={"offerings": [{"item_code": "330199-SC-001", "channels": channels}]})
        assert response.status_code == 200, response.text
