"""The archive of a finished project with its manifest digest, and OCDS 1.1 releases and feed."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from bidding_factories import (
    CLERK,
    DEADLINE,
    SUPERVISOR,
    T0,
    bidder_key,
    enterprise,
    project_body,
    publicised_tender,
    register,
    submit,
)
from fastapi import FastAPI

from bianmin.bidding.domain.archive import canonical, manifest
from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import Principal
from bianmin.testing.client import client_for

CODE = "BM-2026-001"
ANYONE = Principal(key_id="citizen", tenant=None, scopes=frozenset())


def test_the_manifest_digest_is_sha256_over_the_sorted_canonical_listing() -> None:
    parts = {"b": [{"x": 1}], "a": []}
    listed = manifest(parts)
    entries = [{"name": "a", "count": 0, "sha256": hashlib.sha256(b"[]").hexdigest()},
               {"name": "b", "count": 1, "sha256": hashlib.sha256(b'[{"x":1}]').hexdigest()}]
    assert listed["entries"] == entries
    assert listed["digest"] == hashlib.sha256(canonical(entries)).hexdigest()


async def test_a_finished_project_is_archived_whole_and_reproducibly(app: FastAPI, clock: FixedClock) -> None:
    await publicised_tender(app, clock)
    async with client_for(app, CLERK) as clerk:
        early = await clerk.get(f"/v1/projects/{CODE}/archive")
        clock.advance(timedelta(days=3))
        assert (await clerk.post(f"/v1/projects/{CODE}/award")).status_code == 200
        first = (await clerk.get(f"/v1/projects/{CODE}/archive")).json()
    async with client_for(app, SUPERVISOR) as supervisor:
        second = (await supervisor.get(f"/v1/projects/{CODE}/archive")).json()
    async with client_for(app, ANYONE) as citizen:
        refused = await citizen.get(f"/v1/projects/{CODE}/archive")
    assert early.json()["code"] == "not_finished"
    assert refused.status_code == 403
    assert first["manifest"]["digest"] == second["manifest"]["digest"]
    assert manifest(first["parts"])["digest"] == first["manifest"]["digest"]
    assert [t["to_status"] for t in first["parts"]["transitions"]][-1] == "awarded"
    assert len(first["parts"]["bids"]) == 3
    assert all(len(b["ciphertext_sha256"]) == 64 and "ciphertext" not in b for b in first["parts"]["bids"])
    assert {e["name"] for e in first["manifest"]["entries"]} >= {"opening_record", "responses", "collusion_flags",
                                                                 "expert_draw", "complaints", "escrow_recoveries"}
    tampered = json.loads(json.dumps(first["parts"]))
    tampered["bids"][0]["price"] = "1.00"
    assert manifest(tampered)["digest"] != first["manifest"]["digest"]


async def test_ocds_releases_follow_the_tender_and_the_feed_pages_by_date(app: FastAPI, clock: FixedClock) -> None:
    await publicised_tender(app, clock)
    clock.advance(timedelta(days=3))
    async with client_for(app, CLERK) as clerk:
        await clerk.post(f"/v1/projects/{CODE}/award")
        await clerk.post(f"/v1/projects/{CODE}/sections/S1/contract")
    async with client_for(app, ANYONE) as citizen:
        record = (await citizen.get(f"/v1/projects/{CODE}/ocds")).json()
        feed = (await citizen.get("/v1/ocds/releases", params={"limit": 1})).json()
        page_two = (await citizen.get(feed["links"]["next"])).json()
        later = (await citizen.get("/v1/ocds/releases", params={"since": (T0 + timedelta(days=10)).isoformat()})).json()
        naive = await citizen.get("/v1/ocds/releases", params={"since": "2026-03-01T00:00:00"})
    releases = record["records"][0]["releases"]
    assert record["version"] == "1.1"
    # One release per event (published, closed at the deadline, awarded, contract signed), each frozen then.
    assert [r["tag"] for r in releases] == [["tender"], ["tenderUpdate"], ["award"], ["contract"]]
    assert releases[0]["ocid"] == f"ocds-bm0199-{CODE}"
    tender = releases[2]["tender"]
    assert tender["procurementMethod"] == "open"
    assert tender["mainProcurementCategory"] == "works"
    assert tender["numberOfTenderers"] == 3
    award = releases[2]["awards"][0]
    assert award["suppliers"][0]["id"] == f"CN-USCC-{enterprise(3)}"
    assert award["value"] == {"amount": 870000.0, "currency": "CNY"}
    assert releases[3]["contracts"][0]["awardID"] == award["id"]
    assert "awards" not in releases[0]
    assert "awards" not in releases[1]
    assert [r["tag"] for r in feed["releases"]] == [["tender"]]
    assert [r["tag"] for r in page_two["releases"]] == [["tenderUpdate"]]
    assert [r["tag"] for r in later["releases"]] == [["tenderUpdate"], ["award"], ["contract"]]
    assert naive.status_code == 422


async def test_ocds_names_and_counts_no_bidder_before_the_deadline(app: FastAPI, clock: FixedClock) -> None:
    """招标投标法 §22: while the tender is open nothing public names or counts who registered or bid."""
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post("/v1/projects", json=project_body(CODE))).status_code == 201
        assert (await clerk.post(f"/v1/projects/{CODE}/publish")).status_code == 200
    for n in (1, 2):
        async with client_for(app, bidder_key(n)) as bidder:
            assert (await register(bidder, CODE, n)).status_code == 201
    async with client_for(app, bidder_key(1)) as bidder:
        assert (await submit(bidder, CODE, 1, "900000.00"))[0].status_code == 201

    async def public_views() -> list[dict[str, object]]:
        async with client_for(app, ANYONE) as citizen:
            record = (await citizen.get(f"/v1/projects/{CODE}/ocds")).json()
            feed = (await citizen.get("/v1/ocds/releases")).json()
        return [*record["records"][0]["releases"], record["records"][0]["compiledRelease"], *feed["releases"]]

    clock.at = DEADLINE - timedelta(microseconds=1)
    open_releases = await public_views()
    clock.at = DEADLINE
    async with client_for(app, CLERK) as clerk:  # what the closing worker does at the deadline
        assert (await clerk.post(f"/v1/projects/{CODE}/close")).status_code == 200
    closed_releases = await public_views()
    assert open_releases
    for release in open_releases:
        tender = release["tender"]
        assert isinstance(tender, dict)
        assert "tenderers" not in tender
        assert "numberOfTenderers" not in tender
        assert [p["roles"] for p in release["parties"]] == [["buyer", "procuringEntity"]]  # type: ignore[attr-defined]
        assert enterprise(1) not in json.dumps(release)
        assert "便民区2号建设有限公司" not in json.dumps(release, ensure_ascii=False)
    # The tender release was frozen while the tender was open and stays so; the closing release is
    # the first to name and count the bidders, and the compiled release carries its count.
    frozen = [r for r in closed_releases if r["tag"] == ["tender"]]
    assert frozen == [r for r in open_releases if r["tag"] == ["tender"]]
    counted = [r for r in closed_releases if "numberOfTenderers" in r["tender"]]  # type: ignore[operator]
    assert {r["tender"]["numberOfTenderers"] for r in counted} == {2}  # type: ignore[index]
    assert {r["tag"][0] for r in counted} == {"tenderUpdate", "compiled"}  # type: ignore[index]
    assert len(counted) == len(closed_releases) - len(frozen)
