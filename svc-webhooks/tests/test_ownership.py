"""Who manages an endpoint: its township, or for a district-wide one the key that registered it.

Every route that names an endpoint or a delivery loads it through one ownership loader, and answers
404 to everybody else; saving an endpoint hands it the saver's authority, never more.
"""

from __future__ import annotations

import inspect
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import select, update
from webhooks_factories import TOWNSHIP_A, TOWNSHIP_B, deliver_event, register, township

from bianmin.contracts.envelope import CloudEvent
from bianmin.kit.identity import Principal
from bianmin.testing.client import DISTRICT_ADMIN, client_for
from bianmin.webhooks.api import ROUTERS
from bianmin.webhooks.api.deps import OWNERSHIP_LOADERS
from bianmin.webhooks.domain.claims import claim
from bianmin.webhooks.models import Delivery, Endpoint

HOOK = "https://hooks.example.com/in"
NAMED = ("{endpoint_id}", "{delivery_id}")
# A bidder's key: district-wide like every enterprise's, and allowed to register its own endpoints.
BIDDER = Principal(key_id="key-bidder", tenant="*", scopes=frozenset({"bidding:bid", "webhooks:write"}), name="bidder")
OTHER_TOWNSHIP = township(TOWNSHIP_B)


def routes_naming_a_row() -> list[APIRoute]:
    """Every route of the service's routers (mounted under ``/v1``) whose path names an endpoint or a delivery."""
    found = [r for router in ROUTERS for r in router.routes
             if isinstance(r, APIRoute) and any(name in r.path for name in NAMED)]
    assert len(found) >= 9, [r.path for r in found]
    return found


def guarantee_issued(tenant: str = TOWNSHIP_A) -> CloudEvent:
    return CloudEvent(source="/bianmin/guarantee", type="bianmin.guarantee.guarantee.issued.v1", tenant=tenant,
                      subject="BH-2026-0001", data={"number": "BH-2026-0001", "project_code": "BM-2026-001",
                                                    "issuer_code": "PICCBM", "applicant_credit_code": "91330199MA0000001X"})


async def call(client: httpx.AsyncClient, route: APIRoute, endpoint_id: int, delivery_id: int) -> httpx.Response:
    method = sorted(route.methods - {"HEAD"})[0]
    url = "/v1" + route.path.format(endpoint_id=endpoint_id, delivery_id=delivery_id)
    body: dict[str, Any] | None = None
    if method == "PATCH":
        body = {"url": "https://attacker.example.com/in", "event_types": [">"]}
    elif route.path.endswith("/replay") and "{endpoint_id}" in route.path:
        body = {"from": "2026-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z"}
    return await client.request(method, url, json=body)


async def test_no_other_key_reads_changes_or_rotates_an_endpoint_on_any_route(app: FastAPI) -> None:
    async with client_for(app, township(TOWNSHIP_A)) as owner:
        mine = await register(owner, HOOK)
        await deliver_event(app, CloudEvent(source="/bianmin/queue", type="bianmin.queue.ticket.called.v1",
                                            tenant=TOWNSHIP_A, subject="A001", data={"number": "A001"}))
        delivery_id = (await owner.get(f"/v1/endpoints/{mine['id']}/deliveries")).json()["items"][0]["id"]
    strangers = {"bidder (tenant *)": BIDDER, "another township": OTHER_TOWNSHIP,
                 "another district key": Principal(key_id="key-app", tenant="*", scopes=frozenset({"webhooks:write"}))}
    wrong = []
    for name, stranger in strangers.items():
        async with client_for(app, stranger) as client:
            for route in routes_naming_a_row():
                response = await call(client, route, mine["id"], delivery_id)
                if response.status_code != 404:
                    wrong.append(f"{name}: {route.methods} {route.path} -> {response.status_code} {response.text[:100]}")
            listed = (await client.get("/v1/endpoints")).json()["items"]
            if listed:
                wrong.append(f"{name} lists {[e['id'] for e in listed]}")
    assert not wrong, "\n".join(wrong)
    async with app.state.db.sessionmaker() as session:
        stored = await session.get(Endpoint, mine["id"])
    assert stored is not None
    assert stored.url == HOOK
    assert app.state.secret_box.open(stored.secret_ciphertext) == mine["secret"]


def test_every_route_naming_an_endpoint_or_delivery_loads_it_through_an_ownership_loader() -> None:
    wrong = []
    for route in routes_naming_a_row():
        own = set(inspect.signature(route.endpoint).parameters)
        if own & {"endpoint_id", "delivery_id"}:
            wrong.append(f"{route.path} reads the id itself")
        loaders, stack = set(), [route.dependant]
        while stack:
            dependant = stack.pop()
            if dependant.call in OWNERSHIP_LOADERS:
                loaders.add(dependant.call)
            stack.extend(dependant.dependencies)
        if not loaders:
            wrong.append(f"{route.methods} {route.path} has no ownership loader")
    assert not wrong, "\n".join(wrong)


