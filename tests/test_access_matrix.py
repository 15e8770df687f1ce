"""Who may do what, for every operation of every service's OpenAPI document.

The operations come from each service's own document (the gateway's merged document is their
union), so a route added tomorrow is in the matrix without editing this file:
- without the internal token, with a forged one or an expired one: 401 everywhere;
- as the anonymous principal: 401 unless the operation is declared public;
- as a key without the scopes an operation declares (``require_scopes``): 403;
- as a township key on another township's resource (each service's main resource, made for real): 403 or 404,
  whether the key holds the service's scopes or ``admin`` (a township's admin is admin of that township only);
- as a township ``admin`` on what the whole district shares (routes declaring ``district_only``, and
  ``DISTRICT_OWNED`` pins which must): 403 ``district_only``;
- as a person (a subject) the route's declared policy does not name, or naming the kind but lacking
  the role or the second factor: 403 saying which (generated from ``bianmin.kit.policy``);
- and no 5xx for any of these callers.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from bianmin.kit.identity import ANONYMOUS, IDENTITY_HEADER, Principal, audience_of, mint_token
from bianmin.kit.policy import APP, Allow
from bianmin.kit.roles import ROLES
from bianmin.kit.subjects import STAFF, SUBJECT_KINDS, SUPERVISOR
from bianmin.testing.client import DISTRICT_ADMIN, TEST_SECRET, client_for, person, running
from bianmin.testing.databases import TestDatabases
from bianmin.testing.localrun import SERVICES

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
for _service in ("bidding", "guarantee", "queue", "catalog", "consult"):
    sys.path.insert(0, str(ROOT / f"svc-{_service}" / "tests"))

from platform_apps import Operation, build_app, operations  # noqa: E402

OWN = "330199001"
OTHER = "330199002"
# Reads that are district-wide on purpose, with the reason.
SHARED_READS = {
    "credit GET /v1/records/{record_id}": "an enterprise's credit records are shared across the district "
                                          "(GET /v1/enterprises/{code}/records lists them to every key); "
                                          "only deciding on them is bound to the recording township",
}
NOBODY = Principal(key_id="key-no-scopes", tenant="*", scopes=frozenset(), name="no scopes")
TOWNSHIP_ADMIN = Principal(key_id="key-township-admin", tenant=OWN, scopes=frozenset({"admin"}), name="township admin")
# Changes to what the whole district shares: each must declare ``district_only`` (a township, admin or
# not, changes its own sites only). A route added to this kind of data belongs in this list.
DISTRICT_OWNED = {
    "catalog": {"PUT /v1/calendar/{day}", "DELETE /v1/calendar/{day}", "PUT /v1/calendar/years/{year}", "POST /v1/catalog/import",
                "POST /v1/catalog/import/csv", "PUT /v1/departments/{code}", "POST /v1/items", "PATCH /v1/items/{code}",
                "POST /v1/items/{code}/status", "POST /v1/policies", "POST /v1/policies/{code}/redemptions",
                "POST /v1/redemptions/{redemption_id}/status", "POST /v1/agreements", "POST /v1/sites/import"},
    "consult": {"PUT /v1/departments/{code}", "POST /v1/routing-rules", "PATCH /v1/routing-rules/{rule_id}",
                "DELETE /v1/routing-rules/{rule_id}"},
    "bidding": {"POST /v1/experts", "POST /v1/experts/{code}/deactivate"},
    "guarantee": {"POST /v1/issuers"},
    "credit": {"POST /v1/rules", "POST /v1/recomputations", "POST /v1/enterprises/import", "PATCH /v1/enterprises/{code}",
               "POST /v1/bonuses/{bonus_id}/approve", "POST /v1/bonuses/{bonus_id}/reject"},
    "queue": set(),
    "webhooks": set(),
}


@pytest.fixture(params=SERVICES)
def service_app(request: pytest.FixtureRequest, test_databases: TestDatabases) -> tuple[str, FastAPI]:
    """One service's app over a fresh migrated database (built outside the event loop: migrations run their own)."""
    return request.param, build_app(request.param, test_databases)


def _raw_client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                             base_url="http://service.test")


async def _call(client: httpx.AsyncClient, op: Operation, url: str | None = None, **kwargs: Any) -> httpx.Response:
    body = {"json": {}} if op.has_body else {}
    return await client.request(op.method.upper(), url or op.url(), **body, **kwargs)


def _is_problem(response: httpx.Response) -> bool:
    return response.headers.get("content-type", "").startswith("application/problem+json")


