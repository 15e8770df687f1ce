"""Demo data: 1,200 enterprises with records across all five colors, through the public API only.

Enterprises n = 1…1200 (``with_uscc_check(f"91330199MA{n:07d}")``, ``便民区<n>号建设有限公司``) come in
one CSV import. Among the first 200, by ``n % 10``: 0 collusion (red), 1 false materials and a
quality defect (orange), 2 a quality defect and a refusal to sign (yellow), 3 false materials
(blue), 4 a claim pending review (green), 5 a provincial award (green, 100 + bonus capped at the
maximum). Safe to run twice: the import is idempotent on the credit code, and an enterprise that
already has records or bonuses is left alone.
"""

from __future__ import annotations

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


async def _ok(response: httpx.Response) -> dict:
    if response.status_code >= 400:
        raise RuntimeError(f"{response.request.method} {response.request.url}: {response.status_code} {response.text}")
    return response.json()


async def load_demo(client: httpx.AsyncClient) -> None:
    """Load the demo enterprises, records and bonuses (idempotent)."""
    lines = ["credit_code,name"] + [f"{demo_code(n)},便民区{n}号建设有限公司" for n in range(1, COUNT + 1)]
    report = await _ok(await client.post("/v1/enterprises/import", content="\n".join(lines).encode(),
                                         headers={"Content-Type": "text/csv"}))
    if report["rejected"]:
        raise RuntimeError(f"demo import rejected rows: {report['rejected'][:3]}")
    for n in range(1, WITH_RECORDS + 1):
        code = demo_code(n)
        plan = PLAN.get(n % 10)
        if plan is None and n % 10 != 5:
            continue
        existing = await _ok(await client.get(f"/v1/enterprises/{code}/records", params={"limit": 1}))
        bonuses = await _ok(await client.get(f"/v1/enterprises/{code}/bonuses"))
        if existing["items"] or bonuses:
            continue
        for i, (kind, confirm) in enumerate(plan or []):
            record = await _ok(await client.post(
                f"/v1/enterprises/{code}/records", headers={"Idempotency-Key": f"demo-credit-{n}-{i}"},
                json={"kind": kind, "occurred_on": "2026-01-15", "evidence": f"演示数据：便民区{n}号建设有限公司 {kind}"}))
            if confirm and record["status"] == "pending":
                await _ok(await client.post(f"/v1/records/{record['id']}/confirm", json={"note": "演示数据"}))
        if n % 10 == 5:
            bonus = await _ok(await client.post(
                f"/v1/enterprises/{code}/bonuses", headers={"Idempotency-Key": f"demo-credit-bonus-{n}"},
                json={"kind": "provincial_award", "evidence": "省级优质工程奖证书（演示）", "valid_until": "2027-06-30"}))
            if bonus["status"] == "submitted":
                await _ok(await client.post(f"/v1/bonuses/{bonus['id']}/approve", json={"note": "演示数据"}))
