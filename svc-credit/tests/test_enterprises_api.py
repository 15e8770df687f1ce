"""Enterprises: credit-code checks, registration, CSV import, lists and scopes."""

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from bianmin.credit.domain import enterprises
from bianmin.credit.models import ColorChange, Enterprise
from bianmin.kit.identity import ANONYMOUS, Principal
from bianmin.kit.tables import outbox_event
from bianmin.testing.client import client_for

from .credit_factories import CLERK, code

READER = Principal(key_id="reader", tenant="330199001", scopes=frozenset())
LEGACY = "91310110666007217A"  # valid alphabet and length, wrong check character (the right one is T)


async def test_registration_checks_the_check_character(app: FastAPI, db_backend: str) -> None:
    async with client_for(app, CLERK) as client:
        valid = await client.post("/v1/enterprises", json={"credit_code": "91310110666007217T", "name": "甲公司"})
        wrong = await client.post("/v1/enterprises", json={"credit_code": LEGACY, "name": "乙公司"})
        short = await client.post("/v1/enterprises", json={"credit_code": "9131011066600721", "name": "丙公司"})
        letters = await client.post("/v1/enterprises", json={"credit_code": "91310110666007217I", "name": "丙公司"})
        legacy = await client.post("/v1/enterprises", json={"credit_code": LEGACY, "name": "乙公司", "legacy": True})
    assert valid.status_code == 201
    assert valid.json()["warnings"] == []
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0] == {"field": "credit_code",
                                         "reason": "check character does not match (send legacy=true for a legacy code)"}
    assert short.json()["errors"][0]["reason"] == "must be 18 characters"
    assert "outside the code alphabet" in letters.json()["errors"][0]["reason"]
    assert legacy.status_code == 201
    assert legacy.json()["legacy_code"] is True
    assert "legacy credit code" in legacy.json()["warnings"][0]


async def test_registering_the_same_enterprise_twice_is_harmless_but_a_clash_is_409(app: FastAPI, db_backend: str) -> None:
    body = {"credit_code": code(1), "name": "便民区1号建设有限公司"}
    async with client_for(app, CLERK) as client:
        first = await client.post("/v1/enterprises", json=body)
        again = await client.post("/v1/enterprises", json=body)
        clash = await client.post("/v1/enterprises", json={**body, "name": "别的公司"})
        replay = await client.post("/v1/enterprises", json=body, headers={"Idempotency-Key": "k1"})
        replayed = await client.post("/v1/enterprises", json=body, headers={"Idempotency-Key": "k1"})
        renamed = await client.patch(f"/v1/enterprises/{code(1)}", json={"name": "便民区1号建筑有限公司"})
    assert (first.status_code, again.status_code, clash.status_code) == (201, 200, 409)
    assert replay.status_code == 200
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert renamed.json()["name"] == "便民区1号建筑有限公司"


async def test_csv_import_reports_each_rejected_row_with_its_line(app: FastAPI, db_backend: str) -> None:
    rows = ["credit_code,name,legacy", f"{code(1)},一号公司,false", f"{code(2)},二号公司,", "91330199MA0000001X,坏公司,",
            f"{LEGACY},旧公司,true", f"{code(1)},重复公司,", f"{code(3)},,", f"{code(4)},四号公司,maybe", "only-one-cell", "",
            f"{code(5).lower()},五号公司,0"]
    async with client_for(app, CLERK) as client:
        response = await client.post("/v1/enterprises/import", content="\n".join(rows).encode(),
                                     headers={"Content-Type": "text/csv"})
        again = await client.post("/v1/enterprises/import", content="\n".join(rows[:3]).encode(),
                                  headers={"Content-Type": "text/csv; charset=utf-8"})
        listed = await client.get("/v1/enterprises", params={"limit": 2})
        second = await client.get("/v1/enterprises", params={"limit": 2, "cursor": listed.json()["next_cursor"]})
    report = response.json()
    assert response.status_code == 200, response.text
    assert (report["rows"], report["created"]) == (9, 4)
    assert [(r["line"], r["reason"].split(":")[0]) for r in report["rejected"]] == [
        (4, "credit_code"), (6, "credit_code"), (7, "name"), (8, "legacy must be true or false"),
        (9, "expected 3 columns, found 1")]
    assert "repeats line 2" in report["rejected"][1]["reason"]
    assert report["warnings"][0]["line"] == 5
    assert (again.json()["unchanged"], again.json()["created"]) == (2, 0)
    assert len(listed.json()["items"]) == 2
    assert len(second.json()["items"]) == 2