async def test_a_district_wide_key_manages_only_the_endpoints_it_registered(app: FastAPI) -> None:
    async with client_for(app, DISTRICT_ADMIN) as admin, client_for(app, BIDDER) as bidder:
        operators = await register(admin, HOOK)
        own = await register(bidder, "https://bidder.example.com/in", event_types=["bidding.project.*"])
        assert (await bidder.get(f"/v1/endpoints/{operators['id']}")).status_code == 404
        assert (await bidder.post(f"/v1/endpoints/{operators['id']}/rotate-secret")).status_code == 404
        assert [e["id"] for e in (await bidder.get("/v1/endpoints")).json()["items"]] == [own["id"]]
        assert [e["id"] for e in (await admin.get("/v1/endpoints")).json()["items"]] == [operators["id"]]
        assert (await bidder.patch(f"/v1/endpoints/{own['id']}", json={"description": "投标系统"})).status_code == 200


async def test_saving_an_endpoint_hands_it_the_savers_authority_and_queued_rows_it_may_not_read_are_never_sent(
        app: FastAPI) -> None:
    staff = township(TOWNSHIP_A, "webhooks:write", "guarantee:read")
    colleague = Principal(key_id="key-colleague", tenant=TOWNSHIP_A, scopes=frozenset({"webhooks:write"}))
    async with client_for(app, staff) as client:
        endpoint = await register(client, HOOK, event_types=["guarantee.>"])
    assert endpoint["owner_key_id"] == staff.key_id
    assert "guarantee:read" in endpoint["owner_scopes"]
    assert await deliver_event(app, guarantee_issued()) == 1
    async with client_for(app, staff) as client:
        [queued] = (await client.get(f"/v1/endpoints/{endpoint['id']}/deliveries")).json()["items"]
        assert (await client.get(f"/v1/deliveries/{queued['id']}")).status_code == 200
    async with client_for(app, colleague) as client:
        body_refused = await client.get(f"/v1/deliveries/{queued['id']}")
        saved = await client.patch(f"/v1/endpoints/{endpoint['id']}", json={"url": "https://colleague.example.com/in"})
        replay = await client.post(f"/v1/deliveries/{queued['id']}/replay")
    assert body_refused.status_code == 404
    assert saved.status_code == 200
    assert saved.json()["owner_key_id"] == "key-colleague"
    assert replay.status_code == 202
    assert await deliver_event(app, guarantee_issued()) == 0
    async with app.state.db.sessionmaker() as session:
        claimed = await claim(session, now=app.state.clock.now(), limit=10, per_endpoint=10, lease_seconds=60)
        await session.commit()
        row = await session.get(Delivery, queued["id"])
    assert claimed == []
    assert row is not None
    assert (row.status, row.last_error) == ("failed", "not_readable")


async def test_a_township_key_cannot_widen_an_endpoint_to_other_tenants_or_to_district_events_it_may_not_read(
        app: FastAPI) -> None:
    supervisor = township(TOWNSHIP_A, "webhooks:write", "bidding:supervise")
    async with client_for(app, supervisor) as client:
        endpoint = await register(client, HOOK, event_types=["bidding.>"])
        widened = await client.patch(f"/v1/endpoints/{endpoint['id']}", json={"district_events": True})
        refused = [await client.patch(f"/v1/endpoints/{endpoint['id']}", json=change)
                   for change in ({"tenant": "*"}, {"tenant": TOWNSHIP_B}, {"owner_scopes": ["admin"]})]
    assert widened.status_code == 200
    assert [r.status_code for r in refused] == [422, 422, 422]
    district_flag = CloudEvent(source="/bianmin/bidding", type="bianmin.bidding.collusion.flagged.v1", tenant="*",
                               subject="BM-2026-900", data={"project_code": "BM-2026-900", "site_code": "330199000"})
    other_flag = district_flag.model_copy(update={"tenant": TOWNSHIP_B, "id": "other"})
    district_tender = CloudEvent(source="/bianmin/bidding", type="bianmin.bidding.project.published.v1", tenant="*",
                                 subject="BM-2026-900", data={"code": "BM-2026-900"})
    assert await deliver_event(app, district_flag) == 0
    assert await deliver_event(app, other_flag) == 0
    assert await deliver_event(app, district_tender) == 1


async def test_an_endpoint_saved_before_owners_were_recorded_receives_nothing_until_saved_again(app: FastAPI) -> None:
    async with client_for(app, township(TOWNSHIP_A)) as client:
        endpoint = await register(client, HOOK, event_types=["queue.>"])
        async with app.state.db.sessionmaker() as session:
            await session.execute(update(Endpoint).values(owner_key_id=None, owner_scopes=None))
            await session.commit()
        called = CloudEvent(source="/bianmin/queue", type="bianmin.queue.ticket.called.v1", tenant=TOWNSHIP_A,
                            subject="A001", data={"number": "A001"})
        assert await deliver_event(app, called) == 0
        ping = await client.post(f"/v1/endpoints/{endpoint['id']}/test")
        read = (await client.get(f"/v1/endpoints/{endpoint['id']}")).json()
        saved = await client.patch(f"/v1/endpoints/{endpoint['id']}", json={"description": "再次保存"})
    assert ping.status_code == 409
    assert ping.json()["code"] == "endpoint_without_owner"
    assert read["owner_key_id"] is None
    assert saved.json()["owner_key_id"] == township(TOWNSHIP_A).key_id
    assert await deliver_event(app, called.model_copy(update={"id": "again"})) == 1
    async with app.state.db.sessionmaker() as session:
        assert len((await session.scalars(select(Delivery))).all()) == 1
