"""Issuer and enterprise accounts act only for the parties bound to them after proof (issue 19)."""

from fastapi import FastAPI
from guarantee_factories import BIDDER_1, BIDDER_2, PICC, STAFF, application, seed_issuer, seed_project

from bianmin.kit.identity import Principal
from bianmin.kit.subjects import Role, Subject
from bianmin.testing.client import client_for

# The platform's own pages hold every scope; what a signed-in account may do comes from its subject.
PAGES = frozenset({"admin"})


def account(kind: str, ident: str, *, parties: tuple[str, ...] = (), roles: tuple[Role, ...] = (),
            scopes: frozenset[str] = PAGES) -> Principal:
    return Principal(key_id="pages", tenant="*", scopes=scopes, subject=Subject(
        kind=kind, id=ident, parties=frozenset(parties), roles=roles, second_factor=True))


PICC_OFFICER = account("issuer", "picc-1", parties=("PICC",))
BOC_OFFICER = account("issuer", "boc-1", parties=("BOC",))
FIRM_1 = account("enterprise", "firm-1", parties=(BIDDER_1,))
FIRM_2 = account("enterprise", "firm-2", parties=(BIDDER_2,))


async def _applied(app: FastAPI) -> str:
    async with client_for(app, STAFF) as staff:
        await seed_issuer(staff)
        await seed_project(app)
    async with client_for(app, FIRM_1) as firm:
        applied = await firm.post("/v1/guarantees", json=application())
    assert applied.status_code == 201, applied.text
    return str(applied.json()["number"])


async def test_an_enterprise_account_applies_for_its_own_code_only(clocked_app: FastAPI) -> None:
    await _applied(clocked_app)
    async with client_for(clocked_app, FIRM_1) as firm:
        other = await firm.post("/v1/guarantees", json=application(applicant_credit_code=BIDDER_2,
                                                                     applicant_name="便民区2号建设有限公司"))
    # The bidder app was bound to enterprise 2 by an operator; the person signed in holds enterprise 1 only.
    bound_app = account("enterprise", "firm-1", parties=(BIDDER_1,),
                        scopes=frozenset({"guarantee:apply", f"guarantee:applicant:{BIDDER_2}"}))
    async with client_for(clocked_app, bound_app) as firm:
        via_app_scope = await firm.post("/v1/guarantees", json=application(applicant_credit_code=BIDDER_2,
                                                                             applicant_name="便民区2号建设有限公司"))
    assert other.json()["code"] == "not_the_applicant"
    assert via_app_scope.json()["code"] == "not_the_applicant"


async def test_an_issuer_account_acts_for_its_own_issuer_only(clocked_app: FastAPI) -> None:
    number = await _applied(clocked_app)
    async with client_for(clocked_app, BOC_OFFICER) as boc:
        foreign = await boc.post(f"/v1/guarantees/{number}/underwrite")
        foreign_read = await boc.get(f"/v1/guarantees/{number}")
        foreign_list = (await boc.get("/v1/guarantees")).json()["items"]
        foreign_tariff = await boc.post("/v1/issuers/PICC/tariffs", json={
            "type": "bid_bond", "effective_from": "2026-04-01", "rate": "0.001", "minimum_fee": "100.00"})
    async with client_for(clocked_app, PICC_OFFICER) as picc:
        own = await picc.post(f"/v1/guarantees/{number}/underwrite")
        own_list = (await picc.get("/v1/guarantees")).json()["items"]
    assert foreign.status_code == 404
    assert foreign_read.status_code == 404
    assert foreign_list == []
    assert foreign_tariff.status_code == 403
    assert own.json()["status"] == "underwriting"
    assert [g["number"] for g in own_list] == [number]


async def test_parties_signed_in_through_the_pages_are_not_centre_staff(clocked_app: FastAPI) -> None:
    number = await _applied(clocked_app)
    async with client_for(clocked_app, FIRM_2) as stranger:
        read = await stranger.get(f"/v1/guarantees/{number}")
        listed = (await stranger.get("/v1/guarantees")).json()["items"]
        release = await stranger.post(f"/v1/guarantees/{number}/release", json={"reason": "x"})
    agent = account("staff", "agent-1", roles=(Role("tender_agent", "330199001"),))
    far = account("staff", "agent-2", roles=(Role("tender_agent", "330199002"),))
    async with client_for(clocked_app, agent) as own_site, client_for(clocked_app, far) as other_site:
        seen = (await own_site.get("/v1/guarantees")).json()["items"]
        unseen = (await other_site.get("/v1/guarantees")).json()["items"]
        hidden = await other_site.get(f"/v1/guarantees/{number}")
    assert read.status_code == 404
    assert listed == []
    assert release.status_code in (403, 404)
    assert [g["number"] for g in seen] == [number]
    assert unseen == []
    assert hidden.status_code == 404
    async with client_for(clocked_app, PICC) as picc_key:  # a key acting alone works as before
        assert (await picc_key.get(f"/v1/guarantees/{number}")).status_code == 200
