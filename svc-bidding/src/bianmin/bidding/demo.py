"""Demo data through the public API: tenders of each category at district and township level.

Uses only the service's own routes (over the gateway's ``/bidding`` prefix in ``make demo``), with
an admin key. Safe to run twice: each project is created under an ``Idempotency-Key`` and skipped
when it already exists. Deadlines lie in the future of the moment the demo runs, so the projects
are open for bidding; direct contracts are filed for works of the buyer's project registry and
wait for a supervisor's approval.

Two tenders go through a real opening: their bid deadline is set a few seconds after the demo
starts, the demo seals and submits the bids (sealing client library, as a bidder app would),
waits for the deadline, and opens them with the bidders' keys. No rule is bypassed, so each run
takes them only as far as their timetable allows: ``BM-DEMO-006`` (savings) stops at ``opened``
on the first run (the confirmation window runs for a minute); a later run starts its evaluation
and publicises the candidates, and a run after the 3-day publicity awards it. ``BM-DEMO-007``
shows a collusion ring: identical prices from one IP, one device and one deposit account, which
the screens flag at the opening for a supervisor to confirm or dismiss.

Bidders and contractors are demo enterprises that credit's demo leaves eligible: ``n % 10`` in
4…9 (green) among the first 200, never 0 (red) or 1 (orange), the colors bidding bars by default.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx

from bianmin.bidding.sealing import seal
from bianmin.kit.identifiers import with_uscc_check

TENDERS = [
    ("BM-DEMO-001", "便民区文化中心改造工程", "construction", "district", "330199", "3200000.00"),
    ("BM-DEMO-002", "便民区政务服务中心办公设备采购", "procurement", "district", "330199", "860000.00"),
    ("BM-DEMO-003", "一号街道老旧小区改造", "construction", "township", "330199001", "1500000.00"),
    ("BM-DEMO-004", "二号街道工业用地使用权出让", "land_use", "township", "330199002", "52000000.00"),
    ("BM-DEMO-005", "便民区国有车辆处置", "state_property", "district", "330199", "420000.00"),
]
DIRECT = [
    ("BM-DEMO-D01", "便民区应急抢修工程", "330199", "1800000.00", 14),
    ("BM-DEMO-D02", "一号街道道路养护", "330199001", "650000.00", 15),
]


OPENED = [
    ("BM-DEMO-006", "便民区中心小学操场改造工程", "2000000.00",
     {24: "1650000.00", 26: "1720000.00", 27: "1580000.00", 28: "1800000.00"}, False),
    ("BM-DEMO-007", "便民区市政道路照明维修", "1200000.00",
     {36: "1150000.00", 37: "1150000.00", 38: "1150000.00"}, True),
]
OPENING_DELAY = timedelta(seconds=10)


def _code(n: int) -> str:
    return with_uscc_check(f"91330199MA{n:07d}")


SALE_DEPOSIT_RATE = Decimal("0.20")  # a sale's deposit is a share of its reserve, not a tender's 2% (§26)


async def load_demo(client: httpx.AsyncClient) -> None:
    """Load the demo tenders and direct contracts; skips what exists, advances what may advance."""
    await load_opened_demo(client)
    deadline = (datetime.now(UTC) + timedelta(days=20)).replace(microsecond=0)
    for i, (code, name, category, level, site, budget) in enumerate(TENDERS, start=1):
        if (await client.get(f"/v1/projects/{code}")).status_code == 200:
            continue
        rate = SALE_DEPOSIT_RATE if category in ("land_use", "state_property") else Decimal("0.02")
        # a state-property transfer is disclosed 20 working days (32号令 §13): 40 days clear any holiday week
        closes = deadline + timedelta(days=20) if category == "state_property" else deadline
        body = {
            "code": code, "name": name, "category": category, "level": level, "site_code": site,
            "tenderer_name": f"{name}招标人", "tenderer_credit_code": _code(900 + i), "budget": budget,
            "sections": [{"code": "S1", "name": name, "budget": budget,
                          "bid_bond_amount": str((Decimal(budget) * rate).quantize(Decimal("0.01")))}],
            "bid_deadline": closes.isoformat(), "opening_at": (closes + timedelta(hours=1)).isoformat(),
        }
        created = await client.post("/v1/projects", json=body, headers={"Idempotency-Key": f"demo-{code}"})
        created.raise_for_status()
        (await client.post(f"/v1/projects/{code}/publish")).raise_for_status()
    for code, name, site, amount, contractor in DIRECT:
        if (await client.get(f"/v1/projects/{code}")).status_code == 200:
            continue
        level = "district" if site == "330199" else "township"
        subject = await client.post("/v1/subjects", headers={"Idempotency-Key": f"demo-subject-{code}"}, json={
            "buyer_credit_code": _code(950), "code": f"subject-{code}", "name": name, "kind": "works", "level": level,
            "site_code": site})
        if subject.status_code != 409:
            subject.raise_for_status()
        response = await client.post("/v1/direct-contracts", headers={"Idempotency-Key": f"demo-{code}"}, json={
            "code": code, "name": name, "category": "construction", "level": level,
            "site_code": site, "subject_code": f"subject-{code}", "tenderer_name": f"{name}发包人",
            "tenderer_credit_code": _code(950), "contractor_credit_code": _code(contractor),
            "contractor_name": f"便民区{contractor}号建设有限公司", "amount": amount,
            "signed_on": date.today().isoformat(), "reason": "抢险救灾，需紧急实施"})
        response.raise_for_status()


async def _open_tender(client: httpx.AsyncClient, code: str, name: str, budget: str, prices: dict[int, str],
                       ring: bool, deadline: datetime) -> dict[int, tuple[str, dict[str, str]]]:
    bond = str((Decimal(budget) * Decimal("0.02")).quantize(Decimal("0.01")))
    body = {"code": code, "name": name, "category": "construction", "level": "district", "site_code": "330199",
            "tenderer_name": "便民区教育局" if not ring else "便民区住房和城乡建设局",
            "tenderer_credit_code": _code(960), "budget": budget, "decryption_minutes": 5, "confirmation_minutes": 1,
            "sections": [{"code": "S1", "name": name, "budget": budget, "bid_bond_amount": bond}],
            "bid_deadline": deadline.isoformat(), "opening_at": deadline.isoformat()}
    (await client.post("/v1/projects", json=body, headers={"Idempotency-Key": f"demo-{code}"})).raise_for_status()
    (await client.post(f"/v1/projects/{code}/publish")).raise_for_status()
    secrets: dict[int, tuple[str, dict[str, str]]] = {}
    for n, price in prices.items():
        account = "6222000000009999" if ring else f"62220000000{n:05d}"
        (await client.post("/v1/deposits", json={"project_code": code, "section_code": "S1", "credit_code": _code(n),
                                                 "amount": bond, "account": account, "reference": f"{code}-{n}"},
                           headers={"Idempotency-Key": f"demo-{code}-deposit-{n}"})).raise_for_status()
        (await client.post(f"/v1/projects/{code}/sections/S1/registrations",
                           json={"credit_code": _code(n), "name": f"便民区{n}号建设有限公司"},
                           headers={"Idempotency-Key": f"demo-{code}-reg-{n}"})).raise_for_status()
        package = {"price": price, "duration_days": 120 + n, "project_manager": f"项目经理{n}", "document_hashes": []}
        sealed, secret = seal(package, project=code, section="S1", bidder=_code(n))
        headers = {"X-Forwarded-For": "10.20.30.40" if ring else f"10.20.{n}.1",
                   "X-Device-Fingerprint": "fp-ring-0001" if ring else f"fp-{code}-{n}"}
        submitted = await client.post(f"/v1/projects/{code}/sections/S1/bids",
                                      json={"credit_code": _code(n), **sealed.as_request()}, headers=headers)
        submitted.raise_for_status()
        secrets[n] = (submitted.json()["bid_id"], secret.as_reveal())
    return secrets


async def _close_and_start(client: httpx.AsyncClient, code: str) -> None:
    """Close a tender past its deadline and start its opening (the service may have done either already)."""
    if (await client.get(f"/v1/projects/{code}")).json()["status"] == "published":
        closed = await client.post(f"/v1/projects/{code}/close")
        if closed.status_code != 409:
            closed.raise_for_status()
    if (await client.get(f"/v1/projects/{code}")).json()["status"] == "closed":
        started = await client.post(f"/v1/projects/{code}/opening/start")
        if started.status_code != 409:  # the service's worker starts an opening at its time by itself
            started.raise_for_status()


async def _advance(client: httpx.AsyncClient, code: str) -> None:
    """Take a demo tender one stage further when its timetable allows (409 means: not yet)."""
    for step in ("evaluation/start", "evaluation/publicise", "award"):
        status = (await client.get(f"/v1/projects/{code}")).json()["status"]
        if status in ("awarded", "failed"):
            return
        if step == "evaluation/publicise" and status != "evaluating":
            continue
        if step == "award" and status != "publicised":
            continue
        response = await client.post(f"/v1/projects/{code}/{step}")
        if response.status_code == 409:
            return
        response.raise_for_status()


async def load_opened_demo(client: httpx.AsyncClient) -> None:
    """The two tenders that go through a real opening (see the module docstring)."""
    deadline = (datetime.now(UTC) + OPENING_DELAY).replace(microsecond=0) + timedelta(seconds=1)
    pending: dict[str, dict[int, tuple[str, dict[str, str]]]] = {}
    for code, name, budget, prices, ring in OPENED:
        if (await client.get(f"/v1/projects/{code}")).status_code == 200:
            continue
        pending[code] = await _open_tender(client, code, name, budget, prices, ring, deadline)
    if pending:
        await asyncio.sleep(max(0.0, (deadline - datetime.now(UTC)).total_seconds()) + 0.2)
    for code, secrets in pending.items():
        await _close_and_start(client, code)
        for n, (bid_id, reveal) in secrets.items():
            await client.post(f"/v1/projects/{code}/opening/sign-in", json={"credit_code": _code(n)})
            (await client.post(f"/v1/projects/{code}/bids/{bid_id}/reveal", json=reveal)).raise_for_status()
        (await client.post(f"/v1/projects/{code}/opening/finish")).raise_for_status()
    await _advance(client, OPENED[0][0])
