"""The offline verifier reports the guarantee's current state from the ledger and needs the log key."""

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from guarantee_factories import BENEFICIARY, BIDDER, PICC, STAFF, application, issue_guarantee, seed_issuer, seed_project

from bianmin.guarantee.domain import guarantees
from bianmin.guarantee.domain.keys import KeyRing
from bianmin.guarantee.verifier import load_key, verify_bundle
from bianmin.guarantee.verifier.cli import main as verify_main
from bianmin.kit.identity import ANONYMOUS
from bianmin.testing.client import client_for

DEMAND = {"amount": "20000.00", "statement": "中标人拒签合同，请付款"}


async def _issued(app: FastAPI) -> str:
    async with client_for(app, STAFF) as staff:
        await seed_issuer(staff)
    await seed_project(app)
    return await issue_guarantee(app, BIDDER, application())


async def _nothing(app: FastAPI, number: str) -> None:
    return None


async def _amend(app: FastAPI, number: str) -> None:
    async with client_for(app, PICC) as picc:
        response = await picc.post(f"/v1/guarantees/{number}/amendments", json={
            "kind": "extension", "new_expires_on": "2026-09-30", "reason": "投标有效期延长"})
    assert response.status_code == 201, response.text


async def _claim(app: FastAPI, number: str) -> str:
    async with client_for(app, BENEFICIARY) as tenderer:
        response = await tenderer.post(f"/v1/guarantees/{number}/claims", json=DEMAND)
    assert response.status_code == 201, response.text
    return str(response.json()["number"])


async def _claim_only(app: FastAPI, number: str) -> None:
    await _claim(app, number)


async def _pay(app: FastAPI, number: str) -> None:
    claim = await _claim(app, number)
    async with client_for(app, PICC) as picc:
        response = await picc.post(f"/v1/claims/{claim}/pay", json={"payment_reference": "PAY-1"})
    assert response.status_code == 200, response.text


async def _release(app: FastAPI, number: str) -> None:
    async with client_for(app, PICC) as picc:
        response = await picc.post(f"/v1/guarantees/{number}/release", json={"reason": "合同已签订"})
    assert response.status_code == 200, response.text


async def _expire(app: FastAPI, number: str) -> None:
    async with app.state.db.sessionmaker() as session:
        expired = await guarantees.expire_due(session, KeyRing.from_settings(app.state.settings),
                                              now=datetime(2026, 7, 2, 2, 0, tzinfo=UTC))
        await session.commit()
    assert expired == [number]


async def _bundle(app: FastAPI, number: str) -> dict[str, Any]:
    async with client_for(app, ANONYMOUS) as public:
        response = await public.get(f"/v1/guarantees/{number}/proof")
    assert response.status_code == 200, response.text
    return dict(response.json())


def _files(tmp_path: Path, bundle: dict[str, Any]) -> list[str]:
    (tmp_path / "doc.json").write_text(json.dumps(bundle["signed"], ensure_ascii=False), encoding="utf-8")
    (tmp_path / "proof.json").write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "cp.txt").write_text(bundle["checkpoint"], encoding="utf-8")
    return [str(tmp_path / "doc.json"), "--proof", str(tmp_path / "proof.json"), "--checkpoint",
            str(tmp_path / "cp.txt"), "--issuer-key", bundle["issuer_key"]]


@pytest.mark.parametrize(("state", "act", "status"), [
    ("issued", _nothing, 0), ("amended", _amend, 0), ("claimed", _claim_only, 0),
    ("paid", _pay, 3), ("released", _release, 3), ("expired", _expire, 3)])
async def test_the_offline_verifier_replays_the_ledger_to_the_current_state(
        clocked_app: FastAPI, db_backend: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], state: str,
        act: Callable[[FastAPI, str], Awaitable[None]], status: int) -> None:
    number = await _issued(clocked_app)
    await act(clocked_app, number)
    bundle = await _bundle(clocked_app, number)
    report = verify_bundle(bundle["signed"], bundle, bundle["checkpoint"], load_key(bundle["issuer_key"]),
                           load_key(bundle["log_key"]))
    code = verify_main([*_files(tmp_path, bundle), "--log-key", bundle["log_key"]])
    out = capsys.readouterr().out
    assert report.ok, report.checks
    assert report.state == state
    assert code == status
    assert f"state: {state}" in out
    assert out.strip().endswith("genuine") == (status == 0)


async def test_without_the_log_key_nothing_is_called_genuine(
        clocked_app: FastAPI, db_backend: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    number = await _issued(clocked_app)
    bundle = await _bundle(clocked_app, number)
    report = verify_bundle(bundle["signed"], bundle, bundle["checkpoint"], load_key(bundle["issuer_key"]))
    code = verify_main(_files(tmp_path, bundle))
    out = capsys.readouterr().out
    assert not report.ok
    assert [c.name for c in report.checks if not c.ok] == ["checkpoint"]
    assert code == 1
    assert "genuine" not in out
    assert "FAIL checkpoint: no log key" in out


async def test_a_bundle_hiding_or_forging_the_history_is_not_verified(clocked_app: FastAPI, db_backend: str) -> None:
    number = await _issued(clocked_app)
    before = await _bundle(clocked_app, number)
    await _amend(clocked_app, number)
    after = await _bundle(clocked_app, number)
    issuer, log = load_key(after["issuer_key"]), load_key(after["log_key"])
    hidden = {**after, "history": []}
    forged = {**after, "history": [*after["history"][:-1], {
        **after["history"][-1], "entry": {**after["history"][-1]["entry"], "kind": "issued"}}]}
    superseded = verify_bundle(before["signed"], {**after, "entry": before["entry"], "leaf_index": before["leaf_index"],
                                                  "inclusion_proof": after["history"][0]["inclusion_proof"]},
                               after["checkpoint"], issuer, log)
    assert [e["entry"]["kind"] for e in after["history"]] == ["issued", "amended"]
    assert verify_bundle(after["signed"], after, after["checkpoint"], issuer, log).state == "amended"
    for report in (verify_bundle(after["signed"], hidden, after["checkpoint"], issuer, log),
                   verify_bundle(after["signed"], forged, after["checkpoint"], issuer, log)):
        assert not report.ok
        assert [c.name for c in report.checks if not c.ok] == ["state"]
    assert [c.name for c in superseded.checks if not c.ok] == ["state"]
    assert "superseded" in next(c.reason for c in superseded.checks if c.name == "state")
