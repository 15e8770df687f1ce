"""The n-gram search: grams, and 1-, 2- and 4-character queries ranked on both backends."""

from catalog_factories import item_body
from fastapi import FastAPI

from bianmin.catalog.domain.search import grams, query_grams, weighted_grams
from bianmin.testing.client import client_for


def test_grams_cut_chinese_into_unigrams_and_bigrams_and_keep_latin_words() -> None:
    assert grams("营业执照") == {"营", "业", "执", "照", "营业", "业执", "执照"}
    assert grams("ICP许可") == {"icp", "许", "可", "许可"}


def test_a_query_uses_bigrams_except_for_a_single_character() -> None:
    assert query_grams("证") == ["证"]
    assert query_grams("营业执照") == ["营业", "业执", "执照"]
    assert query_grams("  ") == []


def test_the_name_outweighs_the_department() -> None:
    weights = weighted_grams(name="护照", aliases=[], keywords=[], department="公安护照科")
    assert weights["护照"] > weighted_grams(name="x", aliases=[], keywords=[], department="护照")["护照"]


async def _catalog(client) -> None:  # type: ignore[no-untyped-def]
    for code, name in (("SCJG", "区市场监督管理局"), ("GAJ", "区公安分局"), ("RSJ", "区人力社保局")):
        await client.put(f"/v1/departments/{code}", json={"code": code, "name": name})
    bodies = [
        item_body("I-1", "企业营业执照设立登记"),
        item_body("I-2", "营业执照变更登记", aliases=[], keywords=[]),
        item_body("I-3", "普通护照签发", department_code="GAJ", aliases=["办护照"], keywords=["出国"], target_group="natural"),
        item_body("I-4", "失业保险金申领", department_code="RSJ", aliases=[], keywords=["失业金"], target_group="natural"),
        item_body("I-5", "食品经营许可证核发", aliases=[], keywords=["餐饮"]),
    ]
    for body in bodies:
        assert (await client.post("/v1/items", json=body)).status_code == 201
        await client.post(f"/v1/items/{body['code']}/status", json={"status": "published"})


async def _codes(client, q: str, **params: str) -> list[str]:  # type: ignore[no-untyped-def]
    response = await client.get("/v1/items", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return [i["code"] for i in response.json()["items"]]


async def test_one_two_and_four_character_queries_find_the_right_items(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        await _catalog(client)
        assert await _codes(client, "营业执照") == ["I-2", "I-1"]
        assert await _codes(client, "护照") == ["I-3"]
        assert await _codes(client, "证") == ["I-5"]
        assert await _codes(client, "出国") == ["I-3"]
        assert await _codes(client, "公安") == ["I-3"]
        assert await _codes(client, "失业金") == ["I-4"]
        assert await _codes(client, "普通护照签发") == ["I-3"]
        assert await _codes(client, "执照", target_group="natural") == []


async def test_an_exact_name_ranks_first(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        await _catalog(client)
        assert (await _codes(client, "营业执照变更登记"))[0] == "I-2"
        assert (await _codes(client, "企业营业执照设立登记"))[0] == "I-1"


async def test_search_pages_through_the_ranking(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        await _catalog(client)
        first = (await client.get("/v1/items", params={"q": "营业执照", "limit": 1})).json()
        second = (await client.get("/v1/items", params={"q": "营业执照", "limit": 1, "cursor": first["next_cursor"]})).json()
        bad = await client.get("/v1/items", params={"q": "营业执照", "cursor": "bm90IGpzb24"})
    assert len(first["items"]) == 1
    assert len(second["items"]) == 1
    assert first["items"][0]["code"] != second["items"][0]["code"]
    assert second["next_cursor"] is None
    assert bad.status_code == 422


async def test_drafts_are_not_found_by_the_public(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client:
        await client.put("/v1/departments/SCJG", json={"code": "SCJG", "name": "区市场监督管理局"})
        await client.post("/v1/items", json=item_body("D-1", "草稿事项"))
        assert await _codes(client, "草稿") == []
        assert await _codes(client, "草稿", status="draft") == ["D-1"]
