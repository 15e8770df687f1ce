"""Test data for the guarantee service: principals, a published tender, issuers with tariffs."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
from fastapi import FastAPI

from bianmin.contracts.events.bidding import ProjectAwarded, ProjectPublished, SectionAward, SectionTerms
from bianmin.guarantee.domain import projects
from bianmin.guarantee.domain.keys import KeyRing
from bianmin.kit.identifiers import with_uscc_check
from bianmin.kit.identity import Principal
from bianmin.testing.client import client_for

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
BIDDER_1 = with_uscc_check("91330199MA0000001")
BIDDER_2 = with_uscc_check("91330199MA0000002")
TENDERER = with_uscc_check("12330199MA0000900")
ISSUER_CREDIT = with_uscc_check("91330100MA0000077")
SITE = "330199001"

STAFF = Principal(key_id="k-staff", tenant="*", scopes=frozenset({"guarantee:read", "guarantee:write"}), name="staff")
PICC = Principal(key_id="k-picc", tenant="*", scopes=frozenset({"guarantee:issuer:PICC"}), name="PICC")
BANK = Principal(key_id="k-bank", tenant="*", scopes=frozenset({"guarantee:issuer:BOC"}), name="BOC")
BIDDER = Principal(key_id="k-b1", tenant="*", scopes=frozenset({"guarantee:apply", f"guarantee:applicant:{BIDDER_1}"}))
BIDDER2 = Principal(key_id="k-b2", tenant="*", scopes=frozenset({"guarantee:apply", f"guarantee:applicant:{BIDDER_2}"}))
BENEFICIARY = Principal(key_id="k-t", tenant=SITE, scopes=frozenset({f"guarantee:beneficiary:{TENDERER}"}))


def published(code: str = "BM-2026-001", *, now: datetime = NOW, bond: str = "20000.00") -> ProjectPublished:
    """A tender with two sections whose deadline is two weeks after ``now``."""
    return ProjectPublished(
        code=code, name="便民区中心小学改扩建工程", site_code=SITE, category="construction", tenderer_name="便民区教育局",
        tenderer_credit_code=TENDERER, budget=Decimal("5000000.00"), bid_deadline=now + timedelta(days=14),
        opening_at=now + timedelta(days=14), sections=[
            SectionTerms(code="S1", name="土建", bid_bond_amount=Decimal(bond)),
            SectionTerms(code="S2", name="安装", bid_bond_amount=Decimal("10000.00"))])


async def seed_project(app: FastAPI, payload: ProjectPublished | None = None) -> ProjectPublished:
    """Put a tender in the read model as the event handler would."""
    payload = payload or published()
    async with app.state.db.sessionmaker() as session:
        await projects.apply_published(session, payload, now=NOW)
        await session.commit()
    return payload


async def seed_issuer(admin: httpx.AsyncClient, code: str = "PICC", *, rate: str = "0.0015",
                      minimum: str = "300.00", kind: str = "insurer", single: str = "5000000.00") -> None:
    """Register an issuer with a bid-bond and a performance tariff from 2026-01-01."""
    response = await admin.post("/v1/issuers", json={
        "code": code, "name": f"{code} 财产保险便民支公司", "kind": kind, "credit_code": ISSUER_CREDIT,
        "max_single_amount": single, "max_outstanding_amount": "50000000.00"})
    assert response.status_code == 201, response.text
    for type_ in ("bid_bond", "performance"):
        response = await admin.post(f"/v1/issuers/{code}/tariffs", json={
            "type": type_, "effective_from": "2026-01-01", "rate": rate, "minimum_fee": minimum})
        assert response.status_code == 201, response.text


def application(**changes: object) -> dict[str, object]:
    """A valid bid-bond application by BIDDER_1 to PICC."""
    body: dict[str, object] = {
        "type": "bid_bond", "issuer_code": "PICC", "project_code": "BM-2026-001", "section_code": "S1",
        "applicant_credit_code": BIDDER_1, "applicant_name": "便民区1号建设有限公司", "amount": "20000.00",
        "expires_on": "2026-06-30"}
    body.update(changes)
    return body


async def issue_guarantee(app: FastAPI, bidder: Principal, body: dict[str, object], issuer: Principal = PICC) -> str:
    """Apply as ``bidder``, underwrite and issue as ``issuer``; the guarantee's number."""
    async with client_for(app, bidder) as client, client_for(app, issuer) as acting:
        applied = await client.post("/v1/guarantees", json=body)
        assert applied.status_code == 201, applied.text
        number = applied.json()["number"]
        assert (await acting.post(f"/v1/guarantees/{number}/underwrite")).json()["status"] == "underwriting"
        issued = await acting.post(f"/v1/guarantees/{number}/issue")
        assert issued.status_code == 200, issued.text
    return str(number)


async def award(app: FastAPI, winner: str, amount: str = "4500000.00", code: str = "BM-2026-001") -> list[str]:
    """Award section S1 as ``bidding.project.awarded`` would; the bid bonds released."""
    payload = ProjectAwarded(code=code, site_code=SITE, awarded_at=NOW, sections=[SectionAward(
        code="S1", winner_credit_code=winner, award_amount=Decimal(amount),
        bidder_credit_codes=[BIDDER_1, BIDDER_2])])
    async with app.state.db.sessionmaker() as session:
        released = await projects.apply_awarded(session, payload, keyring=KeyRing.from_settings(app.state.settings),
                                                now=app.state.clock.now())
        await session.commit()
    return released
