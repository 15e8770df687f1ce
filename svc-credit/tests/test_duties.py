"""Separation of duties and who may act (issue 19): whoever records or submits cannot confirm or decide it."""

from datetime import timedelta

from fastapi import FastAPI

from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import Principal
from bianmin.kit.subjects import Role, Subject
from bianmin.testing.client import client_for

from .credit_factories import CLERK, REVIEWER, code, confirm, record, register

BOTH_KEY = Principal(key_id="both", tenant="*", scopes=frozenset({"credit:write", "credit:review"}))
BONUS = {"kind": "provincial_award", "evidence": "省级优质工程奖证书", "valid_until": "2027-01-31"}


def staff(ident: str, *roles: str, site: str = "*", second_factor: bool = True) -> Principal:
    """A staff account ``ident`` holding ``roles`` at ``site``, through the platform's pages (one key for everyone)."""
    return Principal(key_id="pages", tenant="*", scopes=frozenset({"admin"}), subject=Subject(
        kind="staff", id=ident, roles=tuple(Role(r, site) for r in roles), second_factor=second_factor))


async def test_the_same_key_submitting_and_approving_a_bonus_is_refused(app: FastAPI) -> None:
    credit_code = await register(app)
    async with client_for(app, BOTH_KEY) as both:
        bonus = (await both.post(f"/v1/enterprises/{credit_code}/bonuses", json=BONUS)).json()
        own = await both.post(f"/v1/bonuses/{bonus['id']}/approve", json={"note": "核实"})
        own_reject = await both.post(f"/v1/bonuses/{bonus['id']}/reject", json={"note": "不符"})
    assert own.status_code == 403
    assert own.json()["code"] == "separation_of_duties"
    assert own_reject.json()["code"] == "separation_of_duties"
    async with client_for(app, REVIEWER) as reviewer:
        approved = await reviewer.post(f"/v1/bonuses/{bonus['id']}/approve", json={"note": "核实"})
    assert approved.json()["status"] == "approved"


async def test_the_same_person_recording_and_confirming_is_refused_even_through_one_app(app: FastAPI) -> None:
    credit_code = await register(app)
    wang = staff("wang", "credit_recorder", "credit_reviewer")
    async with client_for(app, wang) as client:
        recorded = await client.post(f"/v1/enterprises/{credit_code}/records",
                                     json={"kind": "false_materials", "occurred_on": "2026-02-20", "evidence": "通报"})
        own = await client.post(f"/v1/records/{recorded.json()['id']}/confirm", json={"note": "核实"})
    assert recorded.status_code == 201, recorded.text
    assert own.json()["code"] == "separation_of_duties"
    assert recorded.json()["history"][0]["by"] == "staff:wang"
    async with client_for(app, staff("li", "credit_reviewer")) as li:  # same pages key, another person
        confirmed = await li.post(f"/v1/records/{recorded.json()['id']}/confirm", json={"note": "核实"})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["history"][-1]["by"] == "staff:li"


async def test_whoever_files_a_repair_cannot_approve_it(app: FastAPI, clock: FixedClock) -> None:
    credit_code = await register(app)
    record_id = await record(app, credit_code, "false_materials")
    await confirm(app, record_id)
    clock.advance(timedelta(days=92))
    async with client_for(app, BOTH_KEY) as both:
        filed = await both.post(f"/v1/records/{record_id}/repairs", json={"evidence": "已整改", "commitment": "信用承诺书"})
        own = await both.post(f"/v1/repairs/{filed.json()['id']}/approve", json={"note": "同意"})
    assert filed.status_code == 201, filed.text
    assert own.json()["code"] == "separation_of_duties"


async def test_reviewers_need_their_role_at_the_site_and_a_second_factor(app: FastAPI) -> None:
    credit_code = await register(app)
    record_id = await record(app, credit_code, "false_materials")
    url = f"/v1/records/{record_id}/confirm"
    async with client_for(app, staff("weak", "credit_reviewer", second_factor=False)) as weak:
        no_mfa = await weak.post(url, json={"note": "核实"})
    async with client_for(app, staff("rec", "credit_recorder")) as recorder:
        not_reviewer = await recorder.post(url, json={"note": "核实"})
    async with client_for(app, staff("town", "credit_reviewer", site="330199001")) as town:
        elsewhere = await town.post(url, json={"note": "核实"})
    citizen = Principal(key_id="app", tenant="*", scopes=frozenset({"admin"}), subject=Subject(kind="citizen", id="c1"))
    async with client_for(app, citizen) as person:
        by_citizen = await person.post(f"/v1/enterprises/{credit_code}/records",
                                       json={"kind": "false_materials", "occurred_on": "2026-02-20", "evidence": "x"})
        citizen_reads = await person.get(f"/v1/enterprises/{credit_code}/records")
        citizen_color = await person.get(f"/v1/enterprises/{credit_code}/color/public")
    assert no_mfa.json()["code"] == "second_factor_required"
    assert not_reviewer.json()["code"] == "role_missing"
    assert elsewhere.json()["code"] == "role_missing"
    assert by_citizen.json()["code"] == "subject_not_allowed"
    assert citizen_reads.json()["code"] == "subject_not_allowed"
    assert citizen_color.status_code == 200
    async with client_for(app, CLERK) as clerk:
        still = (await clerk.get(f"/v1/records/{record_id}")).json()
    assert still["status"] == "pending"
    assert code(1) == credit_code


async def test_a_township_recorder_cannot_change_the_district_register(app: FastAPI) -> None:
    credit_code = await register(app)
    async with client_for(app, staff("town-rec", "credit_recorder", site="330199001")) as town:
        renamed = await town.patch(f"/v1/enterprises/{credit_code}", json={"name": "改名有限公司"})
    async with client_for(app, staff("dist-rec", "credit_recorder")) as district:
        allowed = await district.patch(f"/v1/enterprises/{credit_code}", json={"name": "便民区1号建设集团有限公司"})
    assert renamed.json()["code"] == "role_missing"
    assert allowed.status_code == 200, allowed.text
