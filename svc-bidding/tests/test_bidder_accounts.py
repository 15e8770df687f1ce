"""Enterprise accounts act only for the credit codes bound to them after proof, never a code they name (issue 19)."""

from __future__ import annotations

from bidding_factories import CLERK, account, enterprise, project_body, register, submit
from fastapi import FastAPI

from bianmin.kit.identity import Principal
from bianmin.testing.client import client_for

CODE = "BM-2026-001"


def firm(n: int, *, app_scopes: frozenset[str] = frozenset({"bidding:bid"})) -> Principal:
    """The account of enterprise ``n``'s staff, bound to its credit code, through a bidder app."""
    return account("enterprise", f"firm-{n}", parties=(enterprise(n),), scopes=app_scopes, second_factor=False)


async def _published(app: FastAPI) -> None:
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post("/v1/projects", json=project_body(CODE))).status_code == 201
        assert (await clerk.post(f"/v1/projects/{CODE}/publish")).status_code == 200


async def test_an_enterprise_account_registers_and_bids_for_its_own_code_only(app: FastAPI) -> None:
    await _published(app)
    async with client_for(app, firm(1)) as mine:
        own = await register(mine, CODE, 1)
        other = await register(mine, CODE, 2)
        bid, _ = await submit(mine, CODE, 1, "900000.00")
        foreign_bid, _ = await submit(mine, CODE, 2, "800000.00")
        own_history = await mine.get(f"/v1/projects/{CODE}/sections/S1/bids", params={"credit_code": enterprise(1)})
        foreign_history = await mine.get(f"/v1/projects/{CODE}/sections/S1/bids", params={"credit_code": enterprise(2)})
    assert own.status_code == 201, own.text
    assert other.json()["code"] == "not_the_bidder"
    assert bid.status_code == 201, bid.text
    assert foreign_bid.json()["code"] == "not_the_bidder"
    assert own_history.status_code == 200
    assert foreign_history.json()["code"] == "not_the_bidder"


async def test_the_apps_party_scopes_count_for_nothing_once_a_person_signs_in(app: FastAPI) -> None:
    await _published(app)
    # The bidder app was bound to enterprise 2 by an operator, but the person signed in holds enterprise 1 only.
    scopes = frozenset({"bidding:bid", f"bidding:bidder:{enterprise(2)}"})
    async with client_for(app, firm(1, app_scopes=scopes)) as mine:
        named = await register(mine, CODE, 2)
    unbound = account("enterprise", "firm-x", scopes=frozenset({"bidding:bid"}))
    async with client_for(app, unbound) as nobody:
        unproven = await register(nobody, CODE, 1)
    async with client_for(app, account("staff", "agent", "tender_agent")) as agent:
        by_staff = await register(agent, CODE, 1)
    assert named.json()["code"] == "not_the_bidder"
    assert unproven.json()["code"] == "not_the_bidder"
    assert by_staff.json()["code"] == "subject_not_allowed"


async def test_a_bidders_contact_phone_is_kept_masked_in_the_archive(app: FastAPI) -> None:
    await _published(app)
    async with client_for(app, firm(1)) as mine:
        registered = await mine.post(f"/v1/projects/{CODE}/sections/S1/registrations",
                                     json={"credit_code": enterprise(1), "name": "便民区1号建设有限公司",
                                           "contact_phone": "13812345678"})
    assert registered.status_code == 201, registered.text
    assert "contact_phone" not in registered.json()
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{CODE}/cancel", json={"reason": "预算调整"})).status_code == 200
        archived = (await clerk.get(f"/v1/projects/{CODE}/archive")).json()
    assert archived["parts"]["registrations"][0]["contact_phone"] == "138****5678"
    assert "13812345678" not in str(archived)
