"""A second district beside the demo one, and every service's copies of the catalog's registries agreeing (issue 20).

Real processes on the real clock, through the gateway only. The catalog is configured for two
counties: the demo's (330199) and a second one (320583; the names below are made up), whose
township is numbered 011, above the demo's ten. Its structure is imported in one call from a CSV
file; queue, consult and bidding learn it from the catalog's events and nothing in them names a
district. The hall story and the tender story then run there. The calendar is changed while a
consumer is down, and a service whose copy is wiped starts again from nothing: every copy ends
with the catalog's digests (the notice loaded here is fabricated, 2031).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bianmin.bidding.sealing import seal
from bianmin.contracts.registry import durable_name
from bianmin.kit.events.access import OPS_USER
from bianmin.kit.identifiers import with_uscc_check
from bianmin.testing.events import jetstream
from bianmin.testing.localrun import Platform, create_key, private_platform
from bianmin.testing.polling import wait_for
from bianmin.testing.sites import KEEPERS, import_sites, wait_until_registries_agree

pytestmark = pytest.mark.e2e

COUNTY = "320583"
HALL = f"{COUNTY}000"
TOWNSHIP = f"{COUNTY}011"
SECOND_DISTRICT = f"""code,name,level,parent_code,lat,lng,address,opening_hours,phone
{HALL},示例市政务服务中心,district,,31.38,120.98,示例市前进路1号,周一至周五 9:00-17:00,0512-50000000
{TOWNSHIP},示例市第十一街道便民服务中心,township,{HALL},31.40,121.00,示例市第十一街道政务路11号,周一至周五 8:30-17:00,0512-50000011
{TOWNSHIP}001,示例市第十一街道样板社区便民服务站,village,{TOWNSHIP},31.41,121.01,,周一至周五 9:00-16:30,
"""
BIDDING_UNITS = {"BIANMIN_BIDDING_MINUTE_SECONDS": "1", "BIANMIN_BIDDING_DAY_SECONDS": "2",
                 "BIANMIN_BIDDING_WORKER_POLL_SECONDS": "1"}
TENDERER = with_uscc_check(f"12{COUNTY}MA0000900")
BIDDERS = {n: with_uscc_check(f"91{COUNTY}MA{900 + n:07d}") for n in (1, 2, 3)}  # three: fewer fail the tender (§28)
PRICES = {1: "870000.00", 2: "910000.00", 3: "935000.00"}
# A fabricated notice for 2031 (no State Council notice is involved).
FABRICATED_2031 = {"notice": "端到端测试虚构通知（2031）", "days": [
    {"day": "2031-01-01", "workday": False, "name": "元旦"},
    {"day": "2031-02-01", "workday": True, "name": "春节"},
    *({"day": f"2031-02-{d:02d}", "workday": False, "name": "春节"} for d in range(3, 10))]}


class World:
    """The running platform, its gateway's URL and a client per key."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.base = platform.layout.url("gateway")
        self.admin_key = create_key(platform.layout, name="districts admin", tenant="*", scopes=["admin"])
        self.admin = self.client(self.admin_key)
        self.public = httpx.Client(base_url=self.base, timeout=30)

    def client(self, key: str) -> httpx.Client:
        return httpx.Client(base_url=self.base, headers={"Authorization": f"Bearer {key}"}, timeout=30)

    def key(self, name: str, tenant: str, scopes: list[str]) -> httpx.Client:
        return self.client(create_key(self.platform.layout, name=name, tenant=tenant, scopes=scopes))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    env = BIDDING_UNITS | {"BIANMIN_CATALOG_DISTRICTS": f"330199,{COUNTY}"}
    with private_platform(Path(tmp_path_factory.mktemp("districts")), extra_env=env) as running:
        world = World(running)
        import_sites(world.base, world.admin_key, SECOND_DISTRICT.encode())
        wait_until_registries_agree(world.base)
        yield world


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.request.url, response.status_code, response.text)
    return response.json() if response.content else None


