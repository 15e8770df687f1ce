"""Issue 17, findings 1 and 2, replayed through the gateway: a township's admin and a bidder's key.

Each test is an attack that worked on the landed platform, sent the way the attacker sent it: with an
API key, through the gateway's authentication and routing, to every service in one process
(``gateway_platform``):
- a township key holding ``admin`` withdrew a bid on another township's tender, rotated an insurer's
  signing key, added a 0.0001 tariff for a bank, and minted a ``guarantee:issuer:PICC`` key that
  released a district bid bond;
- any ``bidding:bid`` key registered and bid for any credit code it named, and the first key to name a
  code owned it, so the real enterprise got 409.
Admin of a township is admin of that township only; a key grants only what it holds; party scopes
(an enterprise's or an issuer's) come from a district operator only.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bianmin.testing.databases import TestDatabases

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
for _service in ("bidding", "guarantee"):
    sys.path.insert(0, str(ROOT / f"svc-{_service}" / "tests"))

from bidding_factories import enterprise, project_body, submit  # noqa: E402
from gateway_platform import Platform, build_platform  # noqa: E402
from guarantee_factories import BIDDER_1, application, published, seed_project  # noqa: E402

OWN = "330199001"
OTHER = "330199002"


@contextlib.asynccontextmanager
async def _gateway(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    async with platform._running():
        yield httpx.AsyncClient(transport=httpx.ASGITransport(app=platform.gateway), base_url="http://gateway.test")


def _under(platform: Platform, service: str, key: str) -> httpx.AsyncClient:
    """A client whose ``/v1/...`` paths go to one service through the gateway, as the service's factories expect."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=platform.gateway), headers={"Authorization": f"Bearer {key}"},
                             base_url=f"http://gateway.test/{service}")


def _as(client: httpx.AsyncClient, key: str) -> dict[str, dict[str, str]]:
    return {"headers": {"Authorization": f"Bearer {key}"}}


@pytest.fixture
def platform(test_databases: TestDatabases) -> Platform:
    return build_platform(test_databases)


async def _key(platform: Platform, tenant: str, *scopes: str) -> str:
    return await platform.issue_key(tenant=tenant, scopes=list(scopes), name=f"{tenant} {' '.join(scopes)}")


async def test_a_township_admin_cannot_withdraw_a_bid_on_another_townships_tender(platform: Platform) -> None:
    async with _gateway(platform) as gw:
        other_clerk = await _key(platform, OTHER, "bidding:write")
        bidder = await _key(platform, "*", "bidding:bid", f"bidding:bidder:{enterprise(1)}")
        township_admin = await _key(platform, OWN, "admin")
        body = project_body("BM-2026-117", site_code=OTHER, level="township")
        assert (await gw.post("/bidding/v1/projects", json=body, **_as(gw, other_clerk))).status_code == 201
        assert (await gw.post("/bidding/v1/projects/BM-2026-117/publish", **_as(gw, other_clerk))).status_code == 200
        registered = await gw.post("/bidding/v1/projects/BM-2026-117/sections/S1/registrations",
                                   json={"credit_code": enterprise(1), "name": "便民区1号建设有限公司"}, **_as(gw, bidder))
        assert registered.status_code == 201, registered.text
        async with _under(platform, "bidding", bidder) as bidding:
            response, _ = await submit(bidding, "BM-2026-117", 1, "900000.00")
        assert response.status_code == 201, response.text

        withdrawn = await gw.post("/bidding/v1/projects/BM-2026-117/sections/S1/bids/withdraw",
                                  json={"credit_code": enterprise(1)}, **_as(gw, township_admin))
        assert withdrawn.status_code == 403, withdrawn.text
        history = await gw.get(f"/bidding/v1/projects/BM-2026-117/sections/S1/bids?credit_code={enterprise(1)}",
                               **_as(gw, bidder))
        assert [b["status"] for b in history.json()] == ["active"], history.text


async def test_a_township_admin_cannot_manage_an_issuer(platform: Platform) -> None:
    async with _gateway(platform) as gw:
        operator = await _key(platform, "*", "admin")
        township_admin = await _key(platform, OWN, "admin")
        created = await gw.post("/guarantee/v1/issuers", **_as(gw, operator), json={
            "code": "PICC", "name": "PICC 财产保险便民支公司", "kind": "insurer", "credit_code": BIDDER_1,
            "max_single_amount": "5000000.00", "max_outstanding_amount": "50000000.00"})
        assert created.status_code == 201, created.text

        rotated = await gw.post("/guarantee/v1/issuers/PICC/keys/rotate", **_as(gw, township_admin))
        tariff = await gw.post("/guarantee/v1/issuers/PICC/tariffs", **_as(gw, township_admin), json={
            "type": "bid_bond", "effective_from": "2026-01-01", "rate": "0.0001", "minimum_fee": "0.00"})
        color = await gw.put("/guarantee/v1/issuers/PICC/color-rules/red", **_as(gw, township_admin),
                             json={"discount": "0.5", "refuse": False})
        assert [rotated.status_code, tariff.status_code, color.status_code] == [403, 403, 403]
        assert (await gw.get("/guarantee/v1/issuers/PICC/keys")).json() == []
        assert (await gw.get("/guarantee/v1/issuers/PICC/tariffs")).json() == []


