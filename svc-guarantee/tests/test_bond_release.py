"""Every bid bond is released when its tender ends for it (招标投标法实施条例 §57).

The paths: a failed or cancelled section, a loser after the award, the winner once its contract is
signed or its performance bond is issued; and a bond a demand held when its tender ended, once the
demand is rejected.
"""

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from fastapi import FastAPI
from guarantee_factories import (
    BENEFICIARY,
    BIDDER,
    BIDDER2,
    BIDDER_1,
    BIDDER_2,
    NOW,
    PICC,
    SITE,
    STAFF,
    application,
    award,
    issue_guarantee,
    published,
    seed_issuer,
    seed_project,
)
from sqlalchemy import select

from bianmin.contracts.events.bidding import (
    BidderDefaulted,
    ContractSigned,
    ProjectAwarded,
    ProjectPublished,
    ProjectStatusChanged,
    SectionAward,
    SectionFailed,
)
from bianmin.guarantee.app import create_app
from bianmin.guarantee.domain import claims, projects
from bianmin.guarantee.domain.keys import KeyRing
from bianmin.guarantee.models import Claim, Guarantee, ProjectSection
from bianmin.guarantee.settings import GuaranteeSettings
from bianmin.kit.calendar import load_calendar
from bianmin.kit.clock import FixedClock
from bianmin.testing.client import client_for, running
from bianmin.testing.events import eventually, publish
from bianmin.testing.nats import NatsServer

PERFORMANCE = {"type": "performance", "amount": "400000.00", "expires_on": "2027-03-01"}


async def _fail(app: FastAPI, *sections: str) -> list[str]:
    payload = ProjectStatusChanged(code="BM-2026-001", site_code=SITE, status="failed", reason="有效投标不足三家",
                                   occurred_at=NOW, failed_section_codes=list(sections))
    async with app.state.db.sessionmaker() as session:
        released = await projects.apply_status(session, payload, keyring=KeyRing.from_settings(app.state.settings),
                                               now=app.state.clock.now())
        await session.commit()
    return released


async def _tender_known(app: FastAPI, nats_url: str, tender: ProjectPublished) -> None:
    """Announce ``tender`` as bidding does, wait until the guarantee service knows it, and add the issuer."""
    await publish(nats_url, "bidding.project.published", tender, tenant=SITE)

    async def known() -> bool:
        async with client_for(app, STAFF) as staff:
            return (await staff.get(f"/v1/projects/{tender.code}")).status_code == 200

    await eventually(known)
    async with client_for(app, STAFF) as staff:
        await seed_issuer(staff)


@contextlib.asynccontextmanager
async def _three_bonds(settings: GuaranteeSettings, nats: NatsServer) -> AsyncIterator[
        tuple[FastAPI, ProjectPublished, datetime, tuple[str, str, str]]]:
    """A running app on ``nats`` that knows a tender, with bid bonds of two bidders in S1 and of the first in S2."""
    now = datetime.now(UTC).replace(microsecond=0)
    app = create_app(settings.model_copy(update={"events_enabled": True, "nats_url": nats.url}),
                     clock=FixedClock(now - timedelta(hours=1)))
    tender = published(now=now)
    expiry = (now + timedelta(days=120)).date().isoformat()
    async with running(app):
        await _tender_known(app, nats.url, tender)
        first = await issue_guarantee(app, BIDDER, application(expires_on=expiry))
        second = await issue_guarantee(app, BIDDER2, application(
            applicant_credit_code=BIDDER_2, applicant_name="二号", expires_on=expiry))
        other_section = await issue_guarantee(app, BIDDER, application(
            section_code="S2", amount="10000.00", expires_on=expiry))
        yield app, tender, now, (first, second, other_section)


async def _status(app: FastAPI, number: str) -> str:
    async with client_for(app, STAFF) as staff:
        return str((await staff.get(f"/v1/guarantees/{number}")).json()["status"])


