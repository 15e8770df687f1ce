"""Who acts in the hall (issue 19): citizens hold their own tickets, the hall's staff serve them, the rating
comes from the one served, a township's cockpit sees its own halls, personal data is shown to the counter
only and logged, and an appeal against a hall's review is decided above that hall."""

from typing import Any

import httpx
from fastapi import FastAPI
from queue_factories import HALL, make_hall, resident_id, take

from bianmin.kit.app import api_routes
from bianmin.kit.identity import Principal
from bianmin.kit.policy import declared_policy
from bianmin.kit.subjects import Subject
from bianmin.testing.client import client_for, person

OTHER = "330199002"
CITIZEN = person("citizen", name="张三丰")
# Another citizen through another citizen app (person() names every citizen alike).
NEIGHBOUR = Principal(key_id="app-of-a-neighbour", tenant="*", scopes=frozenset({"admin"}),
                      subject=Subject(kind="citizen", id="acct-neighbour"))
CLERK = person("staff", "clerk", site=HALL)
OTHER_CLERK = person("staff", "clerk", site=OTHER)
MANAGER = person("staff", "hall_manager", site=HALL)
DISTRICT_MANAGER = person("staff", "hall_manager", site="330199")
COUNTER_KEY = Principal(key_id="key-counter-1", tenant=HALL, scopes=frozenset({"queue:write", "queue:serve", "queue:read"}))


async def served(app: FastAPI, counter: int, holder: Principal, **who: Any) -> dict[str, Any]:
    """A ticket ``holder`` took, called, started and completed by the hall's clerk."""
    async with client_for(app, holder) as client:
        ticket = await take(client, **who)
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/counters/{counter}/call-next")).status_code == 200
        assert (await clerk.post(f"/v1/tickets/{ticket['id']}/start")).status_code == 200
        assert (await clerk.post(f"/v1/tickets/{ticket['id']}/complete")).status_code == 200
    return ticket


