"""Records, decisions, colors and their explanation through the HTTP API, with a movable clock."""

from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy import func, select

from bianmin.credit.models import ColorChange
from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import Principal
from bianmin.kit.tables import outbox_event
from bianmin.testing.client import client_for

from .credit_factories import CLERK, REVIEWER, code, color_of, confirm, record, register

TOWNSHIP_REVIEWER = Principal(key_id="t-reviewer", tenant="330199001", scopes=frozenset({"credit:review"}))


async def test_a_new_enterprise_is_green_and_its_first_color_is_announced(app: FastAPI, db_backend: str) -> None:
    credit_code = await register(app)
    body = await color_of(app, credit_code)
    assert (body["color"], body["score"], body["rule_version"]) == ("green", "100.00", 1)
    async with app.state.db.sessionmaker() as session:
        subjects = (await session.scalars(select(outbox_event.c.subject))).all()
    assert subjects == ["credit.enterprise.color_changed"]


async def test_a_pending_record_does_not_count_until_confirmed(app: FastAPI, db_backend: str) -> None:
    credit_code = await register(app)
    record_id = await record(app, credit_code, "false_materials")
    assert (await color_of(app, credit_code))["score"] == "100.00"
    confirmed = await confirm(app, record_id)
    assert confirmed["confirmed_on"] == "2026-03-02"
    assert [s["status"] for s in confirmed["history"]] == ["pending", "confirmed"]
    body = await color_of(app, credit_code)
    assert (body["color"], body["score"]) == ("blue", "85.00")
    assert any(c["source"] == "record" and c["ref"] == record_id and c["points"] == "-15.00" for c in body["contributions"])
    async with app.state.db.sessionmaker() as session:
        change = (await session.scalars(select(ColorChange).where(ColorChange.old_color == "green"))).one()
    assert change.new_color == "blue"
    assert f"record #{record_id} (false_materials) confirmed" in change.reason


async def test_a_confirmed_serious_record_makes_the_color_red_whatever_the_score(app: FastAPI, db_backend: str) -> None:
    credit_code = await register(app)
    await confirm(app, await record(app, credit_code, "collusion"))
    body = await color_of(app, credit_code)
    assert (body["band_color"], body["color"], body["score"]) == ("orange", "red", "60.00")
    assert any(c["source"] == "hard_rule" for c in body["contributions"])
    async with client_for(app, CLERK) as client:
        bid = (await client.get(f"/v1/enterprises/{credit_code}/eligibility", params={"action": "bid"})).json()
        public = (await client.get(f"/v1/enterprises/{credit_code}/color/public")).json()
    assert (bid["decision"], bid["allowed"]) == ("restricted", False)
    assert public == {"credit_code": credit_code, "name": "便民区1号建设有限公司", "color": "red"}


async def test_a_record_stops_counting_when_its_publication_period_ends(
        app: FastAPI, clock: FixedClock, db_backend: str) -> None:
    credit_code = await register(app)
    await confirm(app, await record(app, credit_code, "refused_to_sign", publication_months=3))
    clock.advance(timedelta(days=60))
    assert (await color_of(app, credit_code))["score"] == "90.00"
    clock.advance(timedelta(days=32))  # 2026-06-02: three months after 2026-03-02
    body = await color_of(app, credit_code)
    assert (body["color"], body["score"]) == ("green", "100.00")
    assert "publication period ended on 2026-06-01" in body["ignored"][0]["detail"]
    past = await color_of(app, credit_code, as_of="2026-04-01")
    assert (past["color"], past["score"]) == ("blue", "90.00")


async def test_the_clean_year_upgrade_raises_a_red_code_one_grade(
        app: FastAPI, clock: FixedClock, db_backend: str) -> None:
    credit_code = await register(app)
    await confirm(app, await record(app, credit_code, "bribery"))
    clock.advance(timedelta(days=364))
    assert (await color_of(app, credit_code))["color"] == "red"
    clock.advance(timedelta(days=1))
    body = await color_of(app, credit_code)
    assert (body["color"], body["band_color"]) == ("orange", "orange")
    assert body["contributions"][-1]["source"] == "clean_upgrade"


