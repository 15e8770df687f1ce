"""The catalog's demo data, loaded through its own public API (``make demo``), safe to run twice.

225 items of 15 departments, the district hall, 10 township centres with 3 village centres each and
10 bank outlets under the hall (``demo_sites.csv``, package data, imported in one call as an
operator would import a real district's file), delegation (item × site × channel), about 300 applications back-entered over the
last five months with their steps (back-entered, 补录, by the loader's district key), policies with
redemptions applied for, and cross-province agreements. Ratings (好差评) come from the signed-in
applicant only and redemptions are approved by a signed-in approver with a second factor (issue 19),
so the loader, an app acting alone, gives neither. Everything is fictitious: district 330199, enterprises
``便民区<n>号建设有限公司`` with credit codes ``with_uscc_check(f"91330199MA{n:07d}")``.

Re-running changes nothing: sites, items and policies answer 409 or "unchanged" the second time,
and applications are generated only while the catalog holds fewer than the demo's number; each
carries an Idempotency-Key and later steps tolerate 409, so an interrupted run resumes without
duplicates (within the 24 hours the keys are kept). Applications are sent ``CONCURRENCY`` at a
time; each draws its steps and rating from its own seed, so the data set stays the same. A busy
answer (429, 503) is retried a few times.
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from typing import Any

import httpx

from bianmin.catalog.demo_data import DEPARTMENTS, GIVEN, POLICIES, SURNAMES, catalog_items
from bianmin.catalog.domain.site_import import from_csv
from bianmin.kit.identifiers import with_resident_id_check, with_uscc_check

DEMO_SITES = files("bianmin.catalog") / "demo_sites.csv"

APPLICATIONS = 300
SEED = 330199
CONCURRENCY = 6
BUSY_RETRIES = 5


class DemoError(RuntimeError):
    """The API refused a demo request it should have accepted."""


async def _call(client: httpx.AsyncClient, method: str, path: str, *, ok: tuple[int, ...] = (200, 201),
                **kwargs: Any) -> httpx.Response:
    response = await client.request(method, path, **kwargs)
    for attempt in range(BUSY_RETRIES):
        if response.status_code not in (429, 503):
            break
        await asyncio.sleep(0.2 * (attempt + 1))
        response = await client.request(method, path, **kwargs)
    if response.status_code not in ok:
        raise DemoError(f"{method} {path} answered {response.status_code}: {response.text[:300]}")
    return response


def sites() -> list[dict[str, Any]]:
    """The demo district's sites, the rows of ``demo_sites.csv`` read as the site import reads them."""
    return [site.model_dump(mode="json", exclude_none=True) for site in from_csv(DEMO_SITES.read_bytes())]


