"""Who acts in consult (issue 19): citizens ask and rate their own questions, a department's consult_agent
answers its department's only, contact data is masked except when handling one entry (and then logged),
and a township's figures cover its own sites."""

from consult_factories import ADMIN, ask, seed_departments, staff
from fastapi import FastAPI

from bianmin.kit.app import api_routes
from bianmin.kit.identity import ANONYMOUS, Principal
from bianmin.kit.policy import declared_policy
from bianmin.kit.subjects import Subject
from bianmin.testing.client import client_for, person

TOWN = "330199001"
OTHER_TOWN = "330199002"
CITIZEN = person("citizen")
NEIGHBOUR = Principal(key_id="app-of-a-neighbour", tenant="*", scopes=frozenset({"admin"}),
                      subject=Subject(kind="citizen", id="acct-neighbour"))
SCJ_AGENT = person("staff", "consult_agent", department="SCJ")
RSJ_AGENT = person("staff", "consult_agent", department="RSJ")


async def test_only_a_consult_agent_of_the_questions_department_answers_it(app: FastAPI) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, CITIZEN) as citizen:
        await seed_departments(admin)
        receipt = await ask(citizen, department_code="SCJ")
    answer = {"answer": "请到三号窗口办理。"}
    url = f"/v1/consultations/{receipt['id']}/answer"
    async with client_for(app, CITIZEN) as citizen:
        by_citizen = await citizen.post(url, json=answer)
    async with client_for(app, person("staff", "clerk", site=TOWN)) as clerk:
        by_clerk = await clerk.post(url, json=answer)
    async with client_for(app, RSJ_AGENT) as other:
        by_other_department = await other.post(url, json=answer)
    async with client_for(app, SCJ_AGENT) as agent:
        answered = await agent.post(url, json=answer)
    assert (by_citizen.status_code, by_citizen.json()["code"]) == (403, "subject_not_allowed")
    assert (by_clerk.status_code, by_clerk.json()["code"]) == (403, "role_missing")
    assert by_other_department.status_code in (403, 404)
    assert answered.json()["status"] == "answered"


async def test_the_answer_is_rated_by_the_citizen_who_asked_only(app: FastAPI) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, CITIZEN) as citizen:
        await seed_departments(admin)
        receipt = await ask(citizen, department_code="SCJ")
    async with client_for(app, staff("SCJ")) as department:
        await department.post(f"/v1/consultations/{receipt['id']}/answer", json={"answer": "请到三号窗口办理。"})
    rating_url = f"/v1/consultations/track/{receipt['access_code']}/rating"
    async with client_for(app, SCJ_AGENT) as agent:
        by_agent = await agent.post(rating_url, json={"level": "very_satisfied"})
    async with client_for(app, NEIGHBOUR) as neighbour:
        by_neighbour = await neighbour.post(rating_url, json={"level": "very_satisfied"})
    async with client_for(app, ANONYMOUS) as public:
        by_code_alone = await public.post(rating_url, json={"level": "very_satisfied"})
    async with client_for(app, CITIZEN) as citizen:
        rated = await citizen.post(rating_url, json={"level": "satisfied"})
    for refused in (by_agent, by_neighbour, by_code_alone):
        assert (refused.status_code, refused.json()["code"]) == (403, "not_the_asker"), refused.text
    assert rated.json()["rating"] == "satisfied"


async def test_contact_data_is_masked_in_lists_and_shown_and_logged_when_an_agent_opens_one(app: FastAPI) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        receipt = await ask(public, department_code="SCJ", contact_email="wxm@example.com")
    async with client_for(app, SCJ_AGENT) as agent:
        listed = await agent.get("/v1/consultations")
        opened = await agent.get(f"/v1/consultations/{receipt['id']}")
    async with client_for(app, person("supervisor", "supervisor")) as supervisor:
        log = await supervisor.get("/v1/access-log")
    (item,) = listed.json()["items"]
    assert (item["contact_name"], item["contact_phone"], item["contact_email"]) == (
        "王**", "138****8000", "w***@example.com")
    assert (opened.json()["contact_name"], opened.json()["contact_phone"]) == ("王小明", "13800138000")
    (row,) = log.json()["items"]
    assert (row["subject_id"], row["resource"]) == (SCJ_AGENT.subject.id, f"consultation/{receipt['id']}")  # type: ignore[union-attr]
    assert row["fields"] == ["contact_email", "contact_name", "contact_phone"]
    assert "13800138000" not in log.text


