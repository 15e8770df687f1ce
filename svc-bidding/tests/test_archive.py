"""Archiving as an act: signed versions in a transparency log, re-verification, later versions, borrowing (借阅)."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from bidding_factories import CLERK, SUPERVISOR, enterprise, publicised_tender
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi import FastAPI
from pydantic import ValidationError
from sqlalchemy import text

from bianmin.bidding.domain.archiving import checkpoint_text, seal_due
from bianmin.bidding.events import guarantee_released
from bianmin.bidding.settings import BiddingSettings
from bianmin.contracts.events.guarantee import GuaranteeStatusChanged
from bianmin.kit import merkle
from bianmin.kit.clock import FixedClock
from bianmin.kit.events.consumer import EventContext
from bianmin.kit.identity import Principal
from bianmin.testing.client import client_for, person

CODE = "BM-2026-001"
SITE = "330199"
COCKPIT = Principal(key_id="cockpit", tenant="*", scopes=frozenset({"cockpit:read", "bidding:supervise"}))


async def _awarded(app: FastAPI, clock: FixedClock) -> None:
    await publicised_tender(app, clock)
    clock.advance(timedelta(days=3))
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{CODE}/award")).status_code == 200


async def _archive_step(app: FastAPI, clock: FixedClock) -> list[str]:
    """One pass of the archiving worker."""
    async with app.state.db.sessionmaker() as session:
        done = await seal_due(session, now=clock.now(), settings=app.state.settings)
        await session.commit()
    return done


async def _sql(app: FastAPI, statement: str, **params: Any) -> None:
    async with app.state.db.sessionmaker() as session:
        await session.execute(text(statement), params)
        await session.commit()


async def _verify(app: FastAPI, who: Principal = SUPERVISOR) -> dict[str, Any]:
    async with client_for(app, who) as client:
        response = await client.get(f"/v1/projects/{CODE}/archive/verification")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_finished_project_is_archived_once_signed_and_in_the_log(app: FastAPI, clock: FixedClock) -> None:
    await publicised_tender(app, clock)
    assert await _archive_step(app, clock) == []
    async with client_for(app, SUPERVISOR) as supervisor:
        early = await supervisor.get(f"/v1/projects/{CODE}/archive/verification")
    assert early.json()["code"] == "not_archived"
    clock.advance(timedelta(days=3))
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{CODE}/award")).status_code == 200
    assert await _archive_step(app, clock) == [CODE]
    assert await _archive_step(app, clock) == []
    async with client_for(app, CLERK) as clerk:
        archived = (await clerk.get(f"/v1/projects/{CODE}/archive")).json()
    report = await _verify(app)
    (version,) = archived["versions"]
    entry = json.loads(version["entry"])
    assert (version["version"], version["previous_digest"]) == (1, None)
    assert version["digest"] == archived["manifest"]["digest"] == entry["digest"]
    assert entry["project"] == CODE
    assert entry["reason"] == "project awarded"
    assert archived["matches_latest_version"] is True
    # the signature is the archive key's over the log entry, and the entry is a leaf of the signed checkpoint
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(report["public_key"]))
    key.verify(base64.b64decode(version["signature"]), version["entry"].encode())
    log = report["log"]
    assert merkle.verify_inclusion(log["leaf_index"], log["tree_size"], merkle.leaf_hash(version["entry"].encode()),
                                   [bytes.fromhex(p) for p in log["inclusion_proof"]], bytes.fromhex(log["root"]))
    assert log["checkpoint"] == checkpoint_text("bianmin.bidding/archive", log["tree_size"], bytes.fromhex(log["root"]))
    key.verify(base64.b64decode(log["checkpoint_signature"]), log["checkpoint"].encode())
    assert report["intact"] is True
    assert report["problems"] == []
    # 15 years kept for works (政府采购法 §42, the setting's default)
    assert version["retain_until"] == "2041-03-25"


async def test_a_silent_database_edit_is_detected_by_re_verification_naming_the_part(
        app: FastAPI, clock: FixedClock) -> None:
    await _awarded(app, clock)
    await _archive_step(app, clock)
    assert (await _verify(app))["intact"] is True
    await _sql(app, "UPDATE bid SET price = '1.00' WHERE project_id = (SELECT id FROM project WHERE code = :code)",
               code=CODE)
    report = await _verify(app, CLERK)
    async with client_for(app, CLERK) as clerk:
        archived = (await clerk.get(f"/v1/projects/{CODE}/archive")).json()
    assert report["intact"] is False
    assert [p["name"] for p in report["mismatched_parts"]] == ["bids"]
    assert report["current_digest"] != report["signed_digest"]
    assert any("part bids" in p for p in report["problems"])
    assert archived["matches_latest_version"] is False
    assert len(archived["versions"]) == 1  # reading it makes no new version of the edit


async def test_an_edited_version_row_or_log_entry_is_detected(app: FastAPI, clock: FixedClock) -> None:
    await _awarded(app, clock)
    await _archive_step(app, clock)
    await _sql(app, "UPDATE archive_log_leaf SET entry = replace(entry, 'project awarded', 'project failed')")
    tampered_log = await _verify(app)
    await _sql(app, "UPDATE archive_log_leaf SET entry = replace(entry, 'project failed', 'project awarded')")
    assert (await _verify(app))["intact"] is True
    await _sql(app, "UPDATE archive_version SET digest = :d", d="0" * 64)
    tampered_row = await _verify(app)
    assert tampered_log["intact"] is False
    assert tampered_log["log"]["included"] is False
    assert tampered_row["intact"] is False
    assert any("signed entry" in p for p in tampered_row["problems"])


async def test_a_contract_signed_after_archiving_is_a_new_version_naming_the_previous(
        app: FastAPI, clock: FixedClock) -> None:
    await _awarded(app, clock)
    await _archive_step(app, clock)
    clock.advance(timedelta(days=5))
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{CODE}/sections/S1/contract")).status_code == 200
        archived = (await clerk.get(f"/v1/projects/{CODE}/archive")).json()
    first, second = archived["versions"]
    report = await _verify(app)
    assert second["version"] == 2
    assert second["previous_digest"] == first["digest"] == json.loads(second["entry"])["previous_digest"]
    assert second["reason"] == "contract signed for section S1"
    assert second["changed_parts"] == ["sections"]
    assert second["retain_until"] == first["retain_until"]
    assert second["log_index"] == first["log_index"] + 1
    assert report["intact"] is True
    assert report["version"] == 2
    assert report["log"]["tree_size"] == 2


async def test_borrowing_needs_a_supervisors_approval_is_logged_and_expires(app: FastAPI, clock: FixedClock) -> None:
    await _awarded(app, clock)
    auditor = person("staff", site="330199001", name="审计")
    other = person("staff", "clerk", site="330199001", name="另一人")
    boss = person("supervisor", "supervisor", site=SITE)
    async with client_for(app, auditor) as client:
        direct = await client.get(f"/v1/projects/{CODE}/archive")
        too_long = await client.post(f"/v1/projects/{CODE}/archive/borrowings", json={"purpose": "审计", "days": 31})
        asked = await client.post(f"/v1/projects/{CODE}/archive/borrowings", json={"purpose": "年度审计", "days": 10})
        borrowing_id = asked.json()["id"]
        unapproved = await client.get(f"/v1/archive-borrowings/{borrowing_id}/archive")
    async with client_for(app, CLERK) as clerk:
        by_a_clerk = await clerk.post(f"/v1/archive-borrowings/{borrowing_id}/decision", json={"approve": True})
    granted = clock.now()
    async with client_for(app, boss) as supervisor:
        approved = await supervisor.post(f"/v1/archive-borrowings/{borrowing_id}/decision",
                                         json={"approve": True, "note": "同意"})
        twice = await supervisor.post(f"/v1/archive-borrowings/{borrowing_id}/decision", json={"approve": False})
    async with client_for(app, other) as client:
        someone_else = await client.get(f"/v1/archive-borrowings/{borrowing_id}/archive")
    clock.advance(timedelta(days=2))
    async with client_for(app, auditor) as client:
        read = await client.get(f"/v1/archive-borrowings/{borrowing_id}/archive")
    clock.advance(timedelta(days=8))
    async with client_for(app, auditor) as client:
        expired = await client.get(f"/v1/archive-borrowings/{borrowing_id}/archive")
    async with client_for(app, SUPERVISOR) as supervisor:
        ledger = (await supervisor.get(f"/v1/projects/{CODE}/archive/borrowings")).json()
    assert direct.json()["code"] == "role_missing"
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "days"
    assert asked.status_code == 201
    assert asked.json()["status"] == "requested"
    assert unapproved.json()["code"] == "borrowing_not_approved"
    assert by_a_clerk.status_code == 403
    assert approved.json()["status"] == "approved"
    assert datetime.fromisoformat(approved.json()["expires_at"]) == granted + timedelta(days=10)
    assert twice.json()["code"] == "borrowing_decided"
    assert someone_else.json()["code"] == "not_the_borrower"
    assert read.status_code == 200, read.text
    assert read.json()["versions"][0]["version"] == 1  # read before the worker came: sealed at once
    assert expired.json()["code"] == "borrowing_expired"
    assert [(b["requested_by"], b["status"]) for b in ledger["borrowings"]] == [("staff:acct-staff-any-330199001",
                                                                                 "approved")]
    assert [(r["reader"], r["borrowing_id"]) for r in ledger["reads"]] == [("staff:acct-staff-any-330199001",
                                                                           borrowing_id)]
    assert datetime.fromisoformat(ledger["reads"][0]["read_at"]) == granted + timedelta(days=2)


async def test_the_cockpit_counts_archives_versions_and_borrowings(app: FastAPI, clock: FixedClock) -> None:
    await _awarded(app, clock)
    await _archive_step(app, clock)
    async with client_for(app, CLERK) as clerk:
        await clerk.post(f"/v1/projects/{CODE}/sections/S1/contract")
    async with client_for(app, person("staff", site="330199001")) as client:
        await client.post(f"/v1/projects/{CODE}/archive/borrowings", json={"purpose": "审计", "days": 5})
    async with client_for(app, COCKPIT) as cockpit:
        body = (await cockpit.get("/v1/stats/overview", params={"from": "2026-01-01", "to": "2026-12-31"})).json()
    figures = {f["name"]: f for f in body["figures"]}
    assert figures["archived_projects"]["value"] == 1
    assert figures["archive_versions"]["value"] == 2
    assert figures["archive_versions"]["breakdown"] == {"first": 1, "later": 1}
    assert figures["archive_borrowings"]["breakdown"] == {"requested": 1, "approved": 0, "refused": 0}
    assert figures["archives_past_retention"]["value"] == 0


def test_the_retention_period_of_works_cannot_go_below_fifteen_years() -> None:
    assert BiddingSettings().archive_retention("construction") == 15
    with pytest.raises(ValidationError):
        BiddingSettings(archive_retention_years={"construction": 10})


async def test_a_bid_bond_released_after_archiving_is_a_new_version_not_a_mismatch(
        app: FastAPI, clock: FixedClock) -> None:
    await _awarded(app, clock)
    await _archive_step(app, clock)
    bond = GuaranteeStatusChanged(number="BH000001", type="bid_bond", project_code=CODE, section_code="S1",
                                  applicant_credit_code=enterprise(1), issuer_code="ISS1", amount=Decimal("20000.00"),
                                  expires_on=date(2026, 6, 30), occurred_at=clock.now())
    async with app.state.db.sessionmaker() as session:
        ctx = EventContext(session=session, clock=clock, settings=app.state.settings, state=app.state)
        await guarantee_released(ctx, None, bond)  # type: ignore[arg-type]  # the handler reads only the payload
        await session.commit()
    report = await _verify(app)
    assert report["intact"] is True
    assert report["version"] == 2
    async with client_for(app, CLERK) as clerk:
        second = (await clerk.get(f"/v1/projects/{CODE}/archive")).json()["versions"][1]
    assert (second["reason"], second["changed_parts"]) == ("bid bond BH000001 released", ["deposits"])
