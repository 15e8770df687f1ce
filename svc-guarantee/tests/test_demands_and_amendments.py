"""Extend-or-pay demands (URDG 758 art. 23), amendments re-checked against the rules, and the
winner's bid bond released when its performance bond is issued."""

from datetime import datetime, timedelta

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
    seed_issuer,
    seed_project,
)
from sqlalchemy import select

from bianmin.contracts.events.bidding import ProjectStatusChanged
from bianmin.guarantee.domain import projects
from bianmin.guarantee.domain.keys import KeyRing
from bianmin.guarantee.workers import ledger_round
from bianmin.kit.tables import outbox_event
from bianmin.kit.workdays import SHANGHAI
from bianmin.testing.client import client_for
from bianmin.testing.registry import load_made_up_2027

DEMAND = {"amount": "20000.00", "statement": "投标有效期延长，请延期或付款", "kind": "extend_or_pay",
          "requested_expires_on": "2026-09-30"}


async def _bid_bonds(app: FastAPI, *, single: str = "5000000.00") -> tuple[str, str]:
    async with client_for(app, STAFF) as staff:
        await seed_issuer(staff, single=single)
    await seed_project(app)
    first = await issue_guarantee(app, BIDDER, application())
    second = await issue_guarantee(app, BIDDER2, application(applicant_credit_code=BIDDER_2, applicant_name="二号"))
    return first, second


async def test_an_extend_or_pay_demand_is_suspended_then_deemed_withdrawn_by_the_extension(
        clocked_app: FastAPI, db_backend: str) -> None:
    number, _ = await _bid_bonds(clocked_app)
    async with client_for(clocked_app, BENEFICIARY) as tenderer, client_for(clocked_app, PICC) as picc:
        no_date = await tenderer.post(f"/v1/guarantees/{number}/claims", json={**DEMAND, "requested_expires_on": None})
        earlier = await tenderer.post(f"/v1/guarantees/{number}/claims",
                                      json={**DEMAND, "requested_expires_on": "2026-06-01"})
        filed = await tenderer.post(f"/v1/guarantees/{number}/claims", json=DEMAND)
        claim = filed.json()["number"]
        too_long = await picc.post(f"/v1/claims/{claim}/suspend", json={"until": "2026-04-02"})
        by_tenderer = await tenderer.post(f"/v1/claims/{claim}/suspend", json={"until": "2026-04-01"})
        suspended = await picc.post(f"/v1/claims/{claim}/suspend", json={"until": "2026-04-01"})
        again = await picc.post(f"/v1/claims/{claim}/suspend", json={"until": "2026-03-20"})
        pay_now = await picc.post(f"/v1/claims/{claim}/pay", json={"payment_reference": "P-1"})
        reject_now = await picc.post(f"/v1/claims/{claim}/reject", json={"discrepancies": ["x"]})
        increase = await picc.post(f"/v1/guarantees/{number}/amendments",
                                   json={"kind": "increase", "new_amount": "30000.00", "reason": "x"})
        short = await picc.post(f"/v1/guarantees/{number}/amendments",
                                json={"kind": "extension", "new_expires_on": "2026-08-31", "reason": "部分延期"})
        still = (await picc.get(f"/v1/claims/{claim}")).json()
        enough = await picc.post(f"/v1/guarantees/{number}/amendments",
                                 json={"kind": "extension", "new_expires_on": "2026-09-30", "reason": "按索赔要求延期"})
        withdrawn = (await picc.get(f"/v1/claims/{claim}")).json()
        record = (await picc.get(f"/v1/guarantees/{number}")).json()
        verdict = (await picc.get(f"/v1/guarantees/{number}/verify")).json()
    assert no_date.status_code == 422
    assert earlier.status_code == 422
    assert earlier.json()["errors"][0]["field"] == "requested_expires_on"
    assert filed.status_code == 201
    assert filed.json()["kind"] == "extend_or_pay"
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "until"
    assert by_tenderer.status_code == 403
    assert suspended.status_code == 200
    assert suspended.json()["status"] == "suspended"
    assert suspended.json()["suspended_until"].startswith("2026-04-01T15:59:59")  # end of day in Shanghai
    assert again.status_code == 409
    assert pay_now.status_code == 409
    assert pay_now.json()["code"] == "payment_suspended"
    assert reject_now.status_code == 409
    assert increase.status_code == 409
    assert short.status_code == 201
    assert still["status"] == "suspended"
    assert enough.status_code == 201
    assert enough.json()["number"] == 2
    assert withdrawn["status"] == "withdrawn"
    assert record["status"] == "issued"
    assert record["expires_on"] == "2026-09-30"
    actions = [s["action"] for s in record["steps"]]
    assert actions[-5:] == ["claimed", "payment_suspended", "amended", "amended", "claim_withdrawn"]
    assert verdict["verdict"] == "genuine"