async def test_every_operation_refuses_callers_without_a_valid_identity(service_app: tuple[str, FastAPI]) -> None:
    service, app = service_app
    audience = audience_of(service)
    forged = mint_token(DISTRICT_ADMIN, "not-the-internal-secret-but-long-enough-0123456789", audience=audience)
    expired = mint_token(DISTRICT_ADMIN, TEST_SECRET, audience=audience, now=time.time() - 3600)
    future = mint_token(DISTRICT_ADMIN, TEST_SECRET, audience=audience, now=time.time() + 3600)
    elsewhere = mint_token(DISTRICT_ADMIN, TEST_SECRET, audience=audience_of(next(s for s in SERVICES if s != service)))
    wrong: list[str] = []
    async with running(app), _raw_client(app) as client:
        ops = operations(service, app)
        assert ops, service
        for op in ops:
            for name, headers in (("none", {}), ("forged", {IDENTITY_HEADER: forged}),
                                  ("expired", {IDENTITY_HEADER: expired}), ("future", {IDENTITY_HEADER: future}),
                                  ("another service's", {IDENTITY_HEADER: elsewhere}), ("garbage", {IDENTITY_HEADER: "x.y.z"})):
                response = await _call(client, op, headers=headers)
                if response.status_code != 401 or not _is_problem(response):
                    wrong.append(f"{op.label} [{name}] -> {response.status_code} {response.text[:120]}")
    assert not wrong, "\n".join(wrong)


async def test_the_anonymous_caller_reaches_only_public_operations(service_app: tuple[str, FastAPI]) -> None:
    service, app = service_app
    wrong: list[str] = []
    async with running(app), client_for(app, ANONYMOUS) as client:
        for op in operations(service, app):
            if op.public and op.streams:
                continue
            response = await _call(client, op)
            if response.status_code >= 500:
                wrong.append(f"{op.label} -> {response.status_code} {response.text[:160]}")
            elif not op.public and response.status_code != 401:
                wrong.append(f"{op.label} is not public but answered the anonymous caller {response.status_code}")
            elif op.public and response.status_code == 401:
                wrong.append(f"{op.label} is public but refused the anonymous caller")
    assert not wrong, "\n".join(wrong)


async def test_a_key_without_a_declared_scope_is_403(service_app: tuple[str, FastAPI]) -> None:
    service, app = service_app
    wrong: list[str] = []
    async with running(app), client_for(app, NOBODY) as client:
        ops = operations(service, app)
        assert any(op.scopes for op in ops), f"{service} declares no scope on any route"
        for op in ops:
            if op.streams:
                continue
            response = await _call(client, op)
            if response.status_code >= 500:
                wrong.append(f"{op.label} -> {response.status_code} {response.text[:160]}")
            elif op.scopes and (response.status_code != 403 or response.json().get("code") != "scope_missing"):
                wrong.append(f"{op.label} declares {sorted(op.scopes)} but a key without them got {response.status_code}")
            elif not op.public and op.method != "get" and 200 <= response.status_code < 300:
                wrong.append(f"{op.label} changed something for a key without any scope ({response.status_code})")
    assert not wrong, "\n".join(wrong)


# Each service's main resource, made by the district for township OWN: the path values that name it.
Setup = Callable[[FastAPI, httpx.AsyncClient], Awaitable[dict[str, str]]]


async def _queue(app: FastAPI, admin: httpx.AsyncClient) -> dict[str, str]:
    from queue_factories import make_hall, take

    hall = await make_hall(admin, OWN)
    ticket = await take(admin, hall=OWN)
    return {"code": OWN, "counter_id": str(hall["counters"][1]), "ticket_id": str(ticket["id"])}


async def _bidding(app: FastAPI, admin: httpx.AsyncClient) -> dict[str, str]:
    from bidding_factories import project_body

    response = await admin.post("/v1/projects", json=project_body("BM-2026-077", site_code=OWN, level="township"))
    assert response.status_code == 201, response.text
    return {"code": "BM-2026-077", "section": "S1"}


async def _credit(app: FastAPI, admin: httpx.AsyncClient) -> dict[str, str]:
    from platform_apps import ENTERPRISE

    assert (await admin.post("/v1/enterprises", json={"credit_code": ENTERPRISE, "name": "便民区1号建设有限公司"})).status_code == 201
    township = Principal(key_id="key-own-township", tenant=OWN, scopes=frozenset({"credit:write"}))
    async with client_for(app, township) as client:
        response = await client.post(f"/v1/enterprises/{ENTERPRISE}/records", json={
            "kind": next(iter(await _credit_kinds(admin))), "occurred_on": "2026-02-20", "evidence": "监督检查通报"})
    assert response.status_code == 201, response.text
    assert response.json().get("site_code") == OWN, response.text
    return {"record_id": str(response.json()["id"])}


