"""Demo data through the public API: tenders of each category at district and township level.

Uses only the service's own routes (over the gateway's ``/bidding`` prefix in ``make demo``), with
an admin key. Safe to run twice: each project is created under an ``Idempotency-Key`` and skipped
when it already exists. Deadlines lie in the future of the moment the demo runs, so the projects
are open for bidding; direct contracts are filed as finished projects with their award amounts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx

from bianmin.kit.identifiers import with_uscc_check

TENDERS = [
    ("BM-DEMO-001", "便民区文化中心改造工程", "construction", "district", "330199", "3200000.00"),
    ("BM-DEMO-002", "便民区政务服务中心办公设备采购", "procurement", "district", "330199", "860000.00"),
    ("BM-DEMO-003", "一号街道老旧小区改造", "construction", "township", "330199001", "1500000.00"),
    ("BM-DEMO-004", "二号街道工业用地使用权出让", "land_use", "township", "330199002", "52000000.00"),
    ("BM-DEMO-005", "便民区国有车辆处置", "state_property", "district", "330199", "420000.00"),
]
DIRECT = [
    ("BM-DEMO-D01", "便民区应急抢修工程", "330199", "1800000.00", 11),
    ("BM-DEMO-D02", "一号街道道路养护", "330199001", "650000.00", 12),
]


def _code(n: int) -> str:
    return with_uscc_check(f"91330199MA{n:07d}")


async def load_demo(client: httpx.AsyncClient) -> None:
    """Load the demo tenders and direct contracts; skips what exists."""
    deadline = (datetime.now(UTC) + timedelta(days=20)).replace(microsecond=0)
    for i, (code, name, category, level, site, budget) in enumerate(TENDERS, start=1):
        if (await client.get(f"/v1/projects/{code}")).status_code == 200:
            continue
        section_budget = Decimal(budget)
        body = {
            "code": code, "name": name, "category": category, "level": level, "site_code": site,
            "tenderer_name": f"{name}招标人", "tenderer_credit_code": _code(900 + i), "budget": budget,
            "sections": [{"code": "S1", "name": name, "budget": budget,
                          "bid_bond_amount": str((section_budget * Decimal("0.02")).quantize(Decimal("0.01")))}],
            "bid_deadline": deadline.isoformat(), "opening_at": (deadline + timedelta(hours=1)).isoformat(),
        }
        created = await client.post("/v1/projects", json=body, headers={"Idempotency-Key": f"demo-{code}"})
        created.raise_for_status()
        (await client.post(f"/v1/projects/{code}/publish")).raise_for_status()
    for code, name, site, amount, contractor in DIRECT:
        if (await client.get(f"/v1/projects/{code}")).status_code == 200:
            continue
        response = await client.post("/v1/direct-contracts", headers={"Idempotency-Key": f"demo-{code}"}, json={
            "code": code, "name": name, "category": "construction", "level": "district" if site == "330199" else "township",
            "site_code": site, "subject_code": f"subject-{code}", "tenderer_name": f"{name}发包人",
            "tenderer_credit_code": _code(950), "contractor_credit_code": _code(contractor), "amount": amount,
            "signed_on": date.today().isoformat(), "reason": "抢险救灾，需紧急实施"})
        response.raise_for_status()
