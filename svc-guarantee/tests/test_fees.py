"""Fee rounding, tariff dates, color discounts and the public quotes."""

from decimal import Decimal

import pytest
from fastapi import FastAPI
from guarantee_factories import BIDDER, BIDDER_1, NOW, PICC, STAFF, seed_issuer

from bianmin.contracts.events.credit import ColorChanged
from bianmin.guarantee.domain import projects
from bianmin.guarantee.domain.issuers import fee_fen, fen_to_yuan
from bianmin.kit.identity import ANONYMOUS
from bianmin.testing.client import client_for


@pytest.mark.parametrize(("amount", "rate", "minimum", "discount", "expected"), [
    ("20000.00", "0.0015", 30000, "0", 30000),        # 30.00 is below the 300.00 minimum
    ("1000000.00", "0.0015", 30000, "0", 150000),     # 1500.00
    ("333333.33", "0.0015", 0, "0", 50000),           # 499.999995 → 500.00 (half-up at the fen)
    ("100.10", "0.005", 0, "0", 50),                  # 0.5005 → 0.50
    ("100.30", "0.005", 0, "0", 50),                  # 0.5015 → 0.50
    ("101.00", "0.005", 0, "0", 51),                  # 0.505 → 0.51 (half-up, not half-even)
    ("1000000.00", "0.0015", 30000, "0.10", 135000),  # green discount 10 %
    ("100000.00", "0.0015", 30000, "0.50", 30000),    # discount never goes below the minimum
])
def test_the_fee_is_the_rate_or_the_minimum_rounded_half_up(amount: str, rate: str, minimum: int, discount: str,
                                                             expected: int) -> None:
    assert fee_fen(Decimal(amount), Decimal(rate), minimum, Decimal(discount)) == expected


def test_half_up_differs_from_bankers_rounding() -> None:
    assert fee_fen(Decimal("50.00"), Decimal("0.0005"), 0) == 3  # 0.025 yuan → 3 fen (half-even would give 2)
    assert fen_to_yuan(12345) == Decimal("123.45")


def test_nonsense_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        fee_fen(Decimal(-1), Decimal("0.01"), 0)
    with pytest.raises(ValueError, match="fraction"):
        fee_fen(Decimal(1), Decimal("0.01"), 0, Decimal("1.5"))


async def test_the_tariff_in_force_on_the_date_applies_and_quotes_compare_issuers(
        clocked_app: FastAPI, db_backend: str) -> None:
    async with clocked_app.state.db.sessionmaker() as session:
        await projects.apply_color(session, ColorChanged(
            credit_code=BIDDER_1, name="x", old_color=None, new_color="green", score=98, rule_version=1, reason="r",
            changed_at=NOW))
        await session.commit()
    async with client_for(clocked_app, STAFF) as staff, client_for(clocked_app, ANONYMOUS) as public, \
            client_for(clocked_app, PICC) as picc, client_for(clocked_app, BIDDER) as bidder:
        await seed_issuer(staff, "PICC", rate="0.0015", minimum="300.00")
        await seed_issuer(staff, "BOC", rate="0.0010", minimum="500.00", kind="bank")
        raised = await picc.post("/v1/issuers/PICC/tariffs", json={
            "type": "bid_bond", "effective_from": "2026-04-01", "rate": "0.0020", "minimum_fee": "300.00"})
        clash = await picc.post("/v1/issuers/PICC/tariffs", json={
            "type": "bid_bond", "effective_from": "2026-04-01", "rate": "0.0030", "minimum_fee": "300.00"})
        foreign = await picc.post("/v1/issuers/BOC/tariffs", json={
            "type": "bid_bond", "effective_from": "2026-05-01", "rate": "0.0001", "minimum_fee": "1.00"})
        negative = await picc.post("/v1/issuers/PICC/tariffs", json={
            "type": "bid_bond", "effective_from": "2026-05-01", "rate": "-0.1", "minimum_fee": "1.00"})
        await picc.put("/v1/issuers/PICC/color-rules/green", json={"discount": "0.10"})
        march = (await public.get("/v1/quotes", params={"amount": "1000000.00"})).json()
        april = (await public.get("/v1/quotes", params={"amount": "1000000.00", "on": "2026-04-01"})).json()
        green = (await public.get("/v1/quotes", params={"amount": "1000000.00", "credit_code": BIDDER_1})).json()
        bad = await public.get("/v1/quotes", params={"amount": "-5"})
        floaty = await public.get("/v1/quotes", params={"amount": "1.234"})
        tariffs = (await bidder.get("/v1/issuers/PICC/tariffs")).json()
    assert raised.status_code == 201
    assert clash.status_code == 409
    assert foreign.status_code == 403
    assert negative.status_code == 422
    assert [(q["issuer_code"], q["fee"]) for q in march] == [("BOC", "1000.00"), ("PICC", "1500.00")]
    assert [(q["issuer_code"], q["fee"]) for q in april] == [("BOC", "1000.00"), ("PICC", "2000.00")]
    assert march[0]["effective_rate"] == "0.001000"
    assert [(q["issuer_code"], q["fee"], q["color"]) for q in green][1] == ("PICC", "1350.00", "green")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "amount"
    assert floaty.status_code == 422
    assert len(tariffs) == 3


async def test_issuers_are_registered_by_district_staff_only(clocked_app: FastAPI, db_backend: str) -> None:
    from bianmin.kit.identity import Principal

    township = Principal(key_id="k-town", tenant="330199001", scopes=frozenset({"guarantee:write"}))
    body = {"code": "ABC", "name": "x", "kind": "bank", "credit_code": BIDDER_1,
            "max_single_amount": "10.00", "max_outstanding_amount": "100.00"}
    async with client_for(clocked_app, township) as town, client_for(clocked_app, STAFF) as staff:
        refused = await town.post("/v1/issuers", json=body)
        bad_code = await staff.post("/v1/issuers", json={**body, "code": "abc"})
        bad_limits = await staff.post("/v1/issuers", json={**body, "max_outstanding_amount": "1.00"})
        created = await staff.post("/v1/issuers", json=body)
        twice = await staff.post("/v1/issuers", json=body)
        missing = await staff.get("/v1/issuers/NOPE")
    assert refused.status_code == 403
    assert bad_code.status_code == 422
    assert bad_limits.status_code == 422
    assert created.status_code == 201
    assert twice.status_code == 409
    assert missing.status_code == 404
