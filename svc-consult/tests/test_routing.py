"""Routing by item, by the asker's choice and by keyword rules; rules and departments as data."""

from datetime import UTC, datetime

from consult_factories import ADMIN, ask, seed_departments, staff
from fastapi import FastAPI

from bianmin.consult.domain.routing import best_rule, upsert_item
from bianmin.consult.models import ItemRoute, RoutingRule
from bianmin.kit.identity import ANONYMOUS
from bianmin.testing.client import client_for


def rule(id_: int, keyword: str, department: str, priority: int = 0, active: bool = True) -> RoutingRule:
    """An unsaved rule for the pure matcher."""
    return RoutingRule(id=id_, keyword=keyword, department_code=department, priority=priority, active=active)


def test_the_strongest_then_longest_then_oldest_rule_wins() -> None:
    rules = [rule(1, "社保", "RSJ"), rule(2, "医保", "YBJ", priority=5), rule(3, "社保卡", "YBJ"),
             rule(4, "社保", "GAJ"), rule(5, "医保", "SCJ", priority=9, active=False)]
    assert best_rule(rules, "我的社保卡丢了").department_code == "YBJ"
    assert best_rule(rules, "社保转移").department_code == "RSJ"
    assert best_rule(rules, "社保和医保一起问").department_code == "YBJ"
    assert best_rule(rules, "公积金提取") is None


async def test_an_older_item_revision_never_overwrites_a_newer_one(app: FastAPI) -> None:
    now = datetime.now(UTC)
    async with app.state.db.sessionmaker() as session:
        await upsert_item(session, code="I-1", name="新名称", department_code="SCJ", status="published",
                          revision=3, now=now)
        await upsert_item(session, code="I-1", name="旧名称", department_code="RSJ", status="published",
                          revision=2, now=now)
        await session.commit()
        item = await session.get(ItemRoute, "I-1")
    assert item is not None
    assert (item.name, item.department_code, item.revision) == ("新名称", "SCJ", 3)


async def test_keyword_rules_route_questions_and_operators_edit_them(app: FastAPI) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        created = await admin.post("/v1/routing-rules", json={"keyword": "公积金", "department_code": "ZJJ", "priority": 3})
        unknown = await admin.post("/v1/routing-rules", json={"keyword": "户口", "department_code": "GAJ"})
        routed = await ask(public, title="公积金提取", body="租房可以提取公积金吗？")
        chosen = await ask(public, title="公积金提取", body="租房可以提取公积金吗？", department_code="RSJ")
        moved = await admin.patch(f"/v1/routing-rules/{created.json()['id']}", json={"department_code": "RSJ"})
        nulled = await admin.patch(f"/v1/routing-rules/{created.json()['id']}", json={"keyword": None})
        rerouted = await ask(public, title="公积金提取", body="租房可以提取公积金吗？")
        listed = (await admin.get("/v1/routing-rules")).json()
        deleted = await admin.delete(f"/v1/routing-rules/{created.json()['id']}")
        gone = await admin.delete(f"/v1/routing-rules/{created.json()['id']}")
        triaged = await ask(public, title="公积金提取", body="租房可以提取公积金吗？")
        async with client_for(app, staff("ZJJ")) as clerk:
            refused = await clerk.post("/v1/routing-rules", json={"keyword": "房", "department_code": "ZJJ"})
    assert created.status_code == 201
    assert unknown.status_code == 422
    assert routed["department_code"] == "ZJJ"
    assert chosen["department_code"] == "RSJ"
    assert moved.json()["department_code"] == "RSJ"
    assert nulled.status_code == 422
    assert rerouted["department_code"] == "RSJ"
    assert [r["keyword"] for r in listed] == ["公积金"]
    assert deleted.status_code == 204
    assert gone.status_code == 404
    assert triaged["status"] == "open"
    assert refused.status_code == 403


async def test_departments_are_public_to_read_and_admin_to_edit(app: FastAPI) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        itself = await admin.put("/v1/departments/SCJ", json={"name": "市场监管局", "supervisor_code": "SCJ"})
        bad_code = await admin.put("/v1/departments/scj", json={"name": "市场监管局"})
        listed = (await public.get("/v1/departments")).json()
        refused = await public.put("/v1/departments/XXJ", json={"name": "某局"})
        await admin.put("/v1/departments/ZJJ", json={"name": "住建局", "active": False})
        inactive = await public.post("/v1/consultations", json={
            "title": "问题", "body": "内容内容", "contact_name": "李四", "department_code": "ZJJ"})
    assert itself.status_code == 422
    assert bad_code.status_code == 422
    assert {d["code"] for d in listed} == {"SCJ", "RSJ", "DCS", "ZJJ"}
    assert refused.status_code == 401
    assert inactive.status_code == 422


async def test_hostile_input_gets_4xx_never_500(app: FastAPI) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        receipt = await ask(public, department_code="SCJ")
        answers = [
            await public.post("/v1/consultations", json={"title": "问题\x00", "body": "内容内容", "contact_name": "李四"}),
            await admin.get("/v1/consultations/not-an-id"),
            await admin.get("/v1/consultations/" + "0" * 32),
            await admin.get("/v1/consultations", params={"cursor": "bm90LWEtY3Vyc29y"}),
            await admin.get("/v1/consultations", params={"cursor": "WyIyMDI2LTA5LTI4VDEwOjAwOjAwIiwiYSJd"}),
            await admin.get("/v1/consultations", params={"department": "x\x00"}),
            await admin.get("/v1/kb/articles", params={"cursor": "W10"}),
            await admin.post(f"/v1/consultations/{receipt['id']}/answer", content=b"{not json"),
            await admin.post(f"/v1/consultations/{receipt['id']}/extensions/{'f' * 32}/approve"),
            await public.get("/v1/kb/suggest", params={"q": "\x00\x01"}),
            await public.get("/v1/consultations/track/%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00"),
        ]
    assert [a.status_code for a in answers] == [422, 422, 404, 422, 422, 422, 422, 422, 404, 422, 404]
    assert all(a.headers["content-type"] == "application/problem+json" for a in answers)


async def test_lists_page_with_cursors(app: FastAPI) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        made = [(await ask(public, department_code="SCJ"))["id"] for _ in range(5)]
        first = (await admin.get("/v1/consultations", params={"limit": 2})).json()
        second = (await admin.get("/v1/consultations", params={"limit": 2, "cursor": first["next_cursor"]})).json()
        third = (await admin.get("/v1/consultations", params={"limit": 2, "cursor": second["next_cursor"]})).json()
    seen = [c["id"] for page in (first, second, third) for c in page["items"]]
    assert sorted(seen) == sorted(made)
    assert len(set(seen)) == 5
    assert third["next_cursor"] is None


async def test_a_rule_id_past_the_database_integer_range_is_422_not_500(app: FastAPI) -> None:
    # Found by the schemathesis run (tests/test_fuzz.py): 2**63 overflowed SQLite's integer and answered 500.
    async with client_for(app, ADMIN) as admin:
        for method in ("PATCH", "DELETE"):
            response = await admin.request(method, f"/v1/routing-rules/{2**63}", json={"priority": 1})
            assert response.status_code == 422, response.text
            assert response.json()["errors"][0]["field"] == "rule_id"
