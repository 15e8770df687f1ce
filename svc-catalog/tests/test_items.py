"""Items over HTTP: creation rules, revisions, the status flow and who may do what."""

import pytest
from catalog_factories import CLERK, TOWNSHIP, item_body, seed
from fastapi import FastAPI

from bianmin.catalog.domain.items import check_limits, check_transition
from bianmin.kit.errors import Conflict, Unprocessable
from bianmin.kit.identity import ANONYMOUS
from bianmin.testing.client import client_for


def test_the_promised_limit_may_not_exceed_the_legal_one() -> None:
    check_limits(20, 20)
    with pytest.raises(Unprocessable) as caught:
        check_limits(5, 6)
    assert caught.value.errors is not None
    assert caught.value.errors[0].field == "promised_limit_days"


def test_a_withdrawn_item_goes_nowhere() -> None:
    check_transition("draft", "published")
    check_transition("suspended", "published")
    for current, target in (("withdrawn", "published"), ("draft", "suspended"), ("published", "draft")):
        try:
            check_transition(current, target)
        except Conflict:
            continue
        raise AssertionError(f"{current} -> {target} was allowed")


async def test_creating_an_item_checks_its_fields(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        await seed(client)
        too_long = await client.post("/v1/items", json=item_body("X-1", promised_limit_days=30))
        no_dept = await client.post("/v1/items", json=item_body("X-2", department_code="NOPE"))
        duplicate = await client.post("/v1/items", json=item_body())
        bad_fee = await client.post("/v1/items", json=item_body("X-3", fee="-1"))
        float_fee = await client.post("/v1/items", json=item_body("X-4", fee="1.234"))
        bad_channel = await client.post("/v1/items", json=item_body("X-5", channels=["fax"]))
        twice = await client.post("/v1/items", json=item_body("X-6", channels=["online", "online"]))
        unknown = await client.post("/v1/items", json=item_body("X-7", colour="red"))
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "promised_limit_days"
    assert no_dept.status_code == 422
    assert no_dept.json()["errors"][0]["field"] == "department_code"
    assert duplicate.status_code == 409
    for response, field in ((bad_fee, "fee"), (float_fee, "fee"), (bad_channel, "channels.0"), (twice, "channels"),
                            (unknown, "colour")):
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == field
        assert response.headers["content-type"] == "application/problem+json"


async def test_every_change_is_a_revision_and_the_history_is_readable(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        await seed(client)
        changed = await client.patch("/v1/items/330199-SC-001", json={"fee": "12.50", "promised_limit_days": 2})
        refused = await client.patch("/v1/items/330199-SC-001", json={"promised_limit_days": 21})
        nulled = await client.patch("/v1/items/330199-SC-001", json={"name": None})
        history = await client.get("/v1/items/330199-SC-001/revisions")
    assert changed.status_code == 200
    assert changed.json()["fee"] == "12.50"
    assert changed.json()["revision"] == 3
    assert refused.status_code == 422
    assert nulled.status_code == 422
    revisions = history.json()
    assert [r["revision"] for r in revisions] == [3, 2, 1]
    assert [r["change"] for r in revisions] == ["updated", "published", "created"]
    assert revisions[2]["snapshot"]["fee"] == "0.00"
    assert revisions[0]["snapshot"]["fee"] == "12.50"
    assert revisions[0]["changed_by"] == "key-admin"


async def test_the_status_flow_answers_409_for_a_forbidden_move(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        await seed(client)
        suspended = await client.post("/v1/items/330199-SC-001/status", json={"status": "suspended"})
        async with client_for(app, ANONYMOUS) as public:
            hidden = await public.get("/v1/items/330199-SC-001")
        withdrawn = await client.post("/v1/items/330199-SC-001/status", json={"status": "withdrawn"})
        again = await client.post("/v1/items/330199-SC-001/status", json={"status": "published"})
        frozen = await client.patch("/v1/items/330199-SC-001", json={"fee": "1"})
        missing = await client.post("/v1/items/NOPE/status", json={"status": "published"})
    assert suspended.json()["status"] == "suspended"
    assert withdrawn.json()["status"] == "withdrawn"
    assert again.status_code == 409
    assert again.json()["code"] == "transition_forbidden"  # the kit's one spelling (was item_status_forbidden)
    assert frozen.status_code == 409
    assert missing.status_code == 404
    assert hidden.status_code == 404


async def test_the_public_reads_published_items_only(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as admin:
        await seed(admin, publish=False)
        async with client_for(app, ANONYMOUS) as public:
            draft = await public.get("/v1/items/330199-SC-001")
            drafts = await public.get("/v1/items", params={"status": "draft"})
            await admin.post("/v1/items/330199-SC-001/status", json={"status": "published"})
            published = await public.get("/v1/items/330199-SC-001")
            listed = await public.get("/v1/items", params={"site": "330199001B01", "channel": "bank_terminal"})
            elsewhere = await public.get("/v1/items", params={"site": "330199002"})
            no_site = await public.get("/v1/items", params={"site": "330199999"})
            history = await public.get("/v1/items/330199-SC-001/revisions")
    assert draft.status_code == 404
    assert drafts.status_code == 403
    assert published.status_code == 200
    assert published.json()["materials"][1]["e_licence"] is True
    assert [i["code"] for i in listed.json()["items"]] == ["330199-SC-001"]
    assert elsewhere.json()["items"] == []
    assert no_site.status_code == 422
    assert no_site.json()["errors"][0]["field"] == "site"
    assert history.status_code == 401


async def test_only_district_catalog_administrators_change_items(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as admin:
        await seed(admin)
    async with client_for(app, CLERK) as clerk:
        no_scope = await clerk.post("/v1/items", json=item_body("Y-1"))
    async with client_for(app, TOWNSHIP) as township:
        not_district = await township.patch("/v1/items/330199-SC-001", json={"fee": "1"})
    assert no_scope.status_code == 403
    assert no_scope.json()["code"] == "scope_missing"
    assert not_district.status_code == 403
    assert not_district.json()["code"] == "district_only"


async def test_an_item_create_is_idempotent(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        await seed(client)
        headers = {"Idempotency-Key": "create-y2"}
        first = await client.post("/v1/items", json=item_body("Y-2"), headers=headers)
        replay = await client.post("/v1/items", json=item_body("Y-2"), headers=headers)
        other = await client.post("/v1/items", json=item_body("Y-3"), headers=headers)
    assert first.status_code == 201
    assert replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert other.status_code == 422