async def test_a_suspension_that_ends_without_extension_makes_the_demand_payable(
        clocked_app: FastAPI, db_backend: str) -> None:
    first, second = await _bid_bonds(clocked_app)
    async with client_for(clocked_app, BENEFICIARY) as tenderer, client_for(clocked_app, PICC) as picc:
        plain = (await tenderer.post(f"/v1/guarantees/{second}/claims",
                                     json={"amount": "1000.00", "statement": "拒签合同"})).json()["number"]
        not_eop = await picc.post(f"/v1/claims/{plain}/suspend", json={"until": "2026-03-10"})
        claim = (await tenderer.post(f"/v1/guarantees/{first}/claims", json=DEMAND)).json()["number"]
        await picc.post(f"/v1/claims/{claim}/suspend", json={"until": "2026-03-10"})
        clocked_app.state.clock.advance(timedelta(days=9))
        await ledger_round(clocked_app)
        payable = (await picc.get(f"/v1/claims/{claim}")).json()
        extend = await picc.post(f"/v1/guarantees/{first}/amendments",
                                 json={"kind": "extension", "new_expires_on": "2026-09-30", "reason": "迟到的延期"})
        reject = await picc.post(f"/v1/claims/{claim}/reject", json={"discrepancies": ["x"]})
        paid = await picc.post(f"/v1/claims/{claim}/pay", json={"payment_reference": "PAY-001"})
        record = (await picc.get(f"/v1/guarantees/{first}")).json()
    assert not_eop.status_code == 409
    assert not_eop.json()["code"] == "not_extend_or_pay"
    assert payable["status"] == "payable"
    assert extend.status_code == 409
    assert reject.status_code == 409
    assert paid.status_code == 200
    assert paid.json()["status"] == "paid"
    assert record["status"] == "paid"
    assert "suspension_lapsed" in [s["action"] for s in record["steps"]]


async def test_paying_after_the_suspension_ends_needs_no_worker(clocked_app: FastAPI, db_backend: str) -> None:
    number, _ = await _bid_bonds(clocked_app)
    async with client_for(clocked_app, BENEFICIARY) as tenderer, client_for(clocked_app, PICC) as picc:
        claim = (await tenderer.post(f"/v1/guarantees/{number}/claims", json=DEMAND)).json()["number"]
        await picc.post(f"/v1/claims/{claim}/suspend", json={"until": "2026-03-02"})
        clocked_app.state.clock.advance(timedelta(days=1))
        paid = await picc.post(f"/v1/claims/{claim}/pay", json={"payment_reference": "PAY-002"})
    assert paid.status_code == 200
    assert paid.json()["status"] == "paid"


async def test_issuing_the_performance_bond_releases_the_winners_bid_bond(clocked_app: FastAPI, db_backend: str) -> None:
    winner_bond, loser_bond = await _bid_bonds(clocked_app)
    released = await award(clocked_app, BIDDER_1)
    performance = await issue_guarantee(clocked_app, BIDDER, application(
        type="performance", amount="400000.00", expires_on="2027-03-01"))
    async with client_for(clocked_app, PICC) as picc:
        bid_bond = (await picc.get(f"/v1/guarantees/{winner_bond}")).json()
        bond = (await picc.get(f"/v1/guarantees/{performance}")).json()
    async with clocked_app.state.db.sessionmaker() as session:
        subjects = (await session.execute(select(outbox_event.c.subject, outbox_event.c.body)
                                          .order_by(outbox_event.c.seq))).all()
    assert released == [loser_bond]
    assert bond["status"] == "issued"
    assert bid_bond["status"] == "released"
    assert bid_bond["steps"][-1]["detail"]["reason"] == f"replaced by performance bond {performance}"
    released_events = [body for subject, body in subjects if subject == "guarantee.guarantee.released"]
    assert len(released_events) == 2
    assert winner_bond in released_events[-1]


async def test_performance_increases_keep_the_cap_and_are_re_underwritten(clocked_app: FastAPI, db_backend: str) -> None:
    await _bid_bonds(clocked_app, single="420000.00")
    await award(clocked_app, BIDDER_1)
    number = await issue_guarantee(clocked_app, BIDDER, application(
        type="performance", amount="400000.00", expires_on="2027-03-01"))
    async with client_for(clocked_app, PICC) as picc:
        both = await picc.post(f"/v1/guarantees/{number}/amendments",
                               json={"kind": "increase", "new_amount": "460000.00", "reason": "合同变更"})
        limit = await picc.post(f"/v1/guarantees/{number}/amendments",
                                json={"kind": "increase", "new_amount": "430000.00", "reason": "合同变更"})
        fits = await picc.post(f"/v1/guarantees/{number}/amendments",
                               json={"kind": "increase", "new_amount": "420000.00", "reason": "合同变更"})
        record = (await picc.get(f"/v1/guarantees/{number}")).json()
    assert both.status_code == 422
    assert both.json()["code"] == "increase_refused"
    reasons = [e["reason"] for e in both.json()["errors"]]
    assert len(reasons) == 2
    assert "10%" in reasons[0]
    assert "single_limit" in reasons[1]
    assert limit.status_code == 422
    assert [e["field"] for e in limit.json()["errors"]] == ["new_amount"]
    assert fits.status_code == 201
    assert fits.json()["extra_fee_fen"] == 20000 * 100 * 15 // 10000  # 20000 yuan × 0.15 %
    assert record["amount"] == "420000.00"
    assert record["amendment_count"] == 1