@pytest.mark.parametrize(("tenant", "scopes", "code"), [
    ("330199001", ["guarantee:issuer:PICC"], "party_scope_needs_operator"),
    ("330199001", ["bidding:bidder:91330199MA0000001X"], "party_scope_needs_operator"),
    ("330199002", ["queue:write"], "tenant_mismatch"),
    ("*", ["queue:write"], "tenant_mismatch"),
])
async def test_a_township_admin_grants_only_its_own_tenant_and_no_party(platform: Platform, tenant: str,
                                                                        scopes: list[str], code: str) -> None:
    async with _gateway(platform) as gw:
        township_admin = await _key(platform, OWN, "admin")
        minted = await gw.post("/admin/v1/keys", json={"name": "mint", "tenant": tenant, "scopes": scopes},
                               **_as(gw, township_admin))
        assert minted.status_code == 403, minted.text
        assert minted.json()["code"] == code
        listed = await gw.get("/admin/v1/keys", **_as(gw, township_admin))
        assert [k["name"] for k in listed.json()["items"]] == ["330199001 admin"]


async def test_an_issuer_key_minted_by_a_township_admin_cannot_release_a_bond(platform: Platform) -> None:
    """The whole chain of the finding: the mint is refused, so the release never happens."""
    async with _gateway(platform) as gw:
        operator = await _key(platform, "*", "admin")
        # A tender of the district, not of the township whose admin attacks.
        await seed_project(platform.services["guarantee"], published().model_copy(update={"site_code": "330199"}))
        assert (await gw.post("/guarantee/v1/issuers", **_as(gw, operator), json={
            "code": "PICC", "name": "PICC 财产保险便民支公司", "kind": "insurer", "credit_code": BIDDER_1,
            "max_single_amount": "5000000.00", "max_outstanding_amount": "50000000.00"})).status_code == 201
        assert (await gw.post("/guarantee/v1/issuers/PICC/tariffs", **_as(gw, operator), json={
            "type": "bid_bond", "effective_from": "2026-01-01", "rate": "0.0015",
            "minimum_fee": "300.00"})).status_code == 201
        applicant = await _key(platform, "*", "guarantee:apply", f"guarantee:applicant:{BIDDER_1}")
        issuer = await _key(platform, "*", "guarantee:issuer:PICC")
        applied = await gw.post("/guarantee/v1/guarantees", json=application(), **_as(gw, applicant))
        assert applied.status_code == 201, applied.text
        number = applied.json()["number"]
        assert (await gw.post(f"/guarantee/v1/guarantees/{number}/underwrite", **_as(gw, issuer))).status_code == 200
        assert (await gw.post(f"/guarantee/v1/guarantees/{number}/issue", **_as(gw, issuer))).status_code == 200

        township_admin = await _key(platform, OWN, "admin")
        minted = await gw.post("/admin/v1/keys", json={"name": "fake PICC", "tenant": OWN,
                                                       "scopes": ["guarantee:issuer:PICC"]}, **_as(gw, township_admin))
        assert minted.status_code == 403, minted.text
        released = await gw.post(f"/guarantee/v1/guarantees/{number}/release", **_as(gw, township_admin),
                                 json={"reason": "tender awarded to another bidder"})
        assert released.status_code in (403, 404), released.text
        assert (await gw.get(f"/guarantee/v1/guarantees/{number}", **_as(gw, operator))).json()["status"] == "issued"


async def test_a_bidder_key_acts_only_for_the_enterprises_an_operator_bound_to_it(platform: Platform) -> None:
    async with _gateway(platform) as gw:
        clerk = await _key(platform, "*", "bidding:write")
        operator = await _key(platform, "*", "admin")
        squatter = await _key(platform, "*", "bidding:bid", f"bidding:bidder:{enterprise(1)}")
        assert (await gw.post("/bidding/v1/projects", json=project_body("BM-2026-118"), **_as(gw, clerk))).status_code == 201
        assert (await gw.post("/bidding/v1/projects/BM-2026-118/publish", **_as(gw, clerk))).status_code == 200
        registration = {"credit_code": enterprise(2), "name": "便民区2号建设有限公司"}

        squatted = await gw.post("/bidding/v1/projects/BM-2026-118/sections/S1/registrations", json=registration,
                                 **_as(gw, squatter))
        assert squatted.status_code == 403, squatted.text
        assert squatted.json()["code"] == "not_the_bidder"

        minted = await gw.post("/admin/v1/keys", **_as(gw, operator), json={
            "name": "便民区2号建设有限公司 投标", "tenant": "*", "scopes": ["bidding:bid", f"bidding:bidder:{enterprise(2)}"]})
        assert minted.status_code == 201, minted.text
        real = minted.json()["key"]
        second_app = await _key(platform, "*", "bidding:bid", f"bidding:bidder:{enterprise(2)}")
        own = await gw.post("/bidding/v1/projects/BM-2026-118/sections/S1/registrations", json=registration,
                            **_as(gw, real))
        assert own.status_code == 201, own.text
        # Another app of the same enterprise acts for it too: the enterprise owns the registration, not the key.
        listed = await gw.get(f"/bidding/v1/projects/BM-2026-118/sections/S1/bids?credit_code={enterprise(2)}",
                              **_as(gw, second_app))
        assert listed.status_code == 200, listed.text
        foreign = await gw.get(f"/bidding/v1/projects/BM-2026-118/sections/S1/bids?credit_code={enterprise(2)}",
                               **_as(gw, squatter))
        assert foreign.status_code == 403, foreign.text
