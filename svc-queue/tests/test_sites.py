"""Halls stand at sites of the district's registry (issue 20), never at codes a pattern allows.

The test databases start with the demo district's registry (hall 330199000, townships 330199001–010,
their villages, bank outlets 330199B01–B10); other sites are put in as the catalog's events would.
"""

import httpx
from fastapi import FastAPI
from queue_factories import register_site

from bianmin.testing.client import client_for


async def open_hall(client: httpx.AsyncClient, code: str) -> httpx.Response:
    return await client.post("/v1/halls", json={"code": code, "name": f"大厅{code}"})


def refused_field(response: httpx.Response) -> tuple[int, str, str]:
    problem = response.json()
    return response.status_code, problem["errors"][0]["field"], problem["errors"][0]["reason"]


async def test_a_hall_opens_at_any_open_hall_site_of_the_registry(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        eleventh = await open_hall(client, "330199011")
        await register_site(app, "330199011", "新城街道便民服务中心", "township", "330199000", tenant="330199011")
        registered = await open_hall(client, "330199011")
        village = await open_hall(client, "330199001001")
        outlet = await open_hall(client, "330199B01")
        district = await open_hall(client, "330199000")
    status, field, reason = refused_field(eleventh)
    assert (status, field) == (422, "code")
    assert "registry" in reason
    for opened in (registered, village, outlet, district):
        assert opened.status_code == 201, opened.text
    assert village.json()["tenant"] == "330199001001"


async def test_a_terminal_a_closed_site_or_an_unknown_code_is_no_hall(app: FastAPI, db_backend: str) -> None:
    await register_site(app, "330199001T01", "东城街道自助终端1号", "terminal", "330199001", tenant="330199001")
    await register_site(app, "330199009003", "梅岭村便民服务站（已撤并）", "village", "330199009", tenant="330199009",
                        active=False)
    async with client_for(app) as client:
        terminal = await open_hall(client, "330199001T01")
        closed = await open_hall(client, "330199009003")
        unknown = await open_hall(client, "330199012")
        elsewhere = await open_hall(client, "320583011")
    status, field, reason = refused_field(terminal)
    assert (status, field) == (422, "code")
    assert "terminal" in reason
    for refused in (closed, unknown, elsewhere):
        status, field, reason = refused_field(refused)
        assert (status, field) == (422, "code"), refused.text
        assert "registry" in reason


async def test_a_ticket_names_a_hall_site_of_the_registry(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        unregistered = await client.post("/v1/tickets", json={"hall_code": "330199012", "line": "A"})
        registered_without_hall = await client.post("/v1/tickets", json={"hall_code": "330199005", "line": "A"})
    status, field, reason = refused_field(unregistered)
    assert (status, field) == (422, "hall_code")
    assert "registry" in reason
    assert (registered_without_hall.status_code, registered_without_hall.json()["code"]) == (404, "hall_not_found")
