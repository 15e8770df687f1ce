"""The guarantee lifecycle over HTTP: apply, underwrite, issue, amend, claim, pay/reject, release."""

from datetime import timedelta

from fastapi import FastAPI
from guarantee_factories import (
    BENEFICIARY,
    BIDDER,
    BIDDER2,
    BIDDER_1,
    BIDDER_2,
    PICC,
    STAFF,
    application,
    published,
    seed_issuer,
    seed_project,
)

from bianmin.kit.identity import ANONYMOUS, Principal
from bianmin.testing.client import client_for


async def _issued(app: FastAPI) -> str:
    async with client_for(app, STAFF) as staff, client_for(app, BIDDER) as bidder, client_for(app, PICC) as picc:
        await seed_issuer(staff)
        await seed_project(app)
        applied = await bidder.post("/v1/guarantees", json=application())
        assert applied.status_code == 201, applied.text
        number = applied.json()["number"]
        assert (await picc.post(f"/v1/guarantees/{number}/underwrite")).json()["status"] == "underwriting"
        issued = await picc.post(f"/v1/guarantees/{number}/issue")
        assert issued.status_code == 200, issued.text
        return number


async def test_a_bid_bond_is_applied_for_priced_underwritten_and_issued(clocked_app: FastAPI, db_backend: str) -> None:
    async with client_for(clocked_app, STAFF) as staff, client_for(clocked_app, BIDDER) as bidder, \
            client_for(clocked_app, PICC) as picc:
        await seed_issuer(staff)
        await seed_project(clocked_app)
        applied = await bidder.post("/v1/guarantees", json=application(), headers={"Idempotency-Key": "a-1"})
        replay = await bidder.post("/v1/guarantees", json=application(), headers={"Idempotency-Key": "a-1"})
        body = applied.json()
        assert applied.status_code == 201
        assert replay.json()["number"] == body["number"] == "BH-PICC-2026-000001"
        assert body["status"] == "applied"
        assert body["fee"] == "300.00"
        assert body["beneficiary_credit_code"] == published().tenderer_credit_code
        underwritten = (await picc.post(f"/v1/guarantees/{body['number']}/underwrite")).json()
        assert underwritten["status"] == "underwriting"
        assert all(f["ok"] for f in underwritten["underwriting"])
        issued = (await picc.post(f"/v1/guarantees/{body['number']}/issue")).json()
        assert issued["status"] == "issued"
        assert issued["leaf_index"] == 0
        assert len(issued["document_hash"]) == 64
        assert [s["action"] for s in issued["steps"]] == ["applied", "underwritten", "issued"]
        assert all(s["actor"] and s["at"] for s in issued["steps"])
        again = await picc.post(f"/v1/guarantees/{body['number']}/issue")
        assert again.status_code == 409
        assert again.json()["code"] == "transition_forbidden"  # was invalid_transition (issue 18)


async def test_applications_are_checked_against_the_tender(clocked_app: FastAPI, db_backend: str) -> None:
    async with client_for(clocked_app, STAFF) as staff, client_for(clocked_app, BIDDER) as bidder:
        await seed_issuer(staff)
        await seed_project(clocked_app)
        unknown = await bidder.post("/v1/guarantees", json=application(project_code="NOPE"))
        wrong = await bidder.post("/v1/guarantees", json=application(amount="19999.99"))
        section = await bidder.post("/v1/guarantees", json=application(section_code="S9"))
        other = await bidder.post("/v1/guarantees", json=application(applicant_credit_code=BIDDER_2))
        bad_code = await bidder.post("/v1/guarantees", json=application(applicant_credit_code="91330199MA0000001X"))
        not_won = await bidder.post("/v1/guarantees", json=application(type="performance", amount="1000.00"))
        clocked_app.state.clock.advance(timedelta(days=15))
        late = await bidder.post("/v1/guarantees", json=application())
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "project_code"
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "amount"
    assert section.status_code == 422
    assert section.json()["errors"][0]["field"] == "section_code"
    assert other.status_code == 403
    assert other.json()["code"] == "not_the_applicant"
    assert bad_code.status_code == 422
    assert bad_code.json()["errors"][0]["field"] == "applicant_credit_code"
    assert not_won.status_code == 409
    assert not_won.json()["code"] == "not_awarded"
    assert late.status_code == 409
    assert late.json()["code"] == "bid_deadline_passed"