async def _credit_kinds(admin: httpx.AsyncClient) -> list[str]:
    rules = (await admin.get("/v1/rules")).json()
    items = rules["items"] if isinstance(rules, dict) and "items" in rules else rules
    if isinstance(items, list) and items and "behaviours" in items[0]:
        return [b["kind"] for b in items[0]["behaviours"]]
    return ["late_performance"]


async def _catalog(app: FastAPI, admin: httpx.AsyncClient) -> dict[str, str]:
    from catalog_factories import CREDIT_CODE, seed

    await seed(admin)
    response = await admin.post("/v1/applications", json={
        "item_code": "330199-SC-001", "site_code": OWN, "channel": "window",
        "applicant": {"type": "legal", "id_number": CREDIT_CODE, "name": "便民区1号建设有限公司", "phone": "13800001234"},
        "materials": [{"name": "营业执照申请书"}, {"name": "住所证明", "licence_no": "ZJ-2025-0001"}]})
    assert response.status_code == 201, response.text
    return {"number": response.json()["number"]}


async def _consult(app: FastAPI, admin: httpx.AsyncClient) -> dict[str, str]:
    from consult_factories import ask, seed_departments

    await seed_departments(admin)
    receipt = await ask(admin, site_code=OWN)
    return {"consultation_id": str(receipt["id"])}


async def _guarantee(app: FastAPI, admin: httpx.AsyncClient) -> dict[str, str]:
    from guarantee_factories import BIDDER, application, issue_guarantee, seed_issuer, seed_project

    await seed_project(app)
    await seed_issuer(admin)
    return {"number": await issue_guarantee(app, BIDDER, application())}


async def _webhooks(app: FastAPI, admin: httpx.AsyncClient) -> dict[str, str]:
    owner = Principal(key_id="key-own-township", tenant=OWN, scopes=frozenset({"webhooks:write"}))
    async with client_for(app, owner) as client:
        endpoint = await client.post("/v1/endpoints", json={"url": "https://hooks.example.com/in", "event_types": [">"]})
        assert endpoint.status_code == 201, endpoint.text
        ping = await client.post(f"/v1/endpoints/{endpoint.json()['id']}/test")
        assert ping.status_code == 202, ping.text
    return {"endpoint_id": str(endpoint.json()["id"]), "delivery_id": str(ping.json()["id"])}


SETUPS: dict[str, tuple[Setup, frozenset[str]]] = {
    "queue": (_queue, frozenset({"queue:*"})),
    "bidding": (_bidding, frozenset({"bidding:write"})),
    "credit": (_credit, frozenset({"credit:*"})),
    "catalog": (_catalog, frozenset({"catalog:read", "catalog:write"})),
    "consult": (_consult, frozenset({"consult:answer"})),
    "guarantee": (_guarantee, frozenset({"guarantee:read", "guarantee:write"})),
    "webhooks": (_webhooks, frozenset({"webhooks:write"})),
}


@pytest.mark.parametrize("holding", ["service scopes", "admin"])
async def test_a_township_key_cannot_act_on_another_townships_resource(service_app: tuple[str, FastAPI],
                                                                       holding: str) -> None:
    service, app = service_app
    setup, scopes = SETUPS[service]
    scopes = frozenset({"admin"}) if holding == "admin" else scopes
    stranger = Principal(key_id="key-other-township", tenant=OTHER, scopes=scopes, name=f"another township ({holding})")
    wrong: list[str] = []
    async with running(app), client_for(app, DISTRICT_ADMIN) as admin, client_for(app, stranger) as client:
        values = await setup(app, admin)
        targeted = [op for op in operations(service, app)
                    if not op.public and not op.streams and any(f"{{{name}}}" in op.path for name in values)]
        assert targeted, service
        for op in targeted:
            response = await _call(client, op, op.url(values))
            if response.status_code >= 500:
                wrong.append(f"{op.label} -> {response.status_code} {response.text[:160]}")
            elif op.method == "get":
                if response.status_code not in (403, 404) and op.label not in SHARED_READS:
                    wrong.append(f"{op.label}: another township read it ({response.status_code})")
            elif 200 <= response.status_code < 300:
                wrong.append(f"{op.label}: another township changed it ({response.status_code})")
    assert not wrong, "\n".join(wrong)