def test_a_second_district_imported_in_one_call_is_known_to_every_service(world: World) -> None:
    again = import_sites(world.base, world.admin_key, SECOND_DISTRICT.encode())
    elsewhere = world.admin.post("/catalog/v1/sites/import", content=b"code,name,level,parent_code,lat,lng\n"
                                 b"110101000,Not configured,district,,39.9,116.4\n",
                                 headers={"Content-Type": "text/csv"})
    assert again["unchanged"] == 3
    assert elsewhere.status_code == 422, elsewhere.text
    assert elsewhere.json()["errors"][0]["field"].endswith("code")
    for service in KEEPERS:
        known = ok(world.public.get(f"/{service}/v1/site-registry/{TOWNSHIP}"))
        assert (known["name"], known["tenant"]) == ("示例市第十一街道便民服务中心", TOWNSHIP)
        assert world.public.get(f"/{service}/v1/site-registry/110101000").status_code == 404


def test_the_hall_story_runs_in_the_second_district(world: World) -> None:
    hall = world.key("second township hall", TOWNSHIP, ["queue:manage", "queue:write", "queue:serve", "queue:read"])
    opened = ok(hall.post("/queue/v1/halls", json={"code": TOWNSHIP}), 201)
    ok(hall.post(f"/queue/v1/halls/{TOWNSHIP}/lines", json={"prefix": "A", "name": "综合受理"}), 201)
    counter = ok(hall.post(f"/queue/v1/halls/{TOWNSHIP}/counters", json={
        "number": 1, "state": "open", "staff_name": "李娜", "lines": [{"line": "A", "weight": 1}]}), 201)
    ticket = ok(hall.post("/queue/v1/tickets", json={"hall_code": TOWNSHIP, "line": "A"}), 201)
    called = ok(hall.post(f"/queue/v1/counters/{counter['id']}/call-next"))
    unregistered = world.admin.post("/queue/v1/halls", json={"code": f"{COUNTY}012", "name": "未登记街道"})
    assert opened["name"] == "示例市第十一街道便民服务中心"
    assert (ticket["hall_code"], ticket["number"]) == (TOWNSHIP, "A001")
    assert called["ticket"]["id"] == ticket["id"]
    assert unregistered.status_code == 422, unregistered.text
    assert unregistered.json()["errors"][0]["field"] == "code"


def test_the_tender_story_runs_in_the_second_district(world: World) -> None:
    code = "BM-E2E-320583-001"
    township = world.key("second township tenders", TOWNSHIP, ["bidding:write"])
    bidders = {n: world.key(f"second district bidder {n}", "*", ["bidding:bid", f"bidding:bidder:{credit}"])
               for n, credit in BIDDERS.items()}
    deadline = datetime.now(UTC) + timedelta(seconds=12)
    body = {
        "code": code, "name": "示例市第十一街道文化站改造工程", "category": "construction", "level": "township",
        "site_code": TOWNSHIP, "tenderer_name": "示例市第十一街道办事处", "tenderer_credit_code": TENDERER,
        "budget": "1000000.00", "sections": [{"code": "S1", "name": "施工", "budget": "1000000.00",
                                               "bid_bond_amount": "0.00"}],
        "bid_deadline": deadline.isoformat(), "opening_at": deadline.isoformat(),
        "decryption_minutes": 5, "confirmation_minutes": 1, "publicity_days": 3}
    created = ok(township.post("/bidding/v1/projects", json=body), 201)
    assert ok(township.post(f"/bidding/v1/projects/{code}/publish"))["status"] == "published"
    secrets = {}
    for n, credit in BIDDERS.items():
        ok(bidders[n].post(f"/bidding/v1/projects/{code}/sections/S1/registrations",
                           json={"credit_code": credit, "name": f"示例市{900 + n}号建设有限公司"}), 201)
        sealed, secret = seal({"price": PRICES[n], "duration_days": 180, "project_manager": f"项目经理{n}号",
                               "document_hashes": []},
                              project=code, section="S1", bidder=credit)
        receipt = ok(bidders[n].post(f"/bidding/v1/projects/{code}/sections/S1/bids",
                                     json={"credit_code": credit, **sealed.as_request()}), 201)
        secrets[n] = (receipt["bid_id"], secret)
    time.sleep(max(0.0, (datetime.fromisoformat(created["bid_deadline"]) - datetime.now(UTC)).total_seconds()) + 0.5)
    if ok(township.get(f"/bidding/v1/projects/{code}"))["status"] == "published":
        assert township.post(f"/bidding/v1/projects/{code}/close").status_code in (200, 409)
    started = township.post(f"/bidding/v1/projects/{code}/opening/start")  # or the service's worker, at its time
    assert started.status_code in (200, 409), started.text
    assert ok(township.get(f"/bidding/v1/projects/{code}"))["status"] == "opening"
    for n, (bid_id, secret) in secrets.items():
        ok(bidders[n].post(f"/bidding/v1/projects/{code}/opening/sign-in", json={"credit_code": BIDDERS[n]}))
        assert ok(bidders[n].post(f"/bidding/v1/projects/{code}/bids/{bid_id}/reveal", json=secret.as_reveal()))["price"]
    wait_for(lambda: ok(township.get(f"/bidding/v1/projects/{code}"))["status"] != "opening"
             or township.post(f"/bidding/v1/projects/{code}/opening/finish").status_code == 200,
             "the decryption window to close and the opening to finish", timeout=30)
    rows = {row["credit_code"]: row for row in ok(township.get(f"/bidding/v1/projects/{code}/opening"))}
    unregistered = township.post("/bidding/v1/projects", json={**body, "code": "BM-E2E-320583-002",
                                                                "site_code": f"{COUNTY}012"})
    assert created["site_code"] == TOWNSHIP
    assert {c: r["price"] for c, r in rows.items()} == {BIDDERS[n]: PRICES[n] for n in BIDDERS}
    assert unregistered.status_code == 422, unregistered.text
    assert unregistered.json()["errors"][0]["field"] == "site_code"


