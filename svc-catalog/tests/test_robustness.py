"""Nothing a client sends produces a 500: every write route against malformed bodies and odd paths."""

import re

from catalog_factories import seed
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
