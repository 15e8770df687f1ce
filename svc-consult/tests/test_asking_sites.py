"""Where a question is asked: a site of the registry a person can ask at, in any district it holds (issue 20)."""

from collections.abc import AsyncIterator

import pytest
from consult_factories import ADMIN, add_second_district, ask, seed_departments, staff
from fastapi import FastAPI

from bianmin.consult.app import create_app
from bianmin.consult.settings import ConsultSettings
from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import ANONYMOUS
from bianmin.testing.client import client_for, running

QUESTION = {"title": "问题", "body": "内容内容", "contact_name": "李四"}


@pytest.fixture
async def several_districts(settings: ConsultSettings, clock: FixedClock) -> AsyncIterator[FastAPI]:
    """The app of a deployment that serves several districts and so names no default site."""
    application = create_app(settings.model_copy(update={"district_site": None}), clock=clock)
    async with running(application):
        yield application


def test_the_service_names_no_district_of_its_own() -> None:
    assert ConsultSettings().district_site is None


async def test_a_question_asked_at_a_village_of_a_second_district_belongs_there(app: FastAPI) -> None:
    await add_second_district(app)
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        receipt = await ask(public, department_code="RSJ", site_code="320583011201")
        suggestion = await public.post("/v1/suggestions", json={
            "kind": "suggestion", "department_code": "RSJ", "title": "建议", "body": "村里便民服务站请延长开放时间",
            "anonymous": True, "site_code": "320583011201"})
        stored = (await admin.get(f"/v1/consultations/{receipt['id']}")).json()
        entries = (await admin.get("/v1/suggestions")).json()["items"]
    async with client_for(app, staff("RSJ", tenant="320583011")) as township:
        handled = await township.get(f"/v1/consultations/{receipt['id']}")
    async with client_for(app, staff("RSJ", tenant="330199001")) as demo_township:
        elsewhere = await demo_township.get(f"/v1/consultations/{receipt['id']}")
    assert stored["tenant"] == "320583011201"
    assert suggestion.status_code == 201, suggestion.text
    assert [e["tenant"] for e in entries] == ["320583011201"]
    assert handled.status_code == 200
    assert elsewhere.status_code == 404


async def test_a_site_the_registry_does_not_hold_or_where_nobody_asks_is_a_422_naming_site_code(app: FastAPI) -> None:
    async with client_for(app, ANONYMOUS) as public:
        answers = [await public.post("/v1/consultations", json={**QUESTION, "site_code": site})
                   for site in ("330199011", "320583011201", "330199", "330199001T01")]
        suggestion = await public.post("/v1/suggestions", json={
            "kind": "suggestion", "department_code": "RSJ", "title": "建议", "body": "请延长开放时间", "site_code": "330199011"})
    assert [a.status_code for a in answers] == [422] * 4
    assert {a.json()["errors"][0]["field"] for a in answers} == {"site_code"}
    assert suggestion.status_code == 422
    assert suggestion.json()["errors"][0]["field"] == "site_code"


async def test_without_a_configured_district_a_question_must_name_its_site(several_districts: FastAPI) -> None:
    app = several_districts
    async with client_for(app, ANONYMOUS) as public:
        unnamed = await public.post("/v1/consultations", json=QUESTION)
        box = await public.post("/v1/suggestions", json={
            "kind": "praise", "department_code": "RSJ", "title": "表扬", "body": "窗口服务很好"})
        named = await public.post("/v1/consultations", json={**QUESTION, "site_code": "330199000"})
    async with client_for(app, staff("RSJ", tenant="330199003")) as township:
        own = await township.post("/v1/consultations", json=QUESTION)
    assert unnamed.status_code == box.status_code == 422
    assert unnamed.json()["errors"][0]["field"] == box.json()["errors"][0]["field"] == "site_code"
    assert "several districts" in unnamed.json()["errors"][0]["reason"]
    assert named.status_code == own.status_code == 201