async def test_each_way_a_tender_ends_releases_the_bid_bonds_it_ends_for(
        settings: GuaranteeSettings, fresh_nats: NatsServer) -> None:
    async with _three_bonds(settings, fresh_nats) as (app, tender, now, (winner, loser, other_section)):

        def released(number: str) -> Callable[[], Awaitable[bool]]:
            async def check() -> bool:
                return await _status(app, number) == "released"
            return check

        await publish(fresh_nats.url, "bidding.project.failed", ProjectStatusChanged(
            code=tender.code, site_code=SITE, status="failed", reason="S2 有效投标不足三家", occurred_at=now,
            failed_section_codes=["S2"]), tenant=SITE)
        await eventually(released(other_section))
        after_failure = [await _status(app, n) for n in (winner, loser)]
        await publish(fresh_nats.url, "bidding.project.awarded", ProjectAwarded(
            code=tender.code, site_code=SITE, awarded_at=now, sections=[SectionAward(
                code="S1", winner_credit_code=BIDDER_1, award_amount=Decimal("4500000.00"),
                bidder_credit_codes=[BIDDER_1, BIDDER_2])]), tenant=SITE)
        await eventually(released(loser))
        after_award = await _status(app, winner)
        await issue_guarantee(app, BIDDER, application(**PERFORMANCE))
        after_performance = await _status(app, winner)
        async with app.state.db.sessionmaker() as session:
            rows = (await session.execute(select(Guarantee).where(Guarantee.type == "bid_bond"))).scalars().all()
    assert after_failure == ["issued", "issued"]
    assert after_award == "issued"
    assert after_performance == "released"
    assert {g.number: g.status for g in rows} == {winner: "released", loser: "released", other_section: "released"}


async def test_a_bond_a_demand_held_when_its_section_was_awarded_is_released_when_the_demand_is_rejected(
        clocked_app: FastAPI, db_backend: str) -> None:
    async with client_for(clocked_app, STAFF) as staff:
        await seed_issuer(staff)
    await seed_project(clocked_app)
    await issue_guarantee(clocked_app, BIDDER, application())
    loser = await issue_guarantee(clocked_app, BIDDER2, application(applicant_credit_code=BIDDER_2,
                                                                    applicant_name="二号"))
    async with client_for(clocked_app, BENEFICIARY) as tenderer:
        claim = (await tenderer.post(f"/v1/guarantees/{loser}/claims", json={
            "amount": "20000.00", "statement": "投标人撤回投标"})).json()["number"]
    released_at_award = await award(clocked_app, BIDDER_1)
    held = await _status(clocked_app, loser)
    async with client_for(clocked_app, PICC) as picc:
        rejected = await picc.post(f"/v1/claims/{claim}/reject", json={"discrepancies": ["未附撤回证明"]})
    assert released_at_award == []
    assert held == "claimed"
    assert rejected.status_code == 200, rejected.text
    assert await _status(clocked_app, loser) == "released"


async def test_a_bond_a_demand_held_when_its_section_failed_is_released_when_the_demand_is_rejected(
        clocked_app: FastAPI, db_backend: str) -> None:
    async with client_for(clocked_app, STAFF) as staff:
        await seed_issuer(staff)
    await seed_project(clocked_app)
    number = await issue_guarantee(clocked_app, BIDDER, application())
    async with client_for(clocked_app, BENEFICIARY) as tenderer:
        claim = (await tenderer.post(f"/v1/guarantees/{number}/claims", json={
            "amount": "20000.00", "statement": "投标人撤回投标"})).json()["number"]
    released_at_failure = await _fail(clocked_app, "S1")
    async with client_for(clocked_app, PICC) as picc:
        await picc.post(f"/v1/claims/{claim}/reject", json={"discrepancies": ["未附撤回证明"]})
    assert released_at_failure == []
    assert await _status(clocked_app, number) == "released"


async def test_a_bid_bond_is_not_issued_once_its_tender_ended_for_it(clocked_app: FastAPI, db_backend: str) -> None:
    async with client_for(clocked_app, STAFF) as staff:
        await seed_issuer(staff)
    await seed_project(clocked_app)
    async with (client_for(clocked_app, BIDDER) as bidder, client_for(clocked_app, BIDDER2) as other,
                client_for(clocked_app, PICC) as picc):
        loser = (await other.post("/v1/guarantees", json=application(
            applicant_credit_code=BIDDER_2, applicant_name="二号"))).json()["number"]
        failed = (await bidder.post("/v1/guarantees", json=application(
            section_code="S2", amount="10000.00"))).json()["number"]
        for number in (loser, failed):
            await picc.post(f"/v1/guarantees/{number}/underwrite")
        await award(clocked_app, BIDDER_1)
        await _fail(clocked_app, "S2")
        refused = [await picc.post(f"/v1/guarantees/{number}/issue") for number in (loser, failed)]
    assert [r.status_code for r in refused] == [409, 409]
    assert [r.json()["code"] for r in refused] == ["tender_ended", "tender_ended"]
    assert "another bidder" in refused[0].json()["detail"]
    assert "failed" in refused[1].json()["detail"]
    assert [await _status(clocked_app, n) for n in (loser, failed)] == ["underwriting", "underwriting"]


