"""Demo data: 1,200 enterprises with records across all five colors, through the public API only.

Enterprises n = 1…1200 (``with_uscc_check(f"91330199MA{n:07d}")``, ``便民区<n>号建设有限公司``) come in
one CSV import. Among the first 200, by ``n % 10``: 0 collusion (red), 1 false materials and a
quality defect (orange), 2 a quality defect and a refusal to sign (yellow), 3 false materials
(blue), 4 a claim pending review (green), 5 a provincial award (green, 100 + bonus capped at the
maximum). Safe to run twice: the import is idempotent on the credit code; two list requests tell
which enterprises already carry their planned records and bonus (those are left alone), and the
rest are completed with ``Idempotency-Key``s, so a half-finished load is finished rather than
doubled. Enterprises are loaded ``CONCURRENCY`` at a time.

Separation of duties (issue 19): whoever records a fact or submits a bonus cannot decide it, so the
confirmations and approvals go through a second client, ``reviewer``, speaking for someone else.
Without one the records stay pending and the bonuses submitted, a reviewer's queue to work through.
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict

import httpx

from bianmin.kit.identifiers import with_uscc_check

COUNT = 1200
WITH_RECORDS = 200
PLAN: dict[int, list[tuple[str, bool]]] = {
    0: [("collusion", True)],
    1: [("false_materials", True), ("quality_defect", True)],
    2: [("quality_defect", True), ("refused_to_sign", True)],
    3: [("false_materials", True)],
    4: [("guarantee_claimed", False)],
}


def demo_code(n: int) -> str:
    """The shared demo numbering's credit code of enterprise ``n``."""
    return with_uscc_check(f"91330199MA{n:07d}")


CONCURRENCY = 6


async def _ok(response: httpx.Response, *, tolerate: tuple[int, ...] = ()) -> dict:
    if response.status_code >= 400 and response.status_code not in tolerate:
        raise RuntimeError(f"{response.request.method} {response.request.url}: {response.status_code} {response.text}")
    return response.json()


async def _every(client: httpx.AsyncClient, path: str, params: dict[str, str]) -> list[dict]:
    """Every item of a paged list."""
    items: list[dict] = []
    cursor: str | None = None
    while True:
        page = await _ok(await client.get(path, params={**params, "limit": "200", **({"cursor": cursor} if cursor else {})}))
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


async def _records(client: httpx.AsyncClient, reviewer: httpx.AsyncClient | None, n: int,
                   plan: list[tuple[str, bool]]) -> None:
    code = demo_code(n)
    for i, (kind, confirm) in enumerate(plan):
        record = await _ok(await client.post(
            f"/v1/enterprises/{code}/records", headers={"Idempotency-Key": f"demo-credit-{n}-{i}"},
            json={"kind": kind, "occurred_on": "2026-01-15", "evidence": f"演示数据：便民区{n}号建设有限公司 {kind}"}))
        if confirm and record["status"] == "pending" and reviewer is not None:
            await _ok(await reviewer.post(f"/v1/records/{record['id']}/confirm", json={"note": "演示数据"}),
                      tolerate=(409,))


async def _bonus(client: httpx.AsyncClient, reviewer: httpx.AsyncClient | None, n: int) -> None:
    bonus = await _ok(await client.post(
        f"/v1/enterprises/{demo_code(n)}/bonuses", headers={"Idempotency-Key": f"demo-credit-bonus-{n}"},
        json={"kind": "provincial_award", "evidence": "省级优质工程奖证书（演示）", "valid_until": "2027-06-30"}))
    if bonus["status"] == "submitted" and reviewer is not None:
        await _ok(await reviewer.post(f"/v1/bonuses/{bonus['id']}/approve", json={"note": "演示数据"}), tolerate=(409,))


async def load_demo(client: httpx.AsyncClient, reviewer: httpx.AsyncClient | None = None) -> None:
    """Load the demo enterprises, records and bonuses (idempotent); ``reviewer`` decides them (module docstring)."""
    lines = ["credit_code,name"] + [f"{demo_code(n)},便民区{n}号建设有限公司" for n in range(1, COUNT + 1)]
    report = await _ok(await client.post("/v1/enterprises/import", content="\n".join(lines).encode(),
                                         headers={"Content-Type": "text/csv"}))
    if report["rejected"]:
        raise RuntimeError(f"demo import rejected rows: {report['rejected'][:3]}")
    loaded: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for item in await _every(client, "/v1/records", {"source": "manual"}):
        loaded[item["credit_code"]][(item["kind"], item["status"])] += 1
    awarded = {item["credit_code"] for item in await _every(client, "/v1/bonuses", {"status": "approved"})}
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(n: int) -> None:
        plan = PLAN.get(n % 10, [])
        wanted = Counter((kind, "confirmed" if confirm else "pending") for kind, confirm in plan)
        async with gate:
            if plan and loaded[demo_code(n)] != wanted:
                await _records(client, reviewer, n, plan)
            if n % 10 == 5 and demo_code(n) not in awarded:
                await _bonus(client, reviewer, n)

    await asyncio.gather(*(one(n) for n in range(1, WITH_RECORDS + 1)))
