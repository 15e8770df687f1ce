"""Applications: intake checks, promised dates in working days, the status flow, auto-approval, tenancy."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from catalog_factories import (
    CREDIT_CODE,
    HALL_ACCEPTOR,
    HALL_APPROVER,
    OTHER_TOWNSHIP,
    RESIDENT_ID,
    TOWN_ACCEPTOR,
    TOWNSHIP,
    seed,
)
from fastapi import FastAPI
from pydantic import ValidationError

from bianmin.catalog.app import create_app
from bianmin.catalog.domain.applications import check_transition
from bianmin.catalog.schemas import Applicant
from bianmin.catalog.settings import CatalogSettings
from bianmin.kit.calendar import bundled_calendar, bundled_years, notice_map
from bianmin.kit.clock import FixedClock
from bianmin.kit.errors import Conflict
from bianmin.kit.identity import Principal
from bianmin.kit.workdays import SHANGHAI, WorkCalendar
from bianmin.testing.client import client_for, running

# Tuesday 30 September 2025, 10:00 in Shanghai: the National Day holiday (1-8 Oct) follows.
SUBMITTED = datetime(2025, 9, 30, 2, 0, tzinfo=UTC)


def application(**extra: Any) -> dict[str, Any]:
    """A valid application for the seeded item at the district hall."""
    body: dict[str, Any] = {
        "item_code": "330199-SC-001", "site_code": "330199000", "channel": "window",
        "applicant": {"type": "legal", "id_number": CREDIT_CODE, "name": "便民区1号建设有限公司", "phone": "13800001234"},
        "materials": [{"name": "营业执照申请书"}, {"name": "住所证明", "licence_no": "ZJ-2025-0001"}],
    }
    body.update(extra)
    return body


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(SUBMITTED)


@pytest.fixture
async def timed_app(settings: CatalogSettings, clock: FixedClock):  # type: ignore[no-untyped-def]
    application_ = create_app(settings, clock=clock)
    async with running(application_):
        yield application_


def test_the_status_flow() -> None:
    for current, target in (("submitted", "accepted"), ("accepted", "approved"), ("approved", "completed"),
                            ("submitted", "withdrawn"), ("accepted", "rejected")):
        check_transition(current, target)
    for current, target in (("submitted", "approved"), ("completed", "withdrawn"), ("rejected", "accepted"),
                            ("approved", "withdrawn")):
        with pytest.raises(Conflict):
            check_transition(current, target)


def applicant_problem(kind: str, number: str) -> str | None:
    """Why the intake body refuses an applicant's number for its type (the kit's ResidentId or CreditCode), or None."""
    try:
        Applicant(type=kind, id_number=number, name="张三", phone="13800001234")  # type: ignore[arg-type]
    except ValidationError as exc:
        return str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
    return None


def test_applicant_numbers_are_checked_by_their_check_characters() -> None:
    assert applicant_problem("natural", RESIDENT_ID) is None
    assert applicant_problem("legal", CREDIT_CODE) is None
    assert applicant_problem("natural", RESIDENT_ID[:-1] + ("0" if RESIDENT_ID[-1] != "0" else "1"))
    assert applicant_problem("legal", "91310110666007217U") == "check character does not match"
    assert applicant_problem("legal", "91310110666007217T") is None
    assert applicant_problem("natural", CREDIT_CODE) is not None


def test_an_applicants_number_is_stored_in_its_one_canonical_form() -> None:
    padded = Applicant(type="legal", id_number=f" {CREDIT_CODE.lower()} ", name="某公司", phone="13800001234")
    assert padded.id_number == CREDIT_CODE


async def test_the_promised_date_counts_working_days_with_holidays_and_make_up_days(
        timed_app: FastAPI, db_backend: str) -> None:
    async with client_for(timed_app) as client:
        await seed(client)
        created = await client.post("/v1/applications", json=application())
        await client.put("/v1/calendar/2025-10-09", json={"workday": False, "note": "区级调整"})
        later = await client.post("/v1/applications", json=application())
    assert created.status_code == 201, created.text
    # 3 working days after Tue 30 Sep: Thu 9 Oct, Fri 10 Oct, Sat 11 Oct (调休).
    assert created.json()["promised_date"] == "2025-10-11"
    assert later.json()["promised_date"] == "2025-10-13"
    assert created.json()["number"].startswith("BJ20250930")
    assert [s["to_status"] for s in created.json()["steps"]] == ["submitted"]
    assert (created.json()["promised_provisional"], created.json()["promised_basis"]) == (False, None)


async def test_a_promised_date_counted_into_a_year_without_a_notice_is_provisional_until_the_notice_is_loaded(
        settings: CatalogSettings, db_backend: str) -> None:
    last = max(bundled_years())
    coming = last + 1
    # 30 December of the last bundled year, 10:00 in Shanghai: three working days reach into the next year.
    clock = FixedClock(datetime.combine(date(last, 12, 30), time(10), tzinfo=SHANGHAI))
    # A made-up notice for the coming year (New Year's Day and the two days after it off): never the real one.
    made_up = {"notice": f"国办发明电〔{last}〕99号（测试用，虚构）", "days": [
        {"day": date(coming, 1, n).isoformat(), "workday": False, "name": "元旦"} for n in (1, 2, 3)]}
    app = create_app(settings, clock=clock)
    async with running(app), client_for(app) as client:
        await seed(client)
        guessed = (await client.post("/v1/applications", json=application())).json()
        loaded = await client.put(f"/v1/calendar/years/{coming}", json=made_up)
        counted = (await client.post("/v1/applications", json=application())).json()
        guessed_again = (await client.get(f"/v1/applications/{guessed['number']}")).json()
    assert guessed["promised_provisional"] is True
    assert str(coming) in guessed["promised_basis"]
    assert guessed["promised_date"] == bundled_calendar().add_workdays(date(last, 12, 30), 3).isoformat()
    assert loaded.status_code == 201, loaded.text
    assert (counted["promised_provisional"], counted["promised_basis"]) == (False, None)
    known = WorkCalendar({**{y: notice_map(d) for y, d in bundled_years().items()},
                          coming: {date(coming, 1, n): False for n in (1, 2, 3)}})
    assert counted["promised_date"] == known.add_workdays(date(last, 12, 30), 3).isoformat()
    # The first one's date was counted by weekends alone, and its read still says so.
    assert guessed_again["promised_date"] == guessed["promised_date"]
    assert guessed_again["promised_provisional"] is True


async def test_intake_refuses_bad_input_naming_the_field(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        await seed(client)
        cases = {
            "applicant.id_number": application(applicant={"type": "legal", "id_number": "91310110666007217U",
                                                          "name": "某公司", "phone": "13800001234"}),
            "applicant.type": application(applicant={"type": "natural", "id_number": RESIDENT_ID, "name": "张三",
                                                     "phone": "13800001234"}),
            "applicant.phone": application(applicant={"type": "legal", "id_number": CREDIT_CODE, "name": "某公司",
                                                      "phone": "12345"}),
            "materials": application(materials=[{"name": "营业执照申请书"}]),
            "materials.0.name": application(materials=[{"name": "户口本"}]),
            "materials.0.licence_no": application(materials=[{"name": "营业执照申请书", "licence_no": "X"},
                                                             {"name": "住所证明"}]),
            "channel": application(channel="kiosk"),
            "item_code": application(item_code="NOPE"),
            "site_code": application(site_code="330199009"),
        }
        answers = {field: await client.post("/v1/applications", json=body) for field, body in cases.items()}
    for field, response in answers.items():
        assert response.status_code == 422, (field, response.text)
        assert response.json()["errors"][0]["field"] == field
    assert "住所证明" in answers["materials"].json()["errors"][0]["reason"]


async def test_an_application_moves_through_its_steps_and_refuses_a_forbidden_move(app: FastAPI, db_backend: str) -> None:
    # Issue 19: the steps are the hall's acceptor's and approver's (the admin key took them all before).
    async with client_for(app) as client:
        await seed(client)
        number = (await client.post("/v1/applications", json=application())).json()["number"]
    async with client_for(app, HALL_ACCEPTOR) as acceptor, client_for(app, HALL_APPROVER) as client:
        early = await client.post(f"/v1/applications/{number}/status", json={"status": "completed"})
        accepted = await acceptor.post(f"/v1/applications/{number}/status", json={"status": "accepted"})
        approved = await client.post(f"/v1/applications/{number}/status", json={"status": "approved"})
        no_cert = await client.post(f"/v1/applications/{number}/status", json={"status": "completed"})
        done = await client.post(f"/v1/applications/{number}/status",
                                 json={"status": "completed", "certificate_no": "330199-2025-0001"})
        withdraw = await client.post(f"/v1/applications/{number}/status", json={"status": "withdrawn"})
        read = await client.get(f"/v1/applications/{number}")
        missing = await client.get("/v1/applications/BJ000")
    assert early.status_code == 409
    assert early.json()["code"] == "transition_forbidden"
    assert accepted.status_code == 200
    assert approved.status_code == 200
    assert no_cert.status_code == 422
    assert no_cert.json()["errors"][0]["field"] == "certificate_no"
    assert done.json()["certificate_no"] == "330199-2025-0001"
    assert withdraw.status_code == 409
    acceptor, approver = (f"staff:{p.subject.id}" for p in (HALL_ACCEPTOR, HALL_APPROVER))  # type: ignore[union-attr]
    assert [(s["to_status"], s["actor"]) for s in read.json()["steps"]] == [
        ("submitted", "key-admin"), ("accepted", acceptor), ("approved", approver), ("completed", approver)]
    assert missing.status_code == 404


async def test_auto_approval_needs_every_required_material_verified(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        await seed(client)
        await client.patch("/v1/items/330199-SC-001", json={"auto_approve": True, "materials": [
            {"name": "营业执照申请书", "required": True, "e_licence": True},
            {"name": "住所证明", "required": True, "e_licence": True}]})
        partial = await client.post("/v1/applications", json=application())
        full = await client.post("/v1/applications", json=application(materials=[
            {"name": "营业执照申请书", "licence_no": "E-1"}, {"name": "住所证明", "licence_no": "E-2"}]))
    assert partial.json()["status"] == "submitted"
    assert partial.json()["auto_approved"] is False
    assert full.json()["status"] == "approved"
    assert full.json()["auto_approved"] is True
    assert [s["actor"] for s in full.json()["steps"]][1:] == ["system:auto-approval", "system:auto-approval"]


async def test_a_township_sees_and_handles_its_own_sites_applications_only(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as admin:
        await seed(admin)
        hall = (await admin.post("/v1/applications", json=application())).json()["number"]
    async with client_for(app, TOWNSHIP) as township:
        own = (await township.post("/v1/applications", json=application(site_code="330199001"))).json()["number"]
        bank = await township.post("/v1/applications", json=application(site_code="330199001B01", channel="bank_terminal"))
        not_own_site = await township.post("/v1/applications", json=application())
        listed = (await township.get("/v1/applications")).json()["items"]
        other = await township.get(f"/v1/applications/{hall}")
    async with client_for(app, TOWN_ACCEPTOR) as acceptor:
        handled = await acceptor.post(f"/v1/applications/{own}/status", json={"status": "accepted"})
    async with client_for(app, OTHER_TOWNSHIP) as other_township:
        foreign = await other_township.post(f"/v1/applications/{own}/status", json={"status": "accepted"})
        none = (await other_township.get("/v1/applications")).json()["items"]
    async with client_for(app) as admin:
        everything = (await admin.get("/v1/applications")).json()["items"]
    async with client_for(app, HALL_ACCEPTOR) as hall_acceptor:
        handled_here = (await hall_acceptor.get("/v1/applications")).json()["items"]
    assert bank.status_code == 201
    assert not_own_site.status_code == 403
    assert {a["site_code"] for a in listed} == {"330199001", "330199001B01"}
    assert listed[0]["applicant_id_number"].startswith("913301")
    assert "*" in listed[0]["applicant_id_number"]
    assert listed[0]["applicant_name"].endswith("*")
    assert other.status_code == 404
    assert handled.status_code == 200
    assert foreign.status_code == 404
    assert none == []
    # Issue 19 (个人信息保护法): a district key sees every application but no applicant unmasked; the hall's
    # acceptor sees the hall's applications (and no township's) unmasked.
    assert len(everything) == 3
    assert all("*" in a["applicant_id_number"] for a in everything)
    assert [a["number"] for a in handled_here] == [hall]
    assert handled_here[0]["applicant_id_number"] == CREDIT_CODE


async def test_overdue_applications_are_listed_and_flagged(settings: CatalogSettings, db_backend: str) -> None:
    clock = FixedClock(SUBMITTED)
    app = create_app(settings, clock=clock)
    async with running(app), client_for(app) as client:
        await seed(client)
        late = (await client.post("/v1/applications", json=application())).json()["number"]
        done = (await client.post("/v1/applications", json=application())).json()["number"]
        async with client_for(app, HALL_ACCEPTOR) as acceptor, client_for(app, HALL_APPROVER) as approver:
            await acceptor.post(f"/v1/applications/{done}/status", json={"status": "accepted"})
            await approver.post(f"/v1/applications/{done}/status", json={"status": "approved"})
            await approver.post(f"/v1/applications/{done}/status",
                                json={"status": "completed", "certificate_no": "C-1"})
        clock.advance(timedelta(days=12))
        overdue = (await client.get("/v1/applications", params={"overdue": "true"})).json()["items"]
        on_time = (await client.get("/v1/applications", params={"overdue": "false"})).json()["items"]
        flags = {a["number"]: a["overdue"] for a in (await client.get("/v1/applications")).json()["items"]}
        reader = Principal(key_id="k-read", tenant="*", scopes=frozenset({"catalog:read"}))
        async with client_for(app, reader) as read_only:
            refused = await read_only.post(f"/v1/applications/{late}/status", json={"status": "accepted"})
            allowed = await read_only.get(f"/v1/applications/{late}")
        nobody = Principal(key_id="k-none", tenant="*", scopes=frozenset({"queue:write"}))
        async with client_for(app, nobody) as stranger:
            hidden = await stranger.get("/v1/applications")
    assert [a["number"] for a in overdue] == [late]
    assert [a["number"] for a in on_time] == [done]
    assert flags == {late: True, done: False}
    assert refused.status_code == 403
    assert allowed.status_code == 200
    assert hidden.status_code == 403