def test_a_renamed_site_is_renamed_in_every_copy_and_the_hall_that_stands_there(world: World) -> None:
    site = ok(world.public.get(f"/catalog/v1/sites/{TOWNSHIP}"))
    writable = {k: site[k] for k in ("name", "level", "parent_code", "address", "lat", "lng", "opening_hours", "phone")}
    ok(world.admin.put(f"/catalog/v1/sites/{TOWNSHIP}", json={**writable, "name": "示例市第十一街道政务服务中心"}))
    wait_until_registries_agree(world.base)
    if world.admin.get(f"/queue/v1/halls/{TOWNSHIP}").status_code == 200:
        hall = ok(world.admin.get(f"/queue/v1/halls/{TOWNSHIP}"))
        assert hall["name"] == "示例市第十一街道政务服务中心"
    for service in KEEPERS:
        assert ok(world.public.get(f"/{service}/v1/site-registry/{TOWNSHIP}"))["name"] == "示例市第十一街道政务服务中心"


def digests(world: World, service: str) -> dict[int, str]:
    """A service's copy of the calendar: the digest of each year."""
    return {y["year"]: y["digest"] for y in ok(world.public.get(f"/{service}/v1/calendar/years"))}


def copies_agree(world: World) -> bool:
    """Whether every service that counts working days has the catalog's digest for every year."""
    owner = digests(world, "catalog")
    return all(digests(world, service) == owner for service in ("queue", "consult", "bidding", "guarantee"))


def test_copies_of_the_calendar_converge_after_a_consumer_was_down(world: World) -> None:
    world.platform.stop("queue")
    loaded = ok(world.admin.put("/catalog/v1/calendar/years/2031", json=FABRICATED_2031), 201)
    ok(world.admin.put("/catalog/v1/calendar/2031-03-05", json={"workday": False, "note": "台风（虚构）"}))
    world.platform.start("queue")
    wait_for(lambda: copies_agree(world), "every copy of the calendar to reach the catalog's digests")
    assert digests(world, "queue")[2031] == digests(world, "catalog")[2031]
    assert loaded["version"] == 1


def test_a_service_started_from_nothing_gets_the_whole_calendar_and_registry(world: World) -> None:
    owner = digests(world, "catalog")
    assert 2031 in owner  # loaded by the test before
    world.platform.stop("consult")
    Path(world.platform.layout.database_url("consult").removeprefix("sqlite+aiosqlite:///")).unlink()
    asyncio.run(_forget_consumer(world, "consult", "CATALOG"))
    world.platform.start("consult")
    wait_for(lambda: digests(world, "consult") == owner, "a fresh consult to rebuild every year of the calendar")
    wait_until_registries_agree(world.base)


async def _forget_consumer(world: World, service: str, stream: str) -> None:
    """Delete a service's durable consumer of a stream, as a brand-new deployment of it would have none."""
    assert world.platform.nats is not None
    async with jetstream(world.platform.nats.url, seed=world.platform.nats.seed(OPS_USER)) as js:
        await js.delete_consumer(stream, durable_name(service, stream))
