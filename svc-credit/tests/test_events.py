"""The consumers (collusion, default, claim) and the color_changed event, on a real NATS."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from bianmin.contracts.events.bidding import BidderDefaulted, CollusionConfirmed
from bianmin.contracts.events.guarantee import GuaranteeStatusChanged
from bianmin.credit.app import create_app
from bianmin.credit.models import BadRecord, Enterprise
from bianmin.credit.settings import CreditSettings
from bianmin.kit.clock import FixedClock
from bianmin.kit.tables import inbox_event
from bianmin.testing.client import client_for, running
from bianmin.testing.events import envelope, eventually, jetstream, publish, published
from bianmin.testing.nats import NatsServer

from .credit_factories import code, register

AT = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
async def live_app(settings: CreditSettings, clock: FixedClock, fresh_nats: NatsServer) -> AsyncIterator[FastAPI]:
    """The app with its relay and consumers on a NATS of this test alone."""
    live = settings.model_copy(update={"events_enabled": True, "nats_url": fresh_nats.url,
                                       "consumer_backoff_seconds": [0.1]})
    application = create_app(live, clock=clock)
    async with running(application):
        yield application


async def count_records(app: FastAPI, **where: object) -> int:
    async with app.state.db.sessionmaker() as session:
        query = select(func.count()).select_from(BadRecord)
        for name, value in where.items():
            query = query.where(getattr(BadRecord, name) == value)
        return int(await session.scalar(query) or 0)


async def test_a_confirmed_collusion_makes_every_enterprise_red_and_is_announced(
        live_app: FastAPI, fresh_nats: NatsServer, db_backend: str) -> None:
    await register(live_app, 1)
    payload = CollusionConfirmed(project_code="BM-2026-001", section_code="01", site_code="330199000", flag_id="F-7",
                                 screens=["identical_prices"], credit_codes=[code(1), code(2)], confirmed_by="监督员",
                                 confirmed_at=AT)
    await publish(fresh_nats.url, "bidding.collusion.confirmed", payload)

    async def both_recorded() -> bool:
        return await count_records(live_app, status="confirmed", kind="collusion") == 2

    await eventually(both_recorded)
    async with live_app.state.db.sessionmaker() as session:
        stub = await session.scalar(select(Enterprise).where(Enterprise.credit_code == code(2)))
    assert stub is not None
    assert stub.name is None
    assert stub.color == "red"

    async def announced() -> bool:
        events = await published(fresh_nats.url, "credit.enterprise.color_changed", wait=0.2)
        return sum(e.data["new_color"] == "red" for e in events) == 2

    await eventually(announced)
    events = await published(fresh_nats.url, "credit.enterprise.color_changed", wait=0.2)
    red = next(e for e in events if e.data["credit_code"] == code(1) and e.data["new_color"] == "red")
    assert (red.data["old_color"], red.data["rule_version"], red.subject) == ("green", 1, code(1))
    assert "collusion" in red.data["reason"]


async def test_a_redelivered_or_repeated_default_is_recorded_once(
        live_app: FastAPI, fresh_nats: NatsServer, db_backend: str) -> None:
    await register(live_app, 3)
    payload = BidderDefaulted(project_code="BM-2026-002", section_code="01", credit_code=code(3), site_code="330199001",
                              reason="refused_to_sign", detail="中标后拒绝签订合同", occurred_at=AT)
    event = envelope("bidding.bidder.defaulted", payload)
    async with jetstream(fresh_nats.url) as js:
        await js.publish("bidding.bidder.defaulted", event.model_dump_json().encode())
        await js.publish("bidding.bidder.defaulted", event.model_dump_json().encode())
    await publish(fresh_nats.url, "bidding.bidder.defaulted", payload)  # the same fact under a new event id

    async def recorded() -> bool:
        return await count_records(live_app, kind="refused_to_sign") >= 1

    await eventually(recorded)
    await eventually(lambda: _consumed(live_app, 2))
    assert await count_records(live_app, kind="refused_to_sign", status="confirmed", site_code="330199001") == 1
    async with client_for(live_app) as client:
        color = (await client.get(f"/v1/enterprises/{code(3)}/color")).json()
    assert (color["color"], color["score"]) == ("blue", "90.00")


async def test_a_claim_is_recorded_pending_for_a_reviewer(
        live_app: FastAPI, fresh_nats: NatsServer, db_backend: str) -> None:
    payload = GuaranteeStatusChanged(number="BH2026000001", type="bid_bond", project_code="BM-2026-003",
                                     section_code="01", applicant_credit_code=code(4), issuer_code="B01",
                                     amount=Decimal("20000.00"), expires_on=AT.date(), occurred_at=AT)
    await publish(fresh_nats.url, "guarantee.guarantee.claimed", payload)

    async def recorded() -> bool:
        return await count_records(live_app, kind="guarantee_claimed", status="pending") == 1

    await eventually(recorded)
    async with client_for(live_app) as client:
        color = (await client.get(f"/v1/enterprises/{code(4)}/color")).json()
    assert color["color"] == "green"


async def _consumed(app: FastAPI, expected: int) -> bool:
    async with app.state.db.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(inbox_event)) or 0) >= expected
