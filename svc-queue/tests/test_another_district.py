"""The hall story in a second district beside the demo one (issue 20): sites are data, no district is coded.

The registry holds a second county (320583, its township numbered 011, above the demo's ten) as the
catalog's ``catalog.site.changed`` events would put it there; the names are made up for the test.
"""

from fastapi import FastAPI
from queue_factories import HALL, call, make_hall, register_site, take

from bianmin.kit.identity import Principal
from bianmin.testing.client import client_for

DISTRICT = "320583000"
TOWNSHIP = "320583011"
UNREGISTERED = "320583012"
# A key of the second district's township: it runs its own hall and nobody else's.
TOWNSHIP_KEY = Principal(key_id="k-320583011", tenant=TOWNSHIP,
                         scopes=frozenset({"queue:manage", "queue:write", "queue:serve", "queue:read"}))


async def test_a_hall_opens_and_serves_in_another_district_beside_the_demo_one(app: FastAPI, db_backend: str) -> None:
    await register_site(app, DISTRICT, "示例市政务服务中心", "district", None, tenant="*")
    await register_site(app, TOWNSHIP, "示例市第十一街道便民服务中心", "township", DISTRICT, tenant=TOWNSHIP)
    async with client_for(app) as admin:
        demo_hall = await make_hall(admin)
        demo_ticket = await take(admin)
    async with client_for(app, TOWNSHIP_KEY) as client:
        opened = await client.post("/v1/halls", json={"code": TOWNSHIP})
        line = await client.post(f"/v1/halls/{TOWNSHIP}/lines", json={"prefix": "A", "name": "综合受理"})
        counter = await client.post(f"/v1/halls/{TOWNSHIP}/counters", json={
            "number": 1, "state": "open", "staff_name": "李娜", "lines": [{"line": "A", "weight": 1}]})
        ticket = await take(client, "A", TOWNSHIP)
        called = await call(client, counter.json()["id"])
        board = (await client.get(f"/v1/halls/{TOWNSHIP}/board")).json()
        demo_district = await client.post("/v1/tickets", json={"hall_code": HALL, "line": "A"})
    async with client_for(app) as admin:
        unregistered = await admin.post("/v1/halls", json={"code": UNREGISTERED, "name": "未登记街道"})
        unregistered_ticket = await admin.post("/v1/tickets", json={"hall_code": UNREGISTERED, "line": "A"})
        halls = [h["code"] for h in (await admin.get("/v1/halls")).json()]
        demo_called = await call(admin, demo_hall["counters"][1])
    assert opened.status_code == 201, opened.text
    assert opened.json()["name"] == "示例市第十一街道便民服务中心"
    assert line.status_code == 201
    assert counter.status_code == 201
    assert (ticket["hall_code"], ticket["number"]) == (TOWNSHIP, "A001")
    assert called["ticket"]["id"] == ticket["id"]
    assert called["announcement"] == "请A001号到1号窗口办理"
    assert board["hall_name"] == "示例市第十一街道便民服务中心"
    assert (demo_district.status_code, demo_district.json()["code"]) == (403, "tenant_mismatch")
    for refused, field in ((unregistered, "code"), (unregistered_ticket, "hall_code")):
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == field
    assert halls == [TOWNSHIP, HALL]
    assert demo_called["ticket"]["id"] == demo_ticket["id"]
