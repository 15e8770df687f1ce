"""The event flows with bidding and credit on a real NATS JetStream."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from guarantee_factories import BIDDER, BIDDER2, BIDDER_1, BIDDER_2, PICC, STAFF, application, published, seed_issuer
from sqlalchemy import select

from bianmin.contracts.events.bidding import BidderDefaulted, ProjectAwarded, SectionAward
from bianmin.contracts.events.credit import ColorChanged
from bianmin.guarantee.app import create_app
from bianmin.guarantee.models import Claim, EnterpriseColor, Guarantee, Project
from bianmin.guarantee.settings import GuaranteeSettings
from bianmin.kit.clock import FixedClock
from bianmin.testing.client import client_for, running
from bianmin.testing.events import eventually, publish
from bianmin.testing.events import published as stored
from bianmin.testing.nats import NatsServer


async def test_tenders_awards_defaults_and_colors_flow_in_and_guarantee_events_flow_out(
        settings: GuaranteeSettings, fresh_nats: NatsServer) -> None:
    settings = settings.model_copy(update={"events_enabled": True, "nats_url": fresh_nats.url})
    now = datetime.now(UTC).replace(microsecond=0)
    clock = FixedClock(now - timedelta(hours=1))
    app = create_app(settings, clock=clock)
    tender = published(now=now)
    async with running(app):
        def exists(model: type, *where: Any) -> Callable[[], Awaitable[bool]]:
            async def check() -> bool:
                async with app.state.db.sessionmaker() as session:
                    return (await session.execute(select(model).where(*where).limit(1))).first() is not None
            return check

        await publish(fresh_nats.url, "bidding.project.published", tender, tenant=tender.site_code)
        await eventually(exists(Project, Project.code == tender.code))
        await publish(fresh_nats.url, "credit.enterprise.color_changed", ColorChanged(
            credit_code=BIDDER_1, name="便民区1号", old_color=None, new_color="blue", score=Decimal(90),
            rule_version=1, reason="初评", changed_at=now))
        await eventually(exists(EnterpriseColor, EnterpriseColor.color == "blue"))

        expiry = (now + timedelta(days=120)).date().isoformat()  # beyond the 90-day bid validity after the deadline
        numbers = {}
        async with client_for(app, STAFF) as staff, client_for(app, PICC) as picc:
            await seed_issuer(staff)
            for who, credit in ((BIDDER, BIDDER_1), (BIDDER2, BIDDER_2)):
                async with client_for(app, who) as bidder:
                    applied = await bidder.post("/v1/guarantees", json=application(
                        applicant_credit_code=credit, expires_on=expiry))
                    assert applied.status_code == 201, applied.text
                number = applied.json()["number"]
                await picc.post(f"/v1/guarantees/{number}/underwrite")
                assert (await picc.post(f"/v1/guarantees/{number}/issue")).status_code == 200
                numbers[credit] = number

        async def issued_out() -> bool:
            return len(await stored(fresh_nats.url, "guarantee.guarantee.issued", wait=0.2)) == 2

        await eventually(issued_out)

        await publish(fresh_nats.url, "bidding.project.awarded", ProjectAwarded(
            code=tender.code, site_code=tender.site_code, awarded_at=now, sections=[SectionAward(
                code="S1", winner_credit_code=BIDDER_1, award_amount=Decimal("4500000.00"),
                bidder_credit_codes=[BIDDER_1, BIDDER_2])]))
        await eventually(exists(Guarantee, Guarantee.status == "released"))
        await publish(fresh_nats.url, "bidding.bidder.defaulted", BidderDefaulted(
            project_code=tender.code, section_code="S1", credit_code=BIDDER_1, site_code=tender.site_code,
            reason="refused_to_sign", detail="中标后拒签合同", occurred_at=now))
        await eventually(exists(Claim))

        async def claimed_out() -> bool:
            return len(await stored(fresh_nats.url, "guarantee.guarantee.claimed", wait=0.2)) == 1

        await eventually(claimed_out)
        released = await stored(fresh_nats.url, "guarantee.guarantee.released", wait=0.2)
        issued = await stored(fresh_nats.url, "guarantee.guarantee.issued", wait=0.2)
        async with app.state.db.sessionmaker() as session:
            winner = (await session.execute(select(Guarantee).where(Guarantee.number == numbers[BIDDER_1]))).scalar_one()
            loser = (await session.execute(select(Guarantee).where(Guarantee.number == numbers[BIDDER_2]))).scalar_one()
            claim = (await session.execute(select(Claim))).scalar_one()
    assert [e.data["number"] for e in released] == [numbers[BIDDER_2]]
    assert {e.data["applicant_credit_code"] for e in issued} == {BIDDER_1, BIDDER_2}
    assert issued[0].tenant == tender.site_code
    assert issued[0].data["amount"] == "20000.00"
    assert winner.status == "claimed"
    assert winner.applicant_color == "blue"
    assert claim.source == "bidding.bidder.defaulted"
    assert claim.filed_at == loser.closed_at == clock.now()  # the app's clock, not the wall
    assert claim.amount == Decimal("20000.00")
    assert "拒签" in claim.statement