async def test_a_refused_color_or_a_limit_declines_the_application(clocked_app: FastAPI, db_backend: str) -> None:
    from guarantee_factories import NOW

    from bianmin.contracts.events.credit import ColorChanged
    from bianmin.guarantee.domain import projects

    async with clocked_app.state.db.sessionmaker() as session:
        await projects.apply_color(session, ColorChanged(
            credit_code=BIDDER_1, name="x", old_color=None, new_color="red", score=50, rule_version=1, reason="r",
            changed_at=NOW))
        await session.commit()
    async with client_for(clocked_app, STAFF) as staff, client_for(clocked_app, BIDDER) as bidder, \
            client_for(clocked_app, PICC) as picc:
        await seed_issuer(staff)
        await seed_project(clocked_app)
        assert (await staff.put("/v1/issuers/PICC/color-rules/red", json={"refuse": True})).status_code == 200
        number = (await bidder.post("/v1/guarantees", json=application())).json()["number"]
        declined = (await picc.post(f"/v1/guarantees/{number}/underwrite")).json()
        issue = await picc.post(f"/v1/guarantees/{number}/issue")
    assert declined["status"] == "declined"
    assert [f["rule"] for f in declined["underwriting"] if not f["ok"]] == ["credit_color"]
    assert issue.status_code == 409


async def test_only_the_issuer_acts_and_only_parties_see(clocked_app: FastAPI, db_backend: str) -> None:
    number = await _issued(clocked_app)
    other_issuer = Principal(key_id="k-x", tenant="*", scopes=frozenset({"guarantee:issuer:BOC"}))
    async with client_for(clocked_app, other_issuer) as other, client_for(clocked_app, BIDDER2) as stranger, \
            client_for(clocked_app, BIDDER) as owner, client_for(clocked_app, ANONYMOUS) as anonymous:
        assert (await other.get(f"/v1/guarantees/{number}")).status_code == 404
        assert (await stranger.get(f"/v1/guarantees/{number}")).status_code == 404
        assert (await owner.get(f"/v1/guarantees/{number}")).status_code == 200
        assert (await owner.post(f"/v1/guarantees/{number}/release", json={"reason": "x"})).status_code == 403
        assert (await anonymous.get(f"/v1/guarantees/{number}")).status_code == 401
        mine = (await owner.get("/v1/guarantees")).json()["items"]
        theirs = (await stranger.get("/v1/guarantees")).json()["items"]
    assert [g["number"] for g in mine] == [number]
    assert theirs == []


async def test_amendments_are_numbered_resigned_and_charged(clocked_app: FastAPI, db_backend: str) -> None:
    number = await _issued(clocked_app)
    async with client_for(clocked_app, PICC) as picc:
        first = await picc.post(f"/v1/guarantees/{number}/amendments",
                                json={"kind": "increase", "new_amount": "220000.00", "reason": "招标文件修改"})
        second = await picc.post(f"/v1/guarantees/{number}/amendments",
                                 json={"kind": "extension", "new_expires_on": "2026-09-30", "reason": "延期开标"})
        shorter = await picc.post(f"/v1/guarantees/{number}/amendments",
                                  json={"kind": "extension", "new_expires_on": "2026-07-01", "reason": "x"})
        mixed = await picc.post(f"/v1/guarantees/{number}/amendments",
                                json={"kind": "increase", "new_expires_on": "2026-12-01", "reason": "x"})
        record = (await picc.get(f"/v1/guarantees/{number}")).json()
    assert first.status_code == 201
    assert first.json()["number"] == 1
    assert first.json()["extra_fee_fen"] == 30000  # 200000 × 0.15%, no second minimum
    assert second.json()["number"] == 2
    assert second.json()["extra_fee_fen"] == 0
    assert first.json()["document_hash"] != second.json()["document_hash"] == record["document_hash"]
    assert shorter.status_code == 422
    assert mixed.status_code == 422
    assert record["amount"] == "220000.00"
    assert record["expires_on"] == "2026-09-30"
    assert record["fee"] == "600.00"
    assert record["amendment_count"] == 2


