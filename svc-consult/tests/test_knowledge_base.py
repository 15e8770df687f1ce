"""The knowledge base: articles, promotion of answers with redaction, and Chinese search."""

from consult_factories import ADMIN, ask, seed_departments, staff
from fastapi import FastAPI

from bianmin.consult.domain.kb import grams, query_grams
from bianmin.kit.identity import ANONYMOUS
from bianmin.testing.client import client_for

ARTICLES = [
    ("个体工商户营业执照办理指南", "办理个体工商户营业执照需携带身份证、经营场所证明，可在市场监管窗口或网上办理。"),
    ("失业保险金申领条件", "参加失业保险满一年、非因本人意愿中断就业的，可以申领失业保险金。"),
    ("食品经营许可证延续", "食品经营许可证有效期届满需要延续的，应在届满前30个工作日提出申请。"),
]


async def publish_articles(app: FastAPI) -> list[dict]:
    """Publish the sample articles as SCJ staff."""
    made = []
    async with client_for(app, staff("SCJ")) as scj:
        for title, body in ARTICLES:
            created = await scj.post("/v1/kb/articles", json={"title": title, "body": body, "department_code": "SCJ"})
            assert created.status_code == 201, created.text
            published = await scj.post(f"/v1/kb/articles/{created.json()['id']}/publish")
            made.append(published.json())
    return made


def test_grams_are_unigrams_and_bigrams_that_never_span_punctuation() -> None:
    counts = grams("营业执照，办理")
    assert counts["营"] == 1
    assert counts["营业"] == 1
    assert "照办" not in counts
    assert query_grams("执") == ["执"]
    assert query_grams("营业执照") == ["业执", "执照", "营业"]
    assert query_grams("ＡＢ") == ["ab"]


async def test_suggest_finds_answers_from_one_character_on_ranked_by_match(app: FastAPI) -> None:
    await publish_articles(app)
    async with client_for(app, ANONYMOUS) as public:
        one = (await public.get("/v1/kb/suggest", params={"q": "照"})).json()
        two = (await public.get("/v1/kb/suggest", params={"q": "营业执照"})).json()
        phrase = (await public.get("/v1/kb/suggest", params={"q": "失业保险怎么领"})).json()
        nothing = (await public.get("/v1/kb/suggest", params={"q": "公积金"})).json()
        empty = await public.get("/v1/kb/suggest", params={"q": "，，"})
        missing = await public.get("/v1/kb/suggest")
    assert [h["title"] for h in one][:1] == ["个体工商户营业执照办理指南"]
    assert two[0]["title"] == "个体工商户营业执照办理指南"
    assert len(two) == 1
    assert phrase[0]["title"] == "失业保险金申领条件"
    assert nothing == []
    assert empty.status_code == 422
    assert missing.status_code == 422


async def test_drafts_and_archived_articles_are_not_public(app: FastAPI) -> None:
    made = await publish_articles(app)
    async with client_for(app, staff("SCJ")) as scj:
        draft = (await scj.post("/v1/kb/articles", json={"title": "草稿文章", "body": "草稿内容草稿内容",
                                                          "department_code": "SCJ"})).json()
        archived = await scj.post(f"/v1/kb/articles/{made[0]['id']}/archive")
        again = await scj.post(f"/v1/kb/articles/{made[0]['id']}/archive")
    async with client_for(app, ANONYMOUS) as public:
        listed = (await public.get("/v1/kb/articles")).json()["items"]
        hidden = await public.get(f"/v1/kb/articles/{draft['id']}")
        search = (await public.get("/v1/kb/suggest", params={"q": "营业执照"})).json()
        refused = await public.post("/v1/kb/articles", json={"title": "标题", "body": "内容内容"})
    assert archived.json()["status"] == "archived"
    assert again.status_code == 409
    assert again.json()["code"] == "transition_forbidden"
    assert {a["id"] for a in listed} == {made[1]["id"], made[2]["id"]}
    assert hidden.status_code == 404
    assert search == []
    assert refused.status_code == 401


async def test_staff_write_only_for_their_department(app: FastAPI) -> None:
    made = await publish_articles(app)
    async with client_for(app, staff("RSJ")) as rsj:
        foreign = await rsj.post("/v1/kb/articles", json={"title": "标题", "body": "内容内容", "department_code": "SCJ"})
        edit = await rsj.patch(f"/v1/kb/articles/{made[0]['id']}", json={"title": "改标题"})
    assert foreign.status_code == 403
    assert edit.status_code == 403


async def test_an_answer_is_promoted_redacted_only_with_consent(app: FastAPI) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        consenting = await ask(public, department_code="SCJ", consent_publish=True,
                               body="我是王小明，电话13800138000，想开小吃店需要什么材料？")
        private = await ask(public, department_code="SCJ")
        async with client_for(app, staff("SCJ")) as scj:
            early = await scj.post(f"/v1/consultations/{consenting['id']}/promote", json={})
            for receipt in (consenting, private):
                await scj.post(f"/v1/consultations/{receipt['id']}/answer",
                               json={"answer": "王小明您好，请携带身份证和场所证明办理，可致电0571-87654321咨询。"})
            promoted = await scj.post(f"/v1/consultations/{consenting['id']}/promote", json={"title": "开小吃店要什么材料"})
            twice = await scj.post(f"/v1/consultations/{consenting['id']}/promote", json={})
            refused = await scj.post(f"/v1/consultations/{private['id']}/promote", json={})
            published = await scj.post(f"/v1/kb/articles/{promoted.json()['id']}/publish")
        found = (await public.get("/v1/kb/suggest", params={"q": "小吃店"})).json()
    assert early.status_code == 409
    assert promoted.status_code == 201
    article = published.json()
    assert article["status"] == "published"
    assert "王小明" not in article["body"]
    assert "13800138000" not in article["body"]
    assert "87654321" not in article["body"]
    assert article["body"].startswith("问：")
    assert twice.status_code == 409
    assert refused.status_code == 409
    assert refused.json()["code"] == "no_consent"
    assert found[0]["article_id"] == article["id"]
