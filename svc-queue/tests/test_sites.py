"""Halls stand at sites of the district's registry (issue 20), never at codes a pattern allows.

The test databases start with the demo district's registry (hall 330199000, townships 330199001–010,
their villages, bank outlets 330199B01–B10); other sites are put in as the catalog's events would.
"""

from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI
from queue_factories import HALL, call, deliver, make_hall, register_site, resident_id, take

from bianmin.contracts.events.catalog import SiteChanged
from bianmin.kit.clock import FixedClock
from bianmin.kit.site_registry import find_site
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
    await register_site(app, "330199001001B01", "春晖社区农商银行便民点", "bank", "330199001001", tenant="330199001")
    async with client_for(app) as client:
        terminal = await open_hall(client, "330199001T01")
        village_outlet = await open_hall(client, "330199001001B01")
        closed = await open_hall(client, "330199009003")
        unknown = await open_hall(client, "330199012")
        elsewhere = await open_hall(client, "320583011")
    status, field, reason = refused_field(terminal)
    assert (status, field) == (422, "code")
    assert "terminal" in reason
    assert refused_field(village_outlet) == (422, "code", "a hall's code has at most 12 characters")
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


def township(name: str, at: datetime, *, active: bool = True) -> SiteChanged:
    """The catalog's announcement of the hall's township, as renamed, closed or reopened at ``at``."""
    return SiteChanged(code=HALL, name=name, level="township", parent_code="330199000", tenant=HALL, active=active,
                       updated_at=at)


async def announce(app: FastAPI, clock: FixedClock, site: SiteChanged) -> None:
    """The catalog's ``catalog.site.changed``, as the queue's consumer applies it."""
    await deliver(app, clock, "catalog.site.changed", site)


async def test_a_renamed_site_renames_its_hall_and_an_older_announcement_changes_nothing(
        app: FastAPI, clock: FixedClock, db_backend: str) -> None:
    async with client_for(app) as client:
        await make_hall(client)
        await announce(app, clock, township("东城街道党群服务中心", datetime(2026, 11, 20, tzinfo=UTC)))
        await announce(app, clock, township("东城镇便民服务中心", datetime(2026, 11, 10, tzinfo=UTC)))
        hall = (await client.get(f"/v1/halls/{HALL}")).json()
        board = (await client.get(f"/v1/halls/{HALL}/board")).json()
    async with app.state.db.sessionmaker() as session:
        site = await find_site(session, HALL)
    assert hall["name"] == "东城街道党群服务中心"
    assert board["hall_name"] == "东城街道党群服务中心"
    assert site is not None
    assert site.name == "东城街道党群服务中心"


async def test_a_hall_without_a_name_takes_its_site_s_name(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        opened = await client.post("/v1/halls", json={"code": "330199002"})
    assert opened.status_code == 201, opened.text
    assert opened.json()["name"] == "西城街道便民服务中心"


async def test_a_hall_whose_site_closes_issues_no_tickets_or_appointments_until_it_reopens(
        app: FastAPI, clock: FixedClock, db_backend: str) -> None:
    """Decision: closing a site stops its hall issuing tickets and taking bookings (409 ``site_closed``) and
    it lists no slots; the tickets already waiting are still called and served, and reopening resumes all."""
    async with client_for(app) as client:
        hall = await make_hall(client)
        waiting = await take(client)
        planned = await client.post(f"/v1/halls/{HALL}/slots", json={
            "line": "A", "from_date": "2026-12-01", "to_date": "2026-12-02", "times": [["10:00", "10:30"]],
            "capacity": 3})
        today, tomorrow = planned.json()["slots"]
        booked = await client.post("/v1/appointments", json={"slot_id": today["id"], "name": "赵敏",
                                                              "id_number": resident_id("19850615")})
        await announce(app, clock, township("东城街道便民服务中心", datetime(2026, 11, 20, tzinfo=UTC), active=False))
        closed_hall = (await client.get(f"/v1/halls/{HALL}")).json()
        ticket = await client.post("/v1/tickets", json={"hall_code": HALL, "line": "A"})
        plan = await client.post(f"/v1/halls/{HALL}/slots", json={
            "line": "A", "from_date": "2026-12-03", "to_date": "2026-12-03", "times": [["10:00", "10:30"]],
            "capacity": 3})
        listed = await client.get(f"/v1/halls/{HALL}/slots", params={"date": "2026-12-02"})
        booking = await client.post("/v1/appointments", json={"slot_id": tomorrow["id"], "name": "周芷若",
                                                               "id_number": resident_id("19700101")})
        clock.advance(timedelta(minutes=35))
        check_in = await client.post(f"/v1/appointments/{booked.json()['code']}/check-in",
                                     json={"id_number": resident_id("19850615")})
        called = await call(client, hall["counters"][1])
        await announce(app, clock, township("东城街道便民服务中心", datetime(2026, 11, 21, tzinfo=UTC)))
        reopened = await client.post("/v1/tickets", json={"hall_code": HALL, "line": "A"})
        listed_again = await client.get(f"/v1/halls/{HALL}/slots", params={"date": "2026-12-02"})
    assert closed_hall["active"] is False
    for refused in (ticket, plan, booking, check_in):
        assert (refused.status_code, refused.json()["code"]) == (409, "site_closed"), refused.text
    assert listed.json() == []
    assert called["ticket"]["id"] == waiting["id"]
    assert reopened.status_code == 201
    assert [s["id"] for s in listed_again.json()] == [tomorrow["id"]]
