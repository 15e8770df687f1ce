"""Events on a real NATS: the deposit and eligibility read models, and what bidding publishes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bidding_factories import CLERK, DEADLINE, T0, bidder_key, enterprise, project_body, register, submit
from sqlalchemy import select

from bianmin.bidding.app import create_app
from bianmin.bidding.models import Deposit, EnterpriseColor
from bianmin.bidding.settings import BiddingSettings
from bianmin.contracts.events.credit import ColorChanged
from bianmin.contracts.events.guarantee import GuaranteeStatusChanged
from bianmin.kit.clock import FixedClock
from bianmin.testing.client import client_for, running
from bianmin.testing.events import eventually, publish, published
from bianmin.testing.nats import NatsServer

CODE = "BM-2026-001"


def _guarantee(n: int) -> GuaranteeStatusChanged:
    return GuaranteeStatusChanged(number=f"BH{n:06d}", type="bid_bond", project_code=CODE, section_code="S1",
                                  applicant_credit_code=enterprise(n), issuer_code="ISS1", amount=Decimal("20000.00"),
                                  expires_on=date(2026, 6, 30), occurred_at=T0)


async def test_guarantees_and_colors_feed_the_read_models_and_bids_are_announced(
        settings: BiddingSettings, fresh_nats: NatsServer) -> None:
    app = create_app(settings.model_copy(update={"events_enabled": True, "nats_url": fresh_nats.url}),
                     clock=FixedClock(T0))
    async with running(app):
        await publish(fresh_nats.url, "guarantee.guarantee.issued", _guarantee(1))
        await publish(fresh_nats.url, "credit.enterprise.color_changed", ColorChanged(
            credit_code=enterprise(2), name="便民区2号建设有限公司", old_color="yellow", new_color="red",
            score=Decimal("40"), rule_version=1, reason="collusion", changed_at=T0))

        async def applied() -> bool:
            async with app.state.db.sessionmaker() as session:
                deposit = (await session.execute(select(Deposit))).scalar_one_or_none()
                color = await session.get(EnterpriseColor, enterprise(2))
                return deposit is not None and deposit.status == "secured" and color is not None
        await eventually(applied)
        await publish(fresh_nats.url, "guarantee.guarantee.released", _guarantee(1))

        async def released() -> bool:
            async with app.state.db.sessionmaker() as session:
                return (await session.execute(select(Deposit.status))).scalar_one() == "released"
        await eventually(released)

        async with client_for(app, CLERK) as clerk:
            await clerk.post("/v1/projects", json=project_body())
            await clerk.post(f"/v1/projects/{CODE}/publish")
        async with client_for(app, bidder_key(2)) as barred:
            refused = await register(barred, CODE, 2)
        assert refused.status_code == 403
        assert refused.json()["code"] == "credit_barred"
        async with client_for(app, bidder_key(1)) as bidder:
            await register(bidder, CODE, 1)
            receipt, _ = await submit(bidder, CODE, 1, "900000.00")

        async def announced() -> bool:
            subjects = {e.nats_subject for e in await published(fresh_nats.url, "bidding.>", wait=0.2)}
            return {"bidding.project.published", "bidding.bid.submitted"} <= subjects
        await eventually(announced)
        events = await published(fresh_nats.url, "bidding.>", wait=0.2)
        submitted = next(e for e in events if e.nats_subject == "bidding.bid.submitted")
        assert submitted.data == {"project_code": CODE, "section_code": "S1",
                                  "commitment": receipt.json()["commitment"],
                                  "received_at": submitted.data["received_at"]}
        announced_terms = next(e for e in events if e.nats_subject == "bidding.project.published").data
        assert announced_terms["sections"][0]["bid_bond_amount"] == "20000.00"
        assert announced_terms["bid_deadline"].startswith(DEADLINE.date().isoformat())