async def test_a_winners_bond_a_demand_held_when_its_performance_bond_was_issued_is_released_after_the_demand(
        clocked_app: FastAPI, db_backend: str) -> None:
    async with client_for(clocked_app, STAFF) as staff:
        await seed_issuer(staff)
    await seed_project(clocked_app)
    winner = await issue_guarantee(clocked_app, BIDDER, application())
    await award(clocked_app, BIDDER_1)
    async with client_for(clocked_app, BENEFICIARY) as tenderer:
        claim = (await tenderer.post(f"/v1/guarantees/{winner}/claims", json={
            "amount": "20000.00", "statement": "中标人未按期签约"})).json()["number"]
    await issue_guarantee(clocked_app, BIDDER, application(**PERFORMANCE))
    held = await _status(clocked_app, winner)
    async with client_for(clocked_app, PICC) as picc:
        await picc.post(f"/v1/claims/{claim}/reject", json={"discrepancies": ["合同已签订"]})
    assert held == "claimed"
    assert await _status(clocked_app, winner) == "released"


async def test_a_cancelled_tender_releases_every_bid_bond(clocked_app: FastAPI, db_backend: str) -> None:
    async with client_for(clocked_app, STAFF) as staff:
        await seed_issuer(staff)
    await seed_project(clocked_app)
    first = await issue_guarantee(clocked_app, BIDDER, application())
    second = await issue_guarantee(clocked_app, BIDDER2, application(applicant_credit_code=BIDDER_2,
                                                                     applicant_name="二号"))
    payload = ProjectStatusChanged(code="BM-2026-001", site_code=SITE, status="cancelled", reason="预算调整",
                                   occurred_at=NOW)
    async with clocked_app.state.db.sessionmaker() as session:
        released = await projects.apply_status(session, payload, keyring=KeyRing.from_settings(clocked_app.state.settings),
                                               now=clocked_app.state.clock.now())
        await session.commit()
    assert sorted(released) == sorted([first, second])
    assert [await _status(clocked_app, n) for n in (first, second)] == ["released", "released"]


async def test_the_winners_bid_bond_is_released_when_its_contract_is_signed(clocked_app: FastAPI, db_backend: str) -> None:
    async with client_for(clocked_app, STAFF) as staff:
        await seed_issuer(staff)
    await seed_project(clocked_app)
    winner = await issue_guarantee(clocked_app, BIDDER, application())
    await award(clocked_app, BIDDER_1)
    after_award = await _status(clocked_app, winner)
    signed = ContractSigned(project_code="BM-2026-001", section_code="S1", site_code=SITE,
                            winner_credit_code=BIDDER_1, signed_at=NOW)
    async with clocked_app.state.db.sessionmaker() as session:
        released = await projects.apply_contract_signed(session, signed, now=clocked_app.state.clock.now(),
                                                        keyring=KeyRing.from_settings(clocked_app.state.settings))
        await session.commit()
    assert after_award == "issued"
    assert released == [winner]
    assert await _status(clocked_app, winner) == "released"


async def test_when_the_winner_defaults_and_the_next_candidate_is_awarded_the_bonds_follow_the_new_winner(
        clocked_app: FastAPI, db_backend: str) -> None:
    """实施条例 §55: bidding announces the next candidate's award as a new ``bidding.project.awarded``."""
    async with client_for(clocked_app, STAFF) as staff:
        await seed_issuer(staff)
    await seed_project(clocked_app)
    first = await issue_guarantee(clocked_app, BIDDER, application())
    await award(clocked_app, BIDDER_1)
    keyring = KeyRing.from_settings(clocked_app.state.settings)
    async with clocked_app.state.db.sessionmaker() as session:
        claim = await claims.open_for_default(
            session, project_code="BM-2026-001", section_code="S1", credit_code=BIDDER_1, reason="refused_to_sign",
            detail="declined_award: 书面放弃中标", calendar=await load_calendar(session), keyring=keyring,
            now=clocked_app.state.clock.now())
        await session.commit()
    assert claim is not None
    released_at_reaward = await award(clocked_app, BIDDER_2, amount="4600000.00")
    held = await _status(clocked_app, first)
    async with clocked_app.state.db.sessionmaker() as session:
        signed = await projects.apply_contract_signed(session, ContractSigned(
            project_code="BM-2026-001", section_code="S1", site_code=SITE, winner_credit_code=BIDDER_2,
            signed_at=NOW), keyring=keyring, now=clocked_app.state.clock.now())
        await session.commit()
        section = await session.get(ProjectSection, ("BM-2026-001", "S1"))
        assert section is not None
        winner, amount = section.winner_credit_code, section.award_amount
    async with client_for(clocked_app, PICC) as picc:
        rejected = await picc.post(f"/v1/claims/{claim.number}/reject", json={"discrepancies": ["未附放弃中标函"]})
    assert released_at_reaward == []  # the defaulted winner's bond is under the demand, not released
    assert held == "claimed"
    assert signed == []
    assert (winner, amount) == (BIDDER_2, Decimal("4600000.00"))
    assert rejected.status_code == 200, rejected.text
    assert await _status(clocked_app, first) == "released"  # after the demand: the award went to another bidder