async def test_a_demand_is_examined_and_rejected_with_every_discrepancy_then_paid(
        clocked_app: FastAPI, db_backend: str) -> None:
    number = await _issued(clocked_app)
    async with client_for(clocked_app, BENEFICIARY) as tenderer, client_for(clocked_app, PICC) as picc, \
            client_for(clocked_app, BIDDER) as bidder:
        refused = await bidder.post(f"/v1/guarantees/{number}/claims", json={"amount": "1.00", "statement": "x"})
        too_much = await tenderer.post(f"/v1/guarantees/{number}/claims",
                                       json={"amount": "20000.01", "statement": "违约"})
        filed = await tenderer.post(f"/v1/guarantees/{number}/claims",
                                    json={"amount": "20000.00", "statement": "中标人拒签合同"})
        claim = filed.json()
        twice = await tenderer.post(f"/v1/guarantees/{number}/claims", json={"amount": "1.00", "statement": "x"})
        empty = await picc.post(f"/v1/claims/{claim['number']}/reject", json={"discrepancies": []})
        rejected = await picc.post(f"/v1/claims/{claim['number']}/reject",
                                   json={"discrepancies": ["未附书面声明", "索赔金额超出期限"]})
        after = (await picc.get(f"/v1/guarantees/{number}")).json()
        second = (await tenderer.post(f"/v1/guarantees/{number}/claims",
                                      json={"amount": "20000.00", "statement": "补正后的索赔"})).json()
        paid = await picc.post(f"/v1/claims/{second['number']}/pay", json={"payment_reference": "PAY-001"})
        final = (await picc.get(f"/v1/guarantees/{number}")).json()
        repay = await picc.post(f"/v1/claims/{second['number']}/pay", json={"payment_reference": "PAY-002"})
    assert refused.status_code == 403
    assert too_much.status_code == 422
    assert filed.status_code == 201
    assert claim["status"] == "examining"
    assert claim["examine_by"].startswith("2026-03-09")  # Monday + 5 working days, Shanghai end of day
    assert twice.status_code == 409
    assert empty.status_code == 422
    assert rejected.json()["discrepancies"] == ["未附书面声明", "索赔金额超出期限"]
    assert after["status"] == "issued"
    assert paid.status_code == 200
    assert final["status"] == "paid"
    assert repay.status_code == 409


async def test_release_and_expiry_end_a_guarantee(clocked_app: FastAPI, db_backend: str) -> None:
    from bianmin.guarantee.domain import guarantees
    from bianmin.guarantee.domain.keys import KeyRing

    number = await _issued(clocked_app)
    async with client_for(clocked_app, STAFF) as staff:
        released = await staff.post(f"/v1/guarantees/{number}/release", json={"reason": "合同已签订"})
        again = await staff.post(f"/v1/guarantees/{number}/release", json={"reason": "x"})
        applied = await staff.post("/v1/guarantees/NOPE/release", json={"reason": "x"})
    assert released.json()["status"] == "released"
    assert again.status_code == 409
    assert applied.status_code == 404
    async with client_for(clocked_app, BIDDER2) as bidder2, client_for(clocked_app, PICC) as picc:
        other = (await bidder2.post("/v1/guarantees", json=application(
            applicant_credit_code=BIDDER_2, applicant_name="二号"))).json()["number"]
        await picc.post(f"/v1/guarantees/{other}/underwrite")
        await picc.post(f"/v1/guarantees/{other}/issue")
    clocked_app.state.clock.advance(timedelta(days=130))
    async with clocked_app.state.db.sessionmaker() as session:
        expired = await guarantees.expire_due(session, KeyRing.from_settings(clocked_app.state.settings),
                                              now=clocked_app.state.clock.now())
        await session.commit()
    assert expired == [other]
    assert BIDDER_1 != BIDDER_2


async def test_withdrawal_only_before_issue(clocked_app: FastAPI, db_backend: str) -> None:
    async with client_for(clocked_app, STAFF) as staff, client_for(clocked_app, BIDDER) as bidder:
        await seed_issuer(staff)
        await seed_project(clocked_app)
        number = (await bidder.post("/v1/guarantees", json=application())).json()["number"]
        withdrawn = await bidder.post(f"/v1/guarantees/{number}/withdraw")
        again = await bidder.post(f"/v1/guarantees/{number}/withdraw")
        reapplied = await bidder.post("/v1/guarantees", json=application())
    assert withdrawn.json()["status"] == "withdrawn"
    assert again.status_code == 409
    assert reapplied.status_code == 201
    assert BIDDER_1 in reapplied.text


async def test_a_padded_lower_case_credit_code_names_the_same_enterprise(clocked_app: FastAPI, db_backend: str) -> None:
    """The kit's one rule for identifiers: blanks dropped, upper-cased, then checked (it was a 422 here before)."""
    async with client_for(clocked_app, STAFF) as staff, client_for(clocked_app, BIDDER) as bidder:
        await seed_issuer(staff)
        await seed_project(clocked_app)
        applied = await bidder.post("/v1/guarantees", json=application(applicant_credit_code=f" {BIDDER_1.lower()} "))
        wrong_check = await bidder.post("/v1/guarantees", json=application(
            applicant_credit_code=BIDDER_1[:-1].lower() + ("0" if BIDDER_1[-1] != "0" else "1")))
    assert applied.status_code == 201, applied.text
    assert applied.json()["applicant_credit_code"] == BIDDER_1
    assert wrong_check.status_code == 422
    assert wrong_check.json()["errors"][0]["field"] == "applicant_credit_code"
