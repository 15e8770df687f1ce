"""Every state change of a tender, a guarantee and a credit record names who made it (the key id) and when.

Each change is made by a key with a known id; a supervisor (a district-wide reader) then reads
the trail through the service's own routes and finds every step with that key id and a time.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fastapi import FastAPI

from bianmin.kit.identity import Principal
from bianmin.testing.client import DISTRICT_ADMIN, client_for, running
from bianmin.testing.databases import TestDatabases

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
for _service in ("bidding", "guarantee"):
    sys.path.insert(0, str(ROOT / f"svc-{_service}" / "tests"))

from platform_apps import ENTERPRISE, build_app  # noqa: E402


@pytest.fixture
def bidding(test_databases: TestDatabases) -> FastAPI:
    return build_app("bidding", test_databases)


@pytest.fixture
def guarantee(test_databases: TestDatabases) -> FastAPI:
    return build_app("guarantee", test_databases)


@pytest.fixture
def credit(test_databases: TestDatabases) -> FastAPI:
    return build_app("credit", test_databases)


def _steps_named(steps: list[dict], key_id: str, who: str = "actor", when: str = "at") -> None:
    assert steps
    for step in steps:
        assert step[who].startswith(key_id), step
        assert step[when], step


async def test_a_tenders_transitions_name_the_key_and_the_time(bidding: FastAPI) -> None:
    from bidding_factories import SUPERVISOR, project_body

    app = bidding
    clerk = Principal(key_id="key-audit-clerk", tenant="*", scopes=frozenset({"bidding:write"}))
    async with running(app), client_for(app, clerk) as client, client_for(app, SUPERVISOR) as supervisor:
        assert (await client.post("/v1/projects", json=project_body("BM-2026-051"))).status_code == 201
        assert (await client.post("/v1/projects/BM-2026-051/publish")).status_code == 200
        trail = (await supervisor.get("/v1/projects/BM-2026-051/transitions")).json()
    steps = trail["items"] if isinstance(trail, dict) else trail
    assert [s["to_status"] for s in steps][-1] == "published"
    _steps_named(steps, "key-audit-clerk")


async def test_a_guarantees_steps_name_the_key_and_the_time(guarantee: FastAPI) -> None:
    from guarantee_factories import BIDDER, PICC, STAFF, application, issue_guarantee, seed_issuer, seed_project

    app = guarantee
    async with running(app), client_for(app, DISTRICT_ADMIN) as admin, client_for(app, STAFF) as staff:
        await seed_project(app)
        await seed_issuer(admin)
        number = await issue_guarantee(app, BIDDER, application())
        steps = (await staff.get(f"/v1/guarantees/{number}")).json()["steps"]
    assert [s["to_status"] for s in steps][-1] == "issued"
    assert {s["actor"].split(" ")[0] for s in steps} >= {BIDDER.key_id, PICC.key_id}
    assert all(s["at"] for s in steps)


async def test_a_credit_records_history_names_the_key_and_the_time(credit: FastAPI) -> None:
    app = credit
    clerk = Principal(key_id="key-audit-recorder", tenant="*", scopes=frozenset({"credit:write"}))
    reviewer = Principal(key_id="key-audit-reviewer", tenant="*", scopes=frozenset({"credit:review"}))
    async with running(app), client_for(app, clerk) as client, client_for(app, reviewer) as review:
        assert (await client.post("/v1/enterprises", json={"credit_code": ENTERPRISE, "name": "便民区1号建设有限公司"})).status_code == 201
        created = await client.post(f"/v1/enterprises/{ENTERPRISE}/records",
                                    json={"kind": "late_performance", "occurred_on": "2026-02-20", "evidence": "通报"})
        if created.status_code != 201:
            kinds = (await client.get("/v1/rules")).text
            pytest.fail(f"{created.text} {kinds[:300]}")
        record_id = created.json()["id"]
        assert (await review.post(f"/v1/records/{record_id}/confirm", json={"note": "核实"})).status_code == 200
        history = (await review.get(f"/v1/records/{record_id}")).json()["history"]
    assert [h["status"] for h in history] == ["pending", "confirmed"]
    assert [h["by"] for h in history] == ["key-audit-recorder", "key-audit-reviewer"]
    assert all(h["at"] for h in history)
