"""Test data the scenarios create through the APIs: catalog items with Chinese names, halls, codes."""

from __future__ import annotations

import random
from typing import Any

import httpx

from bench.platform import Skip
from bench.scenarios import Context
from bianmin.kit.identifiers import with_uscc_check

DEPARTMENT = "BENCH-DEPT"
SUBJECTS = ["营业执照", "食品经营", "建设工程", "道路运输", "医疗机构", "排水许可", "户外广告", "城镇燃气",
            "药品零售", "民办学校", "人力资源", "出版物零售", "网络文化", "特种设备", "危险化学品", "林木采伐",
            "社会团体", "养老机构", "公共场所", "娱乐场所", "二手车交易", "文物保护", "地质灾害", "水土保持"]
ACTIONS = ["设立登记", "变更登记", "注销登记", "许可证核发", "许可证延续", "备案", "资格认定", "年度报告",
           "证明开具", "补证换证", "审批", "核准"]
ANCHOR_CODE = "BENCH-ITEM-00000"


def ok(response: httpx.Response) -> Any:
    """The JSON of a successful answer; RuntimeError with the problem otherwise."""
    if response.status_code >= 300:
        raise RuntimeError(f"{response.request.method} {response.request.url.path}: {response.status_code} "
                           f"{response.text[:300]}")
    return response.json() if response.content else None


def item_body(n: int, rng: random.Random) -> dict[str, Any]:
    """Item ``n``: a name built from a subject and an action (e.g. 营业执照设立登记), published."""
    subject = SUBJECTS[n % len(SUBJECTS)]
    action = ACTIONS[(n // len(SUBJECTS)) % len(ACTIONS)]
    return {"code": f"BENCH-ITEM-{n:05d}", "basic_code": f"BENCH-BASIC-{n:05d}", "name": f"{subject}{action}",
            "keywords": [subject, action], "type": rng.choice(["licensing", "confirmation", "public_service"]),
            "department_code": DEPARTMENT, "target_group": rng.choice(["natural", "legal", "both"]),
            "exercise_level": "district", "legal_limit_days": 20, "promised_limit_days": 5,
            "channels": ["online", "window"], "status": "published"}


def import_items(ctx: Context, first: int, count: int, *, chunk: int = 1000) -> None:
    """Create items ``first`` .. ``first + count - 1`` through the bulk import (one item at a time without it)."""
    rng = random.Random(first)
    routes = ctx.platform.routes("catalog")
    with ctx.platform.client() as client:
        if "post" in routes.get("/v1/catalog/import", {}):
            for start in range(first, first + count, chunk):
                items = [item_body(n, rng) for n in range(start, min(start + chunk, first + count))]
                ok(client.post("/catalog/v1/catalog/import",
                               json={"departments": [{"code": DEPARTMENT, "name": "基准测试局"}], "items": items}))
            return
        ctx.platform.require("catalog", "PUT /v1/departments/{code}", "POST /v1/items", "POST /v1/items/{code}/status")
        ok(client.put(f"/catalog/v1/departments/{DEPARTMENT}", json={"code": DEPARTMENT, "name": "基准测试局"}))
        for n in range(first, first + count):
            body = item_body(n, rng)
            body.pop("status")
            ok(client.post("/catalog/v1/items", json=body))
            ok(client.post(f"/catalog/v1/items/{body['code']}/status", json={"status": "published"}))


def anchor_item(ctx: Context) -> str:
    """The one published item the hop and event scenarios read and change; created once per run."""
    if "anchor" not in ctx.shared:
        ctx.platform.require("catalog", "GET /v1/items/{code}")
        with ctx.platform.client() as client:
            if client.get(f"/catalog/v1/items/{ANCHOR_CODE}").status_code != 200:
                import_items(ctx, 0, 1)
        ctx.shared["anchor"] = ANCHOR_CODE
    return ctx.shared["anchor"]


def credit_code(prefix: str, n: int) -> str:
    """A valid unified social credit code of the bench's numbering (``prefix`` is two letters)."""
    return with_uscc_check(f"91330199{prefix}{n:07d}")


def require(condition: bool, reason: str) -> None:
    """Skip the scenario when a precondition does not hold."""
    if not condition:
        raise Skip(reason)