async def test_a_failed_tender_releases_its_bid_bonds_and_a_closed_one_takes_no_more(
        clocked_app: FastAPI, db_backend: str) -> None:
    first, second = await _bid_bonds(clocked_app)
    keyring = KeyRing.from_settings(clocked_app.state.settings)
    async with clocked_app.state.db.sessionmaker() as session:
        await projects.apply_status(session, ProjectStatusChanged(
            code="BM-2026-001", site_code=SITE, status="closed", occurred_at=NOW), keyring=keyring, now=NOW)
        await session.commit()
    async with client_for(clocked_app, BIDDER) as bidder:
        late = await bidder.post("/v1/guarantees", json=application(section_code="S2", amount="10000.00"))
    async with clocked_app.state.db.sessionmaker() as session:
        released = await projects.apply_status(session, ProjectStatusChanged(
            code="BM-2026-001", site_code=SITE, status="failed", reason="投标人不足3家", occurred_at=NOW,
            failed_section_codes=["S1"]), keyring=keyring, now=NOW)
        unknown = await projects.apply_status(session, ProjectStatusChanged(
            code="NOPE", site_code=SITE, status="failed", occurred_at=NOW), keyring=keyring, now=NOW)
        await session.commit()
    async with client_for(clocked_app, STAFF) as staff:
        tender = (await staff.get("/v1/projects/BM-2026-001")).json()
        bond = (await staff.get(f"/v1/guarantees/{first}")).json()
    assert late.status_code == 409
    assert late.json()["code"] == "bid_deadline_passed"
    assert sorted(released) == sorted([first, second])
    assert unknown == []
    assert tender["closed_at"] is not None
    assert [s["failed_at"] is not None for s in tender["sections"]] == [True, False]
    assert bond["status"] == "released"
    assert "投标人不足3家" in bond["steps"][-1]["detail"]["reason"]


async def test_issuers_list_their_demands_and_see_which_are_overdue(clocked_app: FastAPI, db_backend: str) -> None:
    first, _ = await _bid_bonds(clocked_app)
    async with client_for(clocked_app, BENEFICIARY) as tenderer, client_for(clocked_app, PICC) as picc, \
            client_for(clocked_app, BIDDER2) as stranger:
        claim = (await tenderer.post(f"/v1/guarantees/{first}/claims",
                                     json={"amount": "500.00", "statement": "拒签合同"})).json()["number"]
        on_time = (await picc.get("/v1/claims", params={"overdue": True})).json()["items"]
        clocked_app.state.clock.advance(timedelta(days=8))
        overdue = (await picc.get("/v1/claims", params={"overdue": True})).json()["items"]
        mine = (await tenderer.get("/v1/claims", params={"status": "examining"})).json()["items"]
        theirs = (await stranger.get("/v1/claims")).json()["items"]
        bad = await picc.get("/v1/claims", params={"status": "lost"})
    assert on_time == []
    assert [c["number"] for c in overdue] == [claim]
    assert [c["number"] for c in mine] == [claim]
    assert theirs == []
    assert bad.status_code == 422


async def test_an_examination_due_in_a_year_without_its_notice_is_provisional_until_the_notice_is_loaded(
        clocked_app: FastAPI, db_backend: str) -> None:
    async with client_for(clocked_app, STAFF) as staff:
        await seed_issuer(staff)
    await seed_project(clocked_app)
    first = await issue_guarantee(clocked_app, BIDDER, application(expires_on="2027-06-30"))
    second = await issue_guarantee(clocked_app, BIDDER2, application(
        applicant_credit_code=BIDDER_2, applicant_name="二号", expires_on="2027-06-30"))
    clocked_app.state.clock.at = datetime(2026, 12, 28, 10, tzinfo=SHANGHAI)
    demand = {"amount": "500.00", "statement": "拒签合同"}
    async with client_for(clocked_app, BENEFICIARY) as tenderer:
        early = (await tenderer.post(f"/v1/guarantees/{first}/claims", json=demand)).json()
        await load_made_up_2027(clocked_app)
        later = (await tenderer.post(f"/v1/guarantees/{second}/claims", json=demand)).json()
    async with client_for(clocked_app, PICC) as picc:
        read = (await picc.get(f"/v1/claims/{early['number']}")).json()
    # Five working days from Monday 28 Dec: by weekends alone 4 Jan 2027; the made-up notice takes
    # 1, 4 and 5 Jan off, so 7 Jan.
    assert early["examine_by_provisional"] is True
    assert "2027" in early["examine_by_basis"]
    assert datetime.fromisoformat(early["examine_by"]) == datetime(2027, 1, 4, 23, 59, 59, tzinfo=SHANGHAI)
    assert (read["examine_by_provisional"], read["examine_by_basis"]) == (True, early["examine_by_basis"])
    assert (later["examine_by_provisional"], later["examine_by_basis"]) == (False, None)
    assert datetime.fromisoformat(later["examine_by"]) == datetime(2027, 1, 7, 23, 59, 59, tzinfo=SHANGHAI)