async def test_revoking_a_record_restores_the_color_but_not_the_past(
        app: FastAPI, clock: FixedClock, db_backend: str) -> None:
    credit_code = await register(app)
    record_id = await record(app, credit_code, "quality_defect")
    await confirm(app, record_id)
    clock.advance(timedelta(days=5))
    async with client_for(app, REVIEWER) as client:
        no_reason = await client.post(f"/v1/records/{record_id}/revoke", json={})
        revoked = await client.post(f"/v1/records/{record_id}/revoke", json={"note": "复议撤销"})
        again = await client.post(f"/v1/records/{record_id}/confirm", json={})
    assert no_reason.status_code == 422
    assert revoked.json()["status"] == "revoked"
    assert again.status_code == 409
    assert again.json()["code"] == "record_not_pending"
    assert (await color_of(app, credit_code))["score"] == "100.00"
    assert (await color_of(app, credit_code, as_of="2026-03-04"))["score"] == "88.00"


async def test_repair_needs_the_minimum_period_and_a_reviewer(
        app: FastAPI, clock: FixedClock, db_backend: str) -> None:
    credit_code = await register(app)
    record_id = await record(app, credit_code, "false_materials")
    await confirm(app, record_id)
    application = {"evidence": "已整改并提交整改报告", "commitment": "公开承诺不再提供虚假材料"}
    async with client_for(app, CLERK) as client:
        early = await client.post(f"/v1/records/{record_id}/repairs", json=application)
        clock.advance(timedelta(days=92))
        filed = await client.post(f"/v1/records/{record_id}/repairs", json=application)
        twice = await client.post(f"/v1/records/{record_id}/repairs", json=application)
    assert early.status_code == 409
    assert early.json()["code"] == "repair_too_early"
    assert filed.status_code == 201, filed.text
    assert twice.json()["code"] == "repair_open"
    async with client_for(app, CLERK) as client:
        refused = await client.post(f"/v1/repairs/{filed.json()['id']}/approve", json={})
    assert refused.status_code == 403
    async with client_for(app, REVIEWER) as client:
        approved = await client.post(f"/v1/repairs/{filed.json()['id']}/approve", json={"note": "同意修复"})
        record_body = (await client.get(f"/v1/records/{record_id}")).json()
    assert approved.json()["status"] == "approved"
    assert record_body["status"] == "repaired"
    assert "credit repair application" in record_body["history"][-1]["note"]
    assert (await color_of(app, credit_code))["score"] == "100.00"


async def test_approved_bonuses_add_points_up_to_the_cap(app: FastAPI, clock: FixedClock, db_backend: str) -> None:
    credit_code = await register(app)
    await confirm(app, await record(app, credit_code, "refused_to_sign"))
    ids = []
    async with client_for(app, CLERK) as client:
        for kind in ("provincial_award", "municipal_award", "contract_honour"):
            response = await client.post(f"/v1/enterprises/{credit_code}/bonuses",
                                         json={"kind": kind, "evidence": "获奖证书", "valid_until": "2027-01-31"})
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
        too_long = await client.post(f"/v1/enterprises/{credit_code}/bonuses",
                                     json={"kind": "contract_honour", "evidence": "x", "valid_until": "2028-01-31"})
    assert too_long.status_code == 422
    async with client_for(app, REVIEWER) as client:
        for bonus_id in ids:
            assert (await client.post(f"/v1/bonuses/{bonus_id}/approve", json={})).status_code == 200
        twice = await client.post(f"/v1/bonuses/{ids[0]}/reject", json={"note": "x"})
    assert twice.status_code == 409
    body = await color_of(app, credit_code)
    assert (body["score"], body["color"]) == ("95.00", "green")
    assert any(c["source"] == "bonus_cap" for c in body["contributions"])
    clock.advance(timedelta(days=400))
    assert (await color_of(app, credit_code))["score"] == "100.00"


async def test_a_township_reviewer_decides_only_its_own_records(app: FastAPI, db_backend: str) -> None:
    credit_code = await register(app)
    record_id = await record(app, credit_code, "site_safety")
    async with client_for(app, TOWNSHIP_REVIEWER) as client:
        response = await client.post(f"/v1/records/{record_id}/confirm", json={})
    assert response.status_code == 403
    assert response.json()["code"] == "tenant_mismatch"