def offerings(site: dict[str, Any], items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a site offers: the hall everything, townships their delegated items and a share of the rest."""
    level, chosen = site["level"], []
    for index, item in enumerate(items):
        channels = set(item["channels"])
        if level == "district":
            wanted = channels - {"bank_terminal", "bank_staff"}
        elif level == "township":
            wanted = channels & {"window", "kiosk"} if item["exercise_level"] == "township" or index % 3 == 0 else set()
        elif level == "village":
            wanted = channels & {"window", "mobile_pad"} if item["exercise_level"] == "township" else set()
        else:
            wanted = channels & {"bank_terminal", "bank_staff"}
        if wanted:
            chosen.append({"item_code": item["code"], "channels": sorted(wanted)})
    return chosen


def _applicant(rng: random.Random, target: str, n: int) -> dict[str, Any]:
    if target == "legal" or (target == "both" and rng.random() < 0.5):
        number = rng.randint(1, 1200)
        return {"type": "legal", "id_number": with_uscc_check(f"91330199MA{number:07d}"),
                "name": f"便民区{number}号建设有限公司", "phone": f"139{rng.randint(0, 99999999):08d}"}
    born = datetime(1950, 1, 1) + timedelta(days=rng.randint(0, 365 * 55))
    return {"type": "natural", "id_number": with_resident_id_check(f"330199{born:%Y%m%d}{n % 1000:03d}"),
            "name": rng.choice(SURNAMES) + rng.choice(GIVEN), "phone": f"138{rng.randint(0, 99999999):08d}"}


async def _application(client: httpx.AsyncClient, n: int, body: dict[str, Any], at: datetime, now: datetime) -> None:
    """Submit one demo application and back-enter its steps (its own seeded draws)."""
    rng = random.Random(f"{SEED}-{n}")
    created = (await _call(client, "POST", "/v1/applications", json=body,
                           headers={"Idempotency-Key": f"demo-application-{n}"})).json()
    number, status, fate = created["number"], created["status"], rng.random()
    steps = ["accepted", "approved", "completed"] if fate < 0.75 else ["accepted", "rejected"] if fate < 0.85 \
        else ["withdrawn"] if fate < 0.9 else ["accepted"]
    if status == "approved":
        steps = ["completed"]
    for step in steps:
        at = min(at + timedelta(days=rng.choice([0, 1, 1, 2, 3, 5, 8])), now)
        extra = {"certificate_no": f"330199-{at:%Y}-{n:05d}"} if step == "completed" else \
            {"reason": "申请材料不符合法定形式"} if step == "rejected" else {}
        await _call(client, "POST", f"/v1/applications/{number}/status", ok=(200, 409),
                    json={"status": step, "at": at.isoformat(), **extra})


async def _applications(client: httpx.AsyncClient, items: dict[str, dict[str, Any]],
                        offered: list[tuple[str, str, str]], count: int) -> None:
    rng = random.Random(SEED)
    now = datetime.now(UTC) - timedelta(minutes=5)
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(n: int, body: dict[str, Any], at: datetime) -> None:
        async with gate:
            await _application(client, n, body, at, now)

    work = []
    for n in range(count):
        site, code, channel = offered[rng.randrange(len(offered))]
        if rng.random() < 0.35 and (site_online := [o for o in offered if o[1] == code and o[2] == "online"]):
            site, code, channel = site_online[0]
        item = items[code]
        at = now - timedelta(days=rng.randint(1, 150), hours=rng.randint(0, 6))
        materials = [{"name": m["name"], **({"licence_no": f"DZZZ-{n:06d}-{i}"} if m["e_licence"] else {})}
                     for i, m in enumerate(item["materials"]) if m["required"]]
        body = {"item_code": code, "site_code": site, "channel": channel, "applicant": _applicant(rng, item["target_group"], n),
                "materials": materials, "received_at": at.isoformat()}
        work.append(one(n, body, at))
    await asyncio.gather(*work)


async def load_demo(client: httpx.AsyncClient, *, applications: int = APPLICATIONS) -> None:
    """Load the demo data set through the catalog's API (the client carries an admin identity)."""
    items = catalog_items()
    await _call(client, "POST", "/v1/catalog/import", json={
        "departments": [{"code": code, "name": name} for code, name, _ in DEPARTMENTS], "items": items})
    await _call(client, "POST", "/v1/sites/import", content=DEMO_SITES.read_bytes(), headers={"Content-Type": "text/csv"})
    offered: list[tuple[str, str, str]] = []
    for site in sites():
        chosen = offerings(site, items)
        await _call(client, "PUT", f"/v1/sites/{site['code']}/offerings", json={"offerings": chosen})
        offered += [(site["code"], o["item_code"], c) for o in chosen for c in o["channels"]]
    year = datetime.now(UTC).year
    for policy in POLICIES:
        body = {**policy, "period_start": f"{year}-01-01", "period_end": f"{year}-12-31"}
        if (await _call(client, "POST", "/v1/policies", json=body, ok=(201, 409))).status_code == 409:
            continue
        rng = random.Random(policy["code"])
        for n in range(rng.randint(4, 9)):
            enterprise = rng.randint(1, 1200)
            await _call(client, "POST", f"/v1/policies/{policy['code']}/redemptions", json={
                "credit_code": with_uscc_check(f"91330199MA{enterprise:07d}"),
                "enterprise_name": f"便民区{enterprise}号建设有限公司", "amount": f"{rng.randint(5, 30) * 10000}.00"},
                headers={"Idempotency-Key": f"demo-redemption-{policy['code']}-{n}"})
    for region, signed, mode, prefix in (("上海市闵行区", "2024-05-20", "full_online", "330199-GAJ"),
                                         ("江苏省苏州市吴江区", "2024-09-12", "receive_elsewhere", "330199-RSJ"),
                                         ("安徽省宣城市宣州区", "2025-03-18", "joint", "330199-YBJ")):
        await _call(client, "POST", "/v1/agreements", ok=(201, 409), json={
            "partner_region": region, "signed_on": signed, "mode": mode,
            "item_codes": [i["code"] for i in items if i["code"].startswith(prefix)]})
    received = (await _call(client, "GET", "/v1/stats/applications")).json()["received"]
    if received < applications:
        await _applications(client, {i["code"]: i for i in items}, offered, applications)