async def test_suggestions_are_masked_in_the_list_and_logged_when_opened(app: FastAPI) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        created = await public.post("/v1/suggestions", json={
            "kind": "complaint", "department_code": "SCJ", "title": "窗口态度差", "body": "三号窗口不耐烦",
            "contact_name": "李四", "contact_phone": "13900139000"})
        assert created.status_code == 201, created.text
    async with client_for(app, SCJ_AGENT) as agent:
        listed = await agent.get("/v1/suggestions")
        entry = listed.json()["items"][0]
        opened = await agent.get(f"/v1/suggestions/{entry['id']}")
    async with client_for(app, RSJ_AGENT) as other:
        foreign = await other.get(f"/v1/suggestions/{entry['id']}")
    async with client_for(app, person("supervisor", "supervisor")) as supervisor:
        log = await supervisor.get("/v1/access-log")
    assert (entry["contact_name"], entry["contact_phone"]) == ("李*", "139****9000")
    assert opened.json()["contact_name"] == "李四"
    assert foreign.status_code in (403, 404)
    assert [r["resource"] for r in log.json()["items"]] == [f"suggestion/{entry['id']}"]


async def test_a_townships_figures_cover_its_own_sites_only(app: FastAPI) -> None:
    async with client_for(app, ADMIN) as admin:
        await seed_departments(admin)
        await ask(admin, department_code="SCJ", site_code=TOWN)
        await ask(admin, department_code="SCJ", site_code=OTHER_TOWN)
        await ask(admin, department_code="SCJ", site_code=OTHER_TOWN)
    township = Principal(key_id="key-township-cockpit", tenant=TOWN, scopes=frozenset({"cockpit:read"}))
    viewer = person("staff", "cockpit_viewer", site=OTHER_TOWN)
    received = {}
    for name, who in (("township", township), ("viewer", viewer)):
        async with client_for(app, who) as client:
            overview = {f["name"]: f for f in (await client.get("/v1/stats/overview")).json()["figures"]}
            received[name] = (overview["consultations_received"]["value"], (await client.get("/v1/stats")).json()["received"])
    assert received == {"township": (1, 1), "viewer": (2, 2)}


def test_every_route_declares_who_may_call_it(app: FastAPI) -> None:
    undeclared = [f"{sorted(r.methods)} {r.path}" for r in api_routes(app)
                  if r.path.startswith("/v1/") and declared_policy(r) is None]
    assert not undeclared


async def test_a_citizen_lists_the_questions_they_asked_and_nobody_elses(app: FastAPI) -> None:
    async with client_for(app, ADMIN) as admin:
        await seed_departments(admin)
    async with client_for(app, CITIZEN) as citizen:
        mine = await ask(citizen, department_code="SCJ")
    async with client_for(app, NEIGHBOUR) as neighbour:
        await ask(neighbour, department_code="SCJ", title="社保卡补办")
        theirs = await neighbour.get("/v1/consultations/mine")
    async with client_for(app, CITIZEN) as citizen:
        listed = await citizen.get("/v1/consultations/mine")
    async with client_for(app, ADMIN) as admin:
        by_key = await admin.get("/v1/consultations/mine")
    assert [c["id"] for c in listed.json()["items"]] == [mine["id"]]
    assert listed.json()["items"][0]["contact_name"] == "王**"
    assert [c["title"] for c in theirs.json()["items"]] == ["社保卡补办"]
    assert (by_key.status_code, by_key.json()["code"]) == (403, "subject_not_allowed")