async def test_csv_import_refuses_what_is_not_a_csv_of_enterprises(app: FastAPI, db_backend: str) -> None:
    async with client_for(app, CLERK) as client:
        json_body = await client.post("/v1/enterprises/import", json={"a": 1})
        no_header = await client.post("/v1/enterprises/import", content=b"a,b\n1,2\n", headers={"Content-Type": "text/csv"})
        empty = await client.post("/v1/enterprises/import", content=b"", headers={"Content-Type": "text/csv"})
        binary = await client.post("/v1/enterprises/import", content=b"\xff\xfe\x00", headers={"Content-Type": "text/csv"})
    assert json_body.json()["code"] == "unsupported_media_type"
    assert [r.status_code for r in (no_header, empty, binary)] == [422, 422, 422]
    assert no_header.json()["errors"][0]["field"] == "body"


async def test_reads_need_a_key_and_writes_need_the_scope(app: FastAPI, db_backend: str) -> None:
    async with client_for(app, CLERK) as client:
        await client.post("/v1/enterprises", json={"credit_code": code(7), "name": "七号公司"})
    async with client_for(app, READER) as client:
        write = await client.post("/v1/enterprises", json={"credit_code": code(8), "name": "八号公司"})
        read = await client.get(f"/v1/enterprises/{code(7)}")
        guarantee = await client.get(f"/v1/enterprises/{code(7)}/eligibility", params={"action": "guarantee"})
        bad_action = await client.get(f"/v1/enterprises/{code(7)}/eligibility", params={"action": "fly"})
        history = await client.get(f"/v1/enterprises/{code(7)}/color-changes")
        bad_cursor = await client.get(f"/v1/enterprises/{code(7)}/color-changes", params={"cursor": "WyJ4Il0"})
    async with client_for(app, ANONYMOUS) as client:
        private = await client.get(f"/v1/enterprises/{code(7)}/color")
        public = await client.get(f"/v1/enterprises/{code(7)}/color/public")
        unknown = await client.get(f"/v1/enterprises/{code(9)}/color/public")
    assert write.status_code == 403
    assert read.json()["color"] == "green"
    assert guarantee.json()["decision"] == "allowed"
    assert bad_action.status_code == 422
    assert history.json()["items"][0]["new_color"] == "green"
    assert bad_cursor.status_code == 422
    assert private.status_code == 401
    assert public.json()["color"] == "green"
    assert unknown.status_code == 404


async def test_a_large_import_goes_in_batches_names_stubs_and_announces_each_new_enterprise(
        app: FastAPI, db_backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(enterprises, "BATCH", 50)
    async with app.state.db.sessionmaker() as session:
        await enterprises.ensure_stub(session, code(7), now=app.state.clock.now())
        await session.commit()
    rows = ["credit_code,name"] + [f"{code(n)},企业{n}" for n in range(1, 121)]
    rows.insert(60, "91330199MA0000001X,坏公司")
    body = "\n".join(rows).encode()
    async with client_for(app, CLERK) as client:
        first = (await client.post("/v1/enterprises/import", content=body, headers={"Content-Type": "text/csv"})).json()
        again = (await client.post("/v1/enterprises/import", content=body, headers={"Content-Type": "text/csv"})).json()
        stub = (await client.get(f"/v1/enterprises/{code(7)}")).json()
    assert (first["rows"], first["created"], first["updated"], first["unchanged"]) == (121, 119, 1, 0)
    assert [(r["line"], r["credit_code"]) for r in first["rejected"]] == [(61, "91330199MA0000001X")]
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 120)
    assert (stub["name"], stub["color"]) == ("企业7", "green")
    async with app.state.db.sessionmaker() as session:
        changes = await session.scalar(select(func.count()).select_from(ColorChange))
        events = await session.scalar(select(func.count()).select_from(outbox_event))
        colored = await session.scalar(select(func.count()).select_from(Enterprise).where(Enterprise.color == "green"))
    assert changes == events == colored == 120


async def test_a_padded_lowercase_code_is_registered_in_its_one_canonical_form(app: FastAPI, db_backend: str) -> None:
    """The kit's one normalisation (blanks dropped, upper-cased, then checked): credit once refused a padded code."""
    async with client_for(app, CLERK) as client:
        padded = await client.post("/v1/enterprises", json={"credit_code": f"  {code(11).lower()} ", "name": "十一号公司"})
        found = await client.get(f"/v1/enterprises/{code(11).lower()}")
    assert padded.status_code == 201, padded.text
    assert padded.json()["credit_code"] == code(11)
    assert found.json()["credit_code"] == code(11)