async def test_sections_failed_at_an_opening_that_carries_on_release_their_bonds_and_a_bidder_deemed_withdrawn_is_claimed(
        settings: GuaranteeSettings, fresh_nats: NatsServer) -> None:
    """实施条例 §57: S2 failed at the opening while S1 carries on (``bidding.project.opened`` names it), so the
    bonds of S2 are released; 《电子招标投标办法》: a bidder that did not decrypt is deemed to have withdrawn
    after the deadline (实施条例 §35), and the tenderer's demand on its bond is filed."""
    async with _three_bonds(settings, fresh_nats) as (app, tender, now, (carrying_on, withdrawn, failed)):
        await publish(fresh_nats.url, "bidding.bidder.defaulted", BidderDefaulted(
            project_code=tender.code, section_code="S1", credit_code=BIDDER_2, site_code=SITE,
            reason="withdrew_after_deadline", detail="failed_to_decrypt: not decrypted within the decryption window",
            occurred_at=now), tenant=SITE)
        await publish(fresh_nats.url, "bidding.project.opened", ProjectStatusChanged(
            code=tender.code, site_code=SITE, status="opened", occurred_at=now, failed_section_codes=["S2"]),
            tenant=SITE)

        async def settled() -> bool:
            return await _status(app, failed) == "released" and await _status(app, withdrawn) == "claimed"

        await eventually(settled)
        async with app.state.db.sessionmaker() as session:
            claim = (await session.execute(select(Claim))).scalar_one()
        statuses = [await _status(app, n) for n in (carrying_on, withdrawn, failed)]
    assert statuses == ["issued", "claimed", "released"]
    assert claim.source == "bidding.bidder.defaulted"
    assert "failed_to_decrypt" in claim.statement


async def test_an_opening_with_no_failed_section_releases_nothing(clocked_app: FastAPI, db_backend: str) -> None:
    """On ``opened`` an empty ``failed_section_codes`` means no section failed, not every section."""
    async with client_for(clocked_app, STAFF) as staff:
        await seed_issuer(staff)
    await seed_project(clocked_app)
    number = await issue_guarantee(clocked_app, BIDDER, application())
    other = await issue_guarantee(clocked_app, BIDDER, application(section_code="S2", amount="10000.00"))
    payload = ProjectStatusChanged(code="BM-2026-001", site_code=SITE, status="opened", occurred_at=NOW)
    async with clocked_app.state.db.sessionmaker() as session:
        released = await projects.apply_status(session, payload, keyring=KeyRing.from_settings(clocked_app.state.settings),
                                               now=clocked_app.state.clock.now())
        await session.commit()
    assert released == []
    assert [await _status(clocked_app, n) for n in (number, other)] == ["issued", "issued"]


async def test_a_section_failed_during_evaluation_releases_its_bonds_and_only_its_own(
        clocked_app: FastAPI, db_backend: str) -> None:
    """招标投标法 §42: the committee rejected every bid of S2 while S1 carries on; S2's bid bonds secure nothing
    any more (实施条例 §57), and the award of S1 alone would never release them."""
    async with client_for(clocked_app, STAFF) as staff:
        await seed_issuer(staff)
    await seed_project(clocked_app)
    carrying_on = await issue_guarantee(clocked_app, BIDDER, application())
    failed = await issue_guarantee(clocked_app, BIDDER, application(section_code="S2", amount="10000.00"))
    payload = SectionFailed(project_code="BM-2026-001", section_code="S2", site_code=SITE,
                            reason="every bid rejected by the committee (招标投标法 §42)", failed_at=NOW)
    async with clocked_app.state.db.sessionmaker() as session:
        released = await projects.apply_section_failed(
            session, payload, keyring=KeyRing.from_settings(clocked_app.state.settings), now=clocked_app.state.clock.now())
        await session.commit()
    assert released == [failed]
    assert [await _status(clocked_app, n) for n in (carrying_on, failed)] == ["issued", "released"]