async def test_bad_record_inputs_name_the_field(app: FastAPI, db_backend: str) -> None:
    credit_code = await register(app)
    async with client_for(app, CLERK) as client:
        unknown = await client.post(f"/v1/enterprises/{credit_code}/records",
                                    json={"kind": "nonsense", "occurred_on": "2026-02-01", "evidence": "x"})
        future = await client.post(f"/v1/enterprises/{credit_code}/records",
                                   json={"kind": "site_safety", "occurred_on": "2026-09-01", "evidence": "x"})
        too_long = await client.post(f"/v1/enterprises/{credit_code}/records",
                                     json={"kind": "site_safety", "occurred_on": "2026-02-01", "evidence": "x",
                                           "publication_months": 6})
        missing = await client.post(f"/v1/enterprises/{code(99)}/records",
                                    json={"kind": "site_safety", "occurred_on": "2026-02-01", "evidence": "x"})
        no_record = await client.get("/v1/records/99999")
        huge = await client.get("/v1/records/99999999999999999999")
        future_as_of = await client.get(f"/v1/enterprises/{credit_code}/color", params={"as_of": "2027-01-01"})
    assert [r.json()["errors"][0]["field"] for r in (unknown, future, too_long)] == [
        "kind", "occurred_on", "publication_months"]
    assert missing.status_code == 404
    assert no_record.status_code == 404
    assert huge.status_code == 422
    assert future_as_of.status_code == 422
    async with app.state.db.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(ColorChange)) == 1


async def test_the_review_queues_list_records_and_bonuses_across_enterprises(app: FastAPI, db_backend: str) -> None:
    first, second = await register(app, 1), await register(app, 2)
    pending = await record(app, first, "late_performance")
    await confirm(app, await record(app, second, "site_safety"))
    township_clerk = Principal(key_id="t-clerk", tenant="330199001", scopes=frozenset({"credit:write"}))
    async with client_for(app, township_clerk) as client:
        own = (await client.post(f"/v1/enterprises/{second}/records",
                                 json={"kind": "late_performance", "occurred_on": "2026-02-20", "evidence": "乡镇通报"})).json()
        await client.post(f"/v1/enterprises/{first}/bonuses",
                          json={"kind": "municipal_award", "evidence": "证书", "valid_until": "2026-12-31"})
    async with client_for(app, REVIEWER) as client:
        queue = (await client.get("/v1/records", params={"status": "pending"})).json()
        paged = (await client.get("/v1/records", params={"limit": 2})).json()
        rest = (await client.get("/v1/records", params={"limit": 2, "cursor": paged["next_cursor"]})).json()
        bonuses = (await client.get("/v1/bonuses", params={"status": "submitted"})).json()
        bad = await client.get("/v1/records", params={"status": "lost"})
    async with client_for(app, TOWNSHIP_REVIEWER) as client:
        township = (await client.get("/v1/records")).json()
    assert [(r["id"], r["credit_code"]) for r in queue["items"]] == [(pending, first), (own["id"], second)]
    assert len(paged["items"]) == 2
    assert [r["id"] for r in rest["items"]] == [own["id"]]
    assert [(b["credit_code"], b["kind"]) for b in bonuses["items"]] == [(first, "municipal_award")]
    assert bad.status_code == 422
    assert [r["id"] for r in township["items"]] == [own["id"]]


async def test_the_stats_count_coded_enterprises_colors_and_transitions_in_the_period(
        app: FastAPI, db_backend: str) -> None:
    first = await register(app, 1)
    await register(app, 2)
    await confirm(app, await record(app, first, "collusion"))
    async with client_for(app, CLERK) as client:
        today = (await client.get("/v1/stats", params={"from": "2026-03-02", "to": "2026-03-02"})).json()
        before = (await client.get("/v1/stats", params={"from": "2026-02-01", "to": "2026-02-28"})).json()
    figures = {f["name"]: f for f in today["figures"]}
    assert figures["enterprises_coded"]["value"] == 2
    assert figures["color_distribution"]["breakdown"] == {"green": 1, "blue": 0, "yellow": 0, "orange": 0, "red": 1}
    assert figures["color_transitions"]["breakdown"] == {"green->red": 1}
    assert next(f for f in before["figures"] if f["name"] == "color_transitions")["value"] == 0