async def test_a_citizen_takes_a_ticket_but_never_calls_starts_or_completes_it(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as admin:
        hall = await make_hall(admin)
    async with client_for(app, CITIZEN) as citizen:
        ticket = await take(citizen)
        called = await citizen.post(f"/v1/counters/{hall['counters'][1]}/call-next")
        started = await citizen.post(f"/v1/tickets/{ticket['id']}/start")
        completed = await citizen.post(f"/v1/tickets/{ticket['id']}/complete")
        listed = await citizen.get("/v1/tickets", params={"hall": HALL})
        own = await citizen.get(f"/v1/tickets/{ticket['id']}")
    for refused in (called, started, completed, listed):
        assert (refused.status_code, refused.json()["code"]) == (403, "subject_not_allowed"), refused.text
    assert own.json()["state"] == "waiting"


async def test_a_citizen_app_holding_queue_write_takes_tickets_but_never_serves_them(app: FastAPI, db_backend: str) -> None:
    """Issue 19's finding: a citizen app with ``queue:write`` called, started and completed a ticket.
    Serving needs ``queue:serve`` (a counter terminal's key, a clerk's sign-in); taking needs ``queue:write``."""
    citizen_app = Principal(key_id="key-citizen-app", tenant=HALL, scopes=frozenset({"queue:write", "queue:read"}))
    async with client_for(app) as admin:
        hall = await make_hall(admin)
    async with client_for(app, citizen_app) as client:
        ticket = await take(client)
        refused = [await client.post(f"/v1/counters/{hall['counters'][1]}/call-next"),
                   await client.post(f"/v1/tickets/{ticket['id']}/start"),
                   await client.post(f"/v1/tickets/{ticket['id']}/complete"),
                   await client.post(f"/v1/tickets/{ticket['id']}/no-show")]
    for answer in refused:
        assert (answer.status_code, answer.json()["code"]) == (403, "scope_missing"), answer.text
    async with client_for(app, COUNTER_KEY) as counter:
        assert (await counter.post(f"/v1/counters/{hall['counters'][1]}/call-next")).status_code == 200


async def test_only_a_clerk_of_the_tickets_hall_serves_it(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as admin:
        hall = await make_hall(admin)
        await make_hall(admin, OTHER)
        ticket = await take(admin)
    counter = hall["counters"][1]
    async with client_for(app, OTHER_CLERK) as stranger:
        refused = await stranger.post(f"/v1/counters/{counter}/call-next")
    async with client_for(app, person("staff", "acceptor", site=HALL)) as acceptor:
        wrong_role = await acceptor.post(f"/v1/counters/{counter}/call-next")
    async with client_for(app, CLERK) as clerk:
        called = await clerk.post(f"/v1/counters/{counter}/call-next")
        started = await clerk.post(f"/v1/tickets/{ticket['id']}/start")
        completed = await clerk.post(f"/v1/tickets/{ticket['id']}/complete")
    async with client_for(app, OTHER_CLERK) as stranger:
        reread = await stranger.get(f"/v1/tickets/{ticket['id']}")
    assert (refused.status_code, refused.json()["code"]) == (403, "role_missing")
    assert (wrong_role.status_code, wrong_role.json()["code"]) == (403, "role_missing")
    assert called.json()["ticket"]["id"] == ticket["id"]
    assert started.json()["state"] == "serving"
    assert completed.json()["state"] == "done"
    assert reread.status_code == 403


async def test_lines_and_counters_are_configured_by_the_halls_manager_only(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as admin:
        hall = await make_hall(admin)
    line = {"prefix": "C", "name": "社保", "daily_cap": 100}
    async with client_for(app, CLERK) as clerk:
        by_clerk = await clerk.post(f"/v1/halls/{HALL}/lines", json=line)
        relined = await clerk.patch(f"/v1/counters/{hall['counters'][1]}", json={"lines": [{"line": "A"}]})
        opened = await clerk.patch(f"/v1/counters/{hall['counters'][1]}", json={"state": "paused"})
    async with client_for(app, person("staff", "hall_manager", site=OTHER)) as other:
        by_other = await other.post(f"/v1/halls/{HALL}/lines", json=line)
    async with client_for(app, person("staff", "hall_manager", site=HALL, second_factor=False)) as weak:
        no_factor = await weak.post(f"/v1/halls/{HALL}/lines", json=line)
        relined_weakly = await weak.patch(f"/v1/counters/{hall['counters'][1]}", json={"lines": [{"line": "A"}]})
    async with client_for(app, MANAGER) as manager:
        added = await manager.post(f"/v1/halls/{HALL}/lines", json=line)
    assert (by_clerk.status_code, by_clerk.json()["code"]) == (403, "role_missing")
    assert (relined.status_code, relined.json()["code"]) == (403, "role_missing")
    assert opened.json()["state"] == "paused"
    assert (by_other.status_code, by_other.json()["code"]) == (403, "role_missing")
    assert (no_factor.status_code, no_factor.json()["code"]) == (403, "second_factor_required")
    assert (relined_weakly.status_code, relined_weakly.json()["code"]) == (403, "second_factor_required")
    assert added.status_code == 201


async def test_only_the_citizen_who_was_served_rates_the_service(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as admin:
        hall = await make_hall(admin)
    ticket = await served(app, hall["counters"][1], CITIZEN)
    rating = {"level": 5}
    async with client_for(app, CLERK) as clerk:
        by_clerk = await clerk.post(f"/v1/tickets/{ticket['id']}/evaluation", json=rating)
    async with client_for(app, COUNTER_KEY) as counter:
        by_counter_key = await counter.post(f"/v1/tickets/{ticket['id']}/evaluation", json=rating)
    async with client_for(app, NEIGHBOUR) as neighbour:
        by_neighbour = await neighbour.post(f"/v1/tickets/{ticket['id']}/evaluation", json=rating)
        peeked = await neighbour.get(f"/v1/tickets/{ticket['id']}")
    async with client_for(app, CITIZEN) as citizen:
        rated = await citizen.post(f"/v1/tickets/{ticket['id']}/evaluation", json=rating)
    assert (by_clerk.status_code, by_clerk.json()["code"]) == (403, "subject_not_allowed")
    assert (by_counter_key.status_code, by_counter_key.json()["code"]) == (403, "not_the_holder")
    assert (by_neighbour.status_code, by_neighbour.json()["code"]) == (403, "not_the_holder")
    assert (peeked.status_code, peeked.json()["code"]) == (403, "not_the_holder")
    assert rated.status_code == 201


async def test_a_kiosk_ticket_is_rated_by_the_kiosk_that_issued_it(app: FastAPI, db_backend: str) -> None:
    kiosk = Principal(key_id="key-kiosk", tenant=HALL, scopes=frozenset({"queue:write", "queue:read"}))
    async with client_for(app) as admin:
        hall = await make_hall(admin)
    ticket = await served(app, hall["counters"][1], kiosk)
    async with client_for(app, COUNTER_KEY) as counter:
        refused = await counter.post(f"/v1/tickets/{ticket['id']}/evaluation", json={"level": 4})
    async with client_for(app, kiosk) as client:
        rated = await client.post(f"/v1/tickets/{ticket['id']}/evaluation", json={"level": 4})
    assert refused.json()["code"] == "not_the_holder"
    assert rated.status_code == 201


async def test_a_townships_cockpit_sees_its_own_halls_only(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as admin:
        await make_hall(admin)
        await make_hall(admin, OTHER)
        await take(admin)
        await take(admin, hall=OTHER)
        await take(admin, hall=OTHER)
    township = Principal(key_id="key-township-cockpit", tenant=HALL, scopes=frozenset({"cockpit:read"}))
    viewer = person("staff", "cockpit_viewer", site=OTHER)
    answers = {}
    for name, who in (("township", township), ("viewer", viewer)):
        async with client_for(app, who) as client:
            answers[name] = {f["name"]: f for f in (await client.get("/v1/stats/overview")).json()["figures"]}
            answers[f"{name}-history"] = (await client.get("/v1/stats")).json()
    assert answers["township"]["tickets_per_hall"]["breakdown"] == {HALL: 1}
    assert answers["township"]["tickets"]["value"] == 1
    assert answers["viewer"]["tickets_per_hall"]["breakdown"] == {OTHER: 2}
    assert answers["viewer"]["tickets"]["value"] == 2
    assert answers["township-history"]["tickets"] == 1
    assert answers["viewer-history"]["halls"] == [OTHER]


async def test_the_counter_sees_the_called_citizen_unmasked_and_the_read_is_logged(app: FastAPI,
                                                                                   db_backend: str) -> None:
    id_number = resident_id("19800101")
    async with client_for(app) as admin:
        hall = await make_hall(admin)
        await make_hall(admin, OTHER)
        ticket = await take(admin, name="张三丰", id_number=id_number)
    async with client_for(app, OTHER_CLERK) as stranger:
        foreign_list = await stranger.get("/v1/tickets", params={"hall": HALL})
    async with client_for(app, Principal(key_id="key-other", tenant=OTHER, scopes=frozenset({"queue:read"}))) as key:
        foreign_key_list = await key.get("/v1/tickets", params={"hall": HALL})
    async with client_for(app, CLERK) as clerk:
        listed = await clerk.get("/v1/tickets", params={"hall": HALL})
        called = await clerk.post(f"/v1/counters/{hall['counters'][1]}/call-next")
    async with client_for(app) as admin:
        by_key = await admin.get(f"/v1/tickets/{ticket['id']}")
    async with client_for(app, person("supervisor", "supervisor")) as supervisor:
        log = await supervisor.get("/v1/access-log")
    assert foreign_list.status_code == 403
    assert foreign_key_list.status_code == 403
    assert listed.json()["items"][0]["name"] == "张**"
    assert called.json()["ticket"]["name"] == "张三丰"
    assert called.json()["ticket"]["id_number"] == id_number
    assert by_key.json()["id_number"] != id_number
    (row,) = log.json()["items"]
    assert (row["subject_id"], row["resource"], row["site_code"]) == (CLERK.subject.id, f"ticket/{ticket['id']}", HALL)  # type: ignore[union-attr]
    assert row["fields"] == ["id_number", "name"]
    assert id_number not in log.text


async def bad_review(app: FastAPI) -> int:
    async with client_for(app) as admin:
        hall = await make_hall(admin)
    ticket = await served(app, hall["counters"][1], CITIZEN)
    async with client_for(app, CITIZEN) as citizen:
        rated = await citizen.post(f"/v1/tickets/{ticket['id']}/evaluation", json={"level": 1})
    return rated.json()["rectification_id"]


async def act(app: FastAPI, who: Principal, case: int, action: str, **body: Any) -> httpx.Response:
    async with client_for(app, who) as client:
        return await client.post(f"/v1/rectifications/{case}/actions", json={"action": action, **body})


async def test_an_appeal_against_a_halls_review_is_decided_above_the_hall(app: FastAPI, db_backend: str) -> None:
    case = await bad_review(app)
    township_key = Principal(key_id="key-township", tenant=HALL, scopes=frozenset({"queue:manage", "queue:write"}))
    appealed = await act(app, MANAGER, case, "appeal", note="恶意差评")
    by_own_manager = await act(app, MANAGER, case, "appeal_upheld")
    by_own_key = await act(app, township_key, case, "appeal_upheld")
    by_citizen = await act(app, CITIZEN, case, "appeal_upheld")
    upheld = await act(app, DISTRICT_MANAGER, case, "appeal_upheld")
    assert appealed.json()["state"] == "appealed"
    assert (by_own_manager.status_code, by_own_manager.json()["code"]) == (403, "decided_above_site")
    assert (by_own_key.status_code, by_own_key.json()["code"]) == (403, "decided_above_site")
    assert (by_citizen.status_code, by_citizen.json()["code"]) == (403, "subject_not_allowed")
    assert upheld.json()["state"] == "voided"


async def test_the_re_rating_is_the_citizens_and_the_contact_the_halls(app: FastAPI, db_backend: str) -> None:
    case = await bad_review(app)
    by_citizen_contact = await act(app, CITIZEN, case, "contact", note="x")
    contacted = await act(app, CLERK, case, "contact", note="已电话联系")
    fixed = await act(app, MANAGER, case, "fix", note="增开窗口")
    by_clerk = await act(app, CLERK, case, "re_rate", level=5)
    re_rated = await act(app, CITIZEN, case, "re_rate", level=4)
    assert (by_citizen_contact.status_code, by_citizen_contact.json()["code"]) == (403, "subject_not_allowed")
    assert contacted.json()["state"] == "contacted"
    assert fixed.json()["state"] == "fixed"
    assert (by_clerk.status_code, by_clerk.json()["code"]) == (403, "not_the_holder")
    assert re_rated.json()["re_rated_level"] == 4


def test_every_route_declares_who_may_call_it(app: FastAPI) -> None:
    undeclared = [f"{sorted(r.methods)} {r.path}" for r in api_routes(app)
                  if r.path.startswith("/v1/") and declared_policy(r) is None]
    assert not undeclared


async def test_a_booking_is_read_checked_in_and_cancelled_by_its_holder_only(app: FastAPI, db_backend: str) -> None:
    id_number = resident_id("19850615")
    async with client_for(app) as admin:
        await make_hall(admin)
        planned = await admin.post(f"/v1/halls/{HALL}/slots", json={
            "line": "A", "from_date": "2026-12-02", "to_date": "2026-12-02", "times": [["09:00", "09:30"]], "capacity": 2})
    slot = planned.json()["slots"][0]["id"]
    async with client_for(app, CITIZEN) as citizen:
        booked = await citizen.post("/v1/appointments", json={"slot_id": slot, "name": "张三丰", "id_number": id_number})
    code = booked.json()["code"]
    async with client_for(app, NEIGHBOUR) as neighbour:
        peeked = await neighbour.get(f"/v1/appointments/{code}")
        checked_in = await neighbour.post(f"/v1/appointments/{code}/check-in", json={"id_number": id_number})
        cancelled_by_neighbour = await neighbour.post(f"/v1/appointments/{code}/cancel")
    async with client_for(app, COUNTER_KEY) as counter:
        cancelled_by_key = await counter.post(f"/v1/appointments/{code}/cancel")
    async with client_for(app, CITIZEN) as citizen:
        own = await citizen.get(f"/v1/appointments/{code}")
        cancelled = await citizen.post(f"/v1/appointments/{code}/cancel")
    assert booked.status_code == 201, booked.text
    for refused in (peeked, checked_in, cancelled_by_neighbour, cancelled_by_key):
        assert (refused.status_code, refused.json()["code"]) == (403, "not_the_holder"), refused.text
    assert own.json()["name"] == "张**"
    assert cancelled.json()["state"] == "cancelled"
