"""Nothing a client sends produces a 500: every write route against malformed bodies and odd paths."""

import re

from catalog_factories import CREDIT_CODE, item_body, seed
from fastapi import FastAPI
from fastapi.routing import APIRoute

from bianmin.testing.client import client_for

BODIES = [None, "not json", [], {"unexpected": True}, {"code": "A" * 300, "name": None}]


async def test_malformed_requests_get_4xx_problems_never_500(app: FastAPI, db_backend: str) -> None:
    routes = [r for r in app.routes if isinstance(r, APIRoute) and r.path.startswith("/v1")]
    async with client_for(app) as client:
        await seed(client)
        for route in routes:
            for method in route.methods - {"HEAD", "OPTIONS"}:
                for filler in ("330199-SC-001", "2147483648", "x" * 300, "2025-13-45"):
                    path = re.sub(r"\{[^}]+\}", filler, route.path)
                    for body in BODIES if method != "GET" else [None]:
                        kwargs = {"content": body} if isinstance(body, str) else {"json": body} if body is not None else {}
                        response = await client.request(method, path, **kwargs)
                        assert response.status_code < 500, (method, path, body, response.text)
        long_department = await client.put(f"/v1/departments/{'D' * 41}", json={"code": "D" * 41, "name": "x"})
    assert long_department.status_code == 422


async def test_a_control_character_in_any_body_field_is_a_422_naming_it(app: FastAPI, db_backend: str) -> None:
    # PostgreSQL cannot store NUL (it was a 500 there); RequestBody refuses it and the other controls at any depth,
    # naming the top-level field and, for a nested one, where inside it.
    async with client_for(app) as client:
        await seed(client)
        answers = {
            ("name", ""): await client.put("/v1/departments/SCJG", json={"code": "SCJG", "name": "市场\x00监管局"}),
            ("materials", "[0].name"): await client.post("/v1/items", json=item_body("C-1", materials=[{"name": "申请书\x07"}])),
            ("applicant", "name"): await client.post("/v1/applications", json={
                "item_code": "330199-SC-001", "site_code": "330199000", "channel": "window",
                "applicant": {"type": "legal", "id_number": CREDIT_CODE, "name": "某\x1b公司", "phone": "13800001234"}}),
            ("rows.1.name", ""): await client.post("/v1/catalog/import/csv",
                                                   content="code,name\n330199-SC-001,事项\x00\n".encode()),
        }
    for (field, inside), response in answers.items():
        assert response.status_code == 422, (field, response.text)
        error = response.json()["errors"][0]
        assert error["field"] == field, (field, response.text)
        assert "control characters" in error["reason"]
        assert inside in error["reason"]
