"""Natural persons buy state property: registered by their own signed-in account with a checked resident ID
number (GB 11643) that never leaves the service, they pay deposits, bid and win (issue 21)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import pytest
from bidding_factories import CLERK, account, bidder_key, enterprise, project_body, register
from fastapi import FastAPI
from sqlalchemy import select

from bianmin.kit.clock import FixedClock
from bianmin.kit.identifiers import mask_resident_id, with_resident_id_check
from bianmin.kit.identity import Principal
from bianmin.kit.tables import outbox_event
from bianmin.kit.workdays import SHANGHAI
from bianmin.testing.client import client_for

CODE = "BM-SP-201"
RESERVE = "800000.00"
DEPOSIT = "80000.00"
# 20 working days after T0 (Monday 2 March 2026): the state-property disclosure's end (32号令 §13).
DEADLINE = datetime(2026, 3, 30, 17, 0, tzinfo=SHANGHAI)
ID_NUMBER = with_resident_id_check("33019919900307002")
OTHER_ID = with_resident_id_check("33019919851111003")
ZHANG = account("citizen", "cit:" + "a" * 64, scopes=frozenset({"bidding:bid"}), second_factor=False)
LI = account("citizen", "cit:" + "b" * 64, scopes=frozenset({"bidding:bid"}), second_factor=False)
ANYONE = Principal(key_id="anyone", tenant=None, scopes=frozenset())


def _person(number: str = ID_NUMBER, name: str = "张三丰") -> dict[str, str]:
    return {"id_number": number, "name": name, "contact_phone": "13812345678"}


async def _sale(app: FastAPI, code: str = CODE, category: str = "state_property") -> None:
    deposit = DEPOSIT if category == "state_property" else "160000.00"
    async with client_for(app, CLERK) as clerk:
        created = await clerk.post("/v1/projects", json=project_body(
            code, category=category, name="便民区国有资产经营公司持有的商铺", budget=RESERVE,
            bid_deadline=DEADLINE.isoformat(), opening_at=DEADLINE.isoformat(),
            sections=[{"code": "S1", "name": "商铺", "budget": RESERVE, "bid_bond_amount": deposit}]))
        assert created.status_code == 201, created.text
        setup = await clerk.post(f"/v1/projects/{code}/auction", json={
            "reserve_price": RESERVE, "increment": "10000.00", "sale_method": "auction",
            "starts_at": DEADLINE.isoformat(), "ends_at": (DEADLINE + timedelta(hours=1)).isoformat()})
        assert setup.status_code == 201, setup.text
        assert (await clerk.post(f"/v1/projects/{code}/publish")).status_code == 200


async def _post(app: FastAPI, who: Principal, path: str, body: dict[str, Any]) -> Any:
    async with client_for(app, who) as client:
        return await client.post(path, json=body)


async def test_a_person_registers_with_a_checked_id_number_from_their_own_account(app: FastAPI) -> None:
    await _sale(app)
    path = f"/v1/projects/{CODE}/sections/S1/registrations"
    bad_check = await _post(app, ZHANG, path, _person(ID_NUMBER[:17] + ("0" if ID_NUMBER[17] != "0" else "1")))
    both = await _post(app, ZHANG, path, {**_person(), "credit_code": enterprise(1)})
    neither = await _post(app, ZHANG, path, {"name": "张三丰"})
    by_an_app = await _post(app, bidder_key(1), path, _person())
    by_a_firm = await _post(app, account("enterprise", "firm-1", parties=(enterprise(1),),
                                         scopes=frozenset({"bidding:bid"})), path, _person())
    unverified = await _post(app, account("citizen", "app:k1:u9", scopes=frozenset({"bidding:bid"})), path, _person())
    own = await _post(app, ZHANG, path, _person())
    again = await _post(app, ZHANG, path, _person())
    someone_else = await _post(app, LI, path, _person())
    assert bad_check.status_code == 422
    assert bad_check.json()["errors"][0]["field"] == "id_number"
    assert both.json()["errors"][0]["field"] == "id_number"
    assert neither.json()["errors"][0]["field"] == "credit_code"
    assert by_an_app.json()["code"] == "not_the_bidder"
    assert by_a_firm.status_code == 403
    assert unverified.json()["code"] == "not_the_bidder"
    assert own.status_code == 201, own.text
    seen = own.json()
    assert seen["bidder_kind"] == "person"
    assert seen["credit_code"].startswith("Z")
    assert len(seen["credit_code"]) == 18
    assert seen["id_number"] == mask_resident_id(ID_NUMBER)
    assert seen["name"] == "张**"
    assert again.json()["code"] == "already_registered"
    assert someone_else.json()["code"] == "not_the_bidder"  # the number is bound to the account that registered it


async def test_only_state_property_takes_natural_persons_at_its_auction(app: FastAPI) -> None:
    sealed = project_body("BM-SP-203", category="state_property", budget=RESERVE, bid_deadline=DEADLINE.isoformat(),
                          opening_at=DEADLINE.isoformat(),
                          sections=[{"code": "S1", "name": "车辆", "budget": RESERVE, "bid_bond_amount": DEPOSIT}])
    async with client_for(app, CLERK) as clerk:
        for body in (project_body(), sealed):
            assert (await clerk.post("/v1/projects", json=body)).status_code == 201
            assert (await clerk.post(f"/v1/projects/{body['code']}/publish")).status_code == 200
    tender = await _post(app, ZHANG, "/v1/projects/BM-2026-001/sections/S1/registrations", _person())
    no_auction = await _post(app, ZHANG, "/v1/projects/BM-SP-203/sections/S1/registrations", _person())
    assert tender.status_code == 422
    assert tender.json()["errors"][0]["field"] == "id_number"
    assert no_auction.status_code == 422
    assert "auction" in no_auction.json()["errors"][0]["reason"]


async def test_one_account_is_one_person(app: FastAPI) -> None:
    await _sale(app)
    await _sale(app, "BM-SP-202")
    first = await _post(app, ZHANG, f"/v1/projects/{CODE}/sections/S1/registrations", _person())
    other_person = await _post(app, ZHANG, "/v1/projects/BM-SP-202/sections/S1/registrations", _person(OTHER_ID, "李四"))
    same_person = await _post(app, ZHANG, "/v1/projects/BM-SP-202/sections/S1/registrations", _person())
    assert first.status_code == 201
    assert other_person.json()["code"] == "not_the_bidder"
    assert same_person.status_code == 201
    assert same_person.json()["credit_code"] == first.json()["credit_code"]  # one bidder code per person


async def test_a_person_pays_a_deposit_bids_and_wins_and_the_id_number_never_leaves(
        app: FastAPI, clock: FixedClock, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)  # the platform logs at INFO (settings.log_level)
    await _sale(app)
    person = (await _post(app, ZHANG, f"/v1/projects/{CODE}/sections/S1/registrations", _person())).json()
    code = person["credit_code"]
    async with client_for(app, bidder_key(1)) as firm:
        assert (await register(firm, CODE, 1)).status_code == 201
    for n, bidder in enumerate((code, enterprise(1))):
        deposit = await _post(app, CLERK, "/v1/deposits", {
            "project_code": CODE, "section_code": "S1", "credit_code": bidder, "amount": DEPOSIT,
            "account": f"62220000{n:04d}", "reference": f"P{n}"})
        assert deposit.status_code == 201, deposit.text
    clock.at = DEADLINE
    assert (await _post(app, CLERK, f"/v1/projects/{CODE}/close", {})).status_code == 200
    bids = f"/v1/projects/{CODE}/auction/bids"
    first = await _post(app, ZHANG, bids, {"credit_code": code, "amount": "800000.00"})
    rival = await _post(app, bidder_key(1), bids, {"credit_code": enterprise(1), "amount": "810000.00"})
    impostor = await _post(app, LI, bids, {"credit_code": code, "amount": "820000.00"})
    app_for_person = await _post(app, bidder_key(1), bids, {"credit_code": code, "amount": "820000.00"})
    winning = await _post(app, ZHANG, bids, {"credit_code": code, "amount": "820000.00"})
    assert first.status_code == 200, first.text
    assert rival.status_code == 200, rival.text
    assert impostor.json()["code"] == "not_the_bidder"
    assert app_for_person.json()["code"] == "not_the_bidder"
    assert winning.status_code == 200, winning.text
    clock.at = DEADLINE + timedelta(hours=1)
    finished = (await _post(app, CLERK, f"/v1/projects/{CODE}/auction/finish", {})).json()
    assert finished["winner_credit_code"] == code
    clock.advance(timedelta(days=3))
    awarded = await _post(app, CLERK, f"/v1/projects/{CODE}/award", {})
    assert awarded.status_code == 200, awarded.text
    assert awarded.json()["sections"][0]["winner_credit_code"] == code

    seen: list[str] = [str(person), str(finished), awarded.text]
    async with client_for(app, ANYONE) as public:
        for path in (f"/v1/projects/{CODE}", f"/v1/projects/{CODE}/auction", bids, f"/v1/projects/{CODE}/ocds",
                     "/v1/ocds/releases", f"/v1/projects/{CODE}/transitions"):
            response = await public.get(path)
            assert response.status_code == 200, (path, response.text)
            seen.append(response.text)
    async with client_for(app, CLERK) as clerk:
        for path in (f"/v1/projects/{CODE}/deposits", f"/v1/projects/{CODE}/archive"):
            response = await clerk.get(path)
            assert response.status_code == 200, (path, response.text)
            seen.append(response.text)
    async with app.state.db.sessionmaker() as session:
        events = (await session.execute(select(outbox_event.c.body))).scalars().all()
    assert events
    seen.extend(str(body) for body in events)
    seen.append(caplog.text)
    leaked = [text[:200] for text in seen if ID_NUMBER in text or "张三丰" in text]
    assert leaked == []
    ocds = seen[6]  # the buyer appears under its bidder code and masked name, in the platform's own scheme
    assert f'"X-BIANMIN-PERSON-{code}"' in ocds
    assert "张**" in ocds
    assert f"CN-USCC-{code}" not in ocds