async def test_a_township_admin_cannot_change_what_the_district_shares(service_app: tuple[str, FastAPI]) -> None:
    service, app = service_app
    ops = operations(service, app)
    declared = {f"{op.method.upper()} {op.path}" for op in ops if op.district_only}
    assert declared == DISTRICT_OWNED[service], "the district-only routes changed: update DISTRICT_OWNED with the reason"
    wrong: list[str] = []
    async with running(app), client_for(app, TOWNSHIP_ADMIN) as client:
        for op in ops:
            if not op.district_only:
                continue
            response = await _call(client, op)
            if response.status_code != 403 or response.json().get("code") != "district_only":
                wrong.append(f"{op.label} answered a township admin {response.status_code} {response.text[:120]}")
    assert not wrong, "\n".join(wrong)


# --- people: generated from each route's declared policy (bianmin.kit.policy) ----------------------


def _refused_by(allowed: tuple[Allow, ...]) -> list[tuple[str, Principal, str]]:
    """The callers a declared policy must refuse, each with the 403 code that must say why.

    Every subject kind the policy does not name (holding every role of its kind, at the resource's
    own site, with a second factor); an app alone when ``app()`` is not named; a kind named only
    with roles, holding none of them; a kind named only with a second factor, signed in without one.
    """
    named = {a.kind for a in allowed}
    refused: list[tuple[str, Principal, str]] = []
    for kind in SUBJECT_KINDS:
        if kind not in named:
            every_role = [r for r, info in ROLES.items() if info.kind == kind]
            refused.append((f"a {kind}", person(kind, *every_role, site=OWN), "subject_not_allowed"))
    if APP not in named:
        refused.append(("an operator's app alone", DISTRICT_ADMIN, "subject_not_allowed"))
    for kind in named - {APP}:
        of_kind = [a for a in allowed if a.kind == kind]
        if all(a.roles for a in of_kind):
            admitted = {r for a in of_kind for r in a.roles}
            others = [r for r, info in ROLES.items() if info.kind == kind and r not in admitted]
            refused.append((f"a {kind} without {sorted(admitted)}", person(kind, *others, site=OWN), "role_missing"))
        if all(a.second_factor for a in of_kind):
            roles = sorted({r for a in of_kind for r in a.roles})
            refused.append((f"a {kind} without a second factor", person(kind, *roles, site=OWN, second_factor=False),
                            "second_factor_required"))
    return refused


async def test_every_declared_policy_refuses_the_people_it_does_not_name(service_app: tuple[str, FastAPI]) -> None:
    service, app = service_app
    ops = [op for op in operations(service, app) if op.policy is not None and not op.streams]
    assert any(op.path == "/v1/access-log" for op in ops), service
    wrong: list[str] = []
    async with running(app):
        for op in ops:
            assert op.policy is not None
            for who, caller, code in _refused_by(op.policy):
                async with client_for(app, caller) as client:
                    response = await _call(client, op)
                if response.status_code != 403 or response.json().get("code") != code:
                    wrong.append(f"{op.label} [{who}] -> {response.status_code} {response.text[:120]}, expected 403 {code}")
    assert not wrong, "\n".join(wrong)


async def test_a_person_of_another_township_cannot_act_on_this_townships_resource(
        service_app: tuple[str, FastAPI]) -> None:
    """A staff member holding every role a route admits, at another township, through the pages' district-wide app:
    only the subject's sites bound it, so the route must check the resource's site against the roles."""
    service, app = service_app
    setup, _ = SETUPS[service]
    wrong: list[str] = []
    async with running(app), client_for(app, DISTRICT_ADMIN) as admin:
        values = await setup(app, admin)
        targeted = [op for op in operations(service, app)
                    if op.policy is not None and not op.public and not op.streams
                    and any(f"{{{name}}}" in op.path for name in values)]
        for op in targeted:
            assert op.policy is not None
            for allowed in op.policy:
                if allowed.kind not in (STAFF, SUPERVISOR) or not allowed.roles:
                    continue
                stranger = person(allowed.kind, *sorted(allowed.roles), site=OTHER)
                async with client_for(app, stranger) as client:
                    response = await _call(client, op, op.url(values))
                if response.status_code >= 500:
                    wrong.append(f"{op.label} -> {response.status_code} {response.text[:160]}")
                elif op.method == "get":
                    if response.status_code not in (403, 404) and op.label not in SHARED_READS:
                        wrong.append(f"{op.label}: {allowed.describe()} of another township read it ({response.status_code})")
                elif 200 <= response.status_code < 300:
                    wrong.append(f"{op.label}: {allowed.describe()} of another township changed it ({response.status_code})")
    assert not wrong, "\n".join(wrong)
