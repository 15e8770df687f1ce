"""Demo data through the public API: three issuers with tariffs and color rules, and bid bonds for
the demo tenders of the bidding service.

Uses only this service's own routes (over the gateway's ``/guarantee`` prefix in ``make demo``),
with an admin key. The tenders arrive by ``bidding.project.published``; the loader waits a few
seconds for them and skips the ones that have not arrived. Safe to run twice: issuers and tariffs
are created only when missing, and a bidder that already holds a guarantee for a section is skipped.
Applicants are demo enterprises 4…8, green in credit's demo (``n % 10`` 4…8), so every quote shows the
green discount and none is refused.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import httpx

from bianmin.kit.identifiers import with_uscc_check

ISSUERS = [
    ("PICCBM", "便民财产保险股份有限公司便民支公司", "insurer", 31, "0.0015", "300.00", "0.0080"),
    ("BOCBM", "中国银行股份有限公司便民支行", "bank", 32, "0.0010", "500.00", "0.0060"),
    ("ZSIC", "浙商财产保险股份有限公司便民营业部", "insurer", 33, "0.0012", "200.00", "0.0070"),
]
TENDERS = ["BM-DEMO-001", "BM-DEMO-002", "BM-DEMO-003"]
BIDDERS = (4, 5, 6)
WAIT_SECONDS = 10.0


def _code(n: int) -> str:
    return with_uscc_check(f"91330199MA{n:07d}")


async def _issuers(client: httpx.AsyncClient) -> None:
    for code, name, kind, n, bid_rate, minimum, performance_rate in ISSUERS:
        if (await client.get(f"/v1/issuers/{code}")).status_code == 404:
            (await client.post("/v1/issuers", headers={"Idempotency-Key": f"demo-issuer-{code}"}, json={
                "code": code, "name": name, "kind": kind, "credit_code": _code(n),
                "max_single_amount": "5000000.00", "max_outstanding_amount": "200000000.00"})).raise_for_status()
        existing = {(t["type"], t["effective_from"]) for t in (await client.get(f"/v1/issuers/{code}/tariffs")).json()}
        for type_, rate in (("bid_bond", bid_rate), ("performance", performance_rate)):
            if (type_, "2026-01-01") not in existing:
                (await client.post(f"/v1/issuers/{code}/tariffs", headers={
                    "Idempotency-Key": f"demo-tariff-{code}-{type_}"}, json={
                    "type": type_, "effective_from": "2026-01-01", "rate": rate, "minimum_fee": minimum})).raise_for_status()
        await client.put(f"/v1/issuers/{code}/color-rules/green", json={"discount": "0.10"})
        await client.put(f"/v1/issuers/{code}/color-rules/red", json={"refuse": True})


async def _project(client: httpx.AsyncClient, code: str) -> dict[str, object] | None:
    deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
    while True:
        response = await client.get(f"/v1/projects/{code}")
        if response.status_code == 200:
            return response.json()
        if asyncio.get_running_loop().time() > deadline:
            return None
        await asyncio.sleep(0.5)


async def load_demo(client: httpx.AsyncClient) -> None:
    """Load the demo issuers and the bid bonds of the demo tenders; skips what exists."""
    await _issuers(client)
    for t, code in enumerate(TENDERS):
        project = await _project(client, code)
        if project is None or datetime.fromisoformat(str(project["bid_deadline"])) <= datetime.now().astimezone():
            continue
        held = {g["applicant_credit_code"] for g in
                (await client.get("/v1/guarantees", params={"project_code": code, "limit": 200})).json()["items"]}
        section = project["sections"][0]  # type: ignore[index]
        for b in BIDDERS:
            credit = _code(b + t)
            if credit in held:
                continue
            issuer = ISSUERS[(b + t) % len(ISSUERS)][0]
            applied = await client.post("/v1/guarantees", headers={"Idempotency-Key": f"demo-{code}-{credit}"}, json={
                "type": "bid_bond", "issuer_code": issuer, "project_code": code, "section_code": section["code"],
                "applicant_credit_code": credit, "applicant_name": f"便民区{b + t}号建设有限公司",
                "amount": section["bid_bond_amount"], "expires_on": project["bid_valid_until"]})
            applied.raise_for_status()
            number = applied.json()["number"]
            await client.post(f"/v1/guarantees/{number}/underwrite")
            await client.post(f"/v1/guarantees/{number}/issue")
