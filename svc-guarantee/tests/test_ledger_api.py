"""The public ledger: checkpoints, proofs, verification (验真), witnesses and the offline verifier."""

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from guarantee_factories import BIDDER, NOW, PICC, STAFF, application, seed_issuer, seed_project
from sqlalchemy import update

from bianmin.guarantee.models import Guarantee
from bianmin.guarantee.settings import GuaranteeSettings
from bianmin.guarantee.verifier import load_key, verify_bundle
from bianmin.guarantee.verifier.cli import main as verify_main
from bianmin.guarantee.verifier.notes import (
    parse_checkpoint,
    parse_verifier_key,
    raw_public_key,
    sign_line,
    split_note,
    verifier_key,
    verify_note,
)
from bianmin.kit.clock import FixedClock
from bianmin.kit.identifiers import with_uscc_check
from bianmin.kit.identity import ANONYMOUS, Principal
from bianmin.kit.merkle import verify_consistency, verify_inclusion
from bianmin.testing.client import client_for


async def _issue_several(app: FastAPI, count: int = 3) -> list[str]:
    numbers = []
    async with client_for(app, STAFF) as staff, client_for(app, PICC) as picc:
        await seed_issuer(staff)
        await seed_project(app)
        for n in range(count):
            credit = with_uscc_check(f"91330199MA{n + 10:07d}")
            bidder = Principal(key_id=f"b{n}", tenant="*", scopes=frozenset({"guarantee:apply",
                                                                              f"guarantee:applicant:{credit}"}))
            async with client_for(app, bidder) as client:
                applied = await client.post("/v1/guarantees", json=application(applicant_credit_code=credit,
                                                                               applicant_name=f"便民区{n}号"))
            number = applied.json()["number"]
            await picc.post(f"/v1/guarantees/{number}/underwrite")
            assert (await picc.post(f"/v1/guarantees/{number}/issue")).status_code == 200
            numbers.append(number)
    return numbers


async def test_checkpoints_are_signed_notes_and_proofs_verify(clocked_app: FastAPI, db_backend: str) -> None:
    numbers = await _issue_several(clocked_app, 3)
    async with client_for(clocked_app, ANONYMOUS) as public:
        first = (await public.get("/v1/ledger/checkpoint")).json()
        key = parse_verifier_key((await public.get("/v1/ledger/key")).json()["verifier_key"])
        async with client_for(clocked_app, PICC) as picc:
            await picc.post(f"/v1/guarantees/{numbers[0]}/release", json={"reason": "合同已签订"})
        second = (await public.get("/v1/ledger/checkpoint")).json()
        consistency = (await public.get("/v1/ledger/proofs/consistency", params={"first": 3, "second": 4})).json()
        inclusion = (await public.get("/v1/ledger/proofs/inclusion", params={"leaf_index": 1, "tree_size": 4})).json()
        bad = await public.get("/v1/ledger/proofs/inclusion", params={"leaf_index": 5, "tree_size": 4})
        beyond = await public.get("/v1/ledger/proofs/consistency", params={"first": 1, "second": 99})
        old = await public.get("/v1/ledger/checkpoints/3")
        every = [(await public.get(f"/v1/ledger/checkpoints/{n}")).status_code for n in range(1, 5)]
        missing = await public.get("/v1/ledger/checkpoints/5")
    assert first["size"] == 3
    assert second["size"] == 4
    body = parse_checkpoint(verify_note(second["note"], key))
    assert body.root.hex() == second["root_hash"]
    assert verify_consistency(3, 4, bytes.fromhex(first["root_hash"]), bytes.fromhex(second["root_hash"]),
                              [bytes.fromhex(p) for p in consistency["proof"]])
    assert verify_inclusion(1, 4, bytes.fromhex(inclusion["leaf_hash"]), [bytes.fromhex(p) for p in inclusion["proof"]],
                            bytes.fromhex(second["root_hash"]))
    assert bad.status_code == 422
    assert beyond.status_code == 422
    assert old.json()["root_hash"] == first["root_hash"]
    assert every == [200, 200, 200, 200]
    assert missing.status_code == 404


async def test_verification_answers_genuine_altered_unknown_and_revoked(clocked_app: FastAPI, db_backend: str) -> None:
    numbers = await _issue_several(clocked_app, 2)
    async with client_for(clocked_app, ANONYMOUS) as public:
        genuine = (await public.get(f"/v1/guarantees/{numbers[0]}/verify")).json()
        held = genuine_hash = (await public.get(f"/v1/guarantees/{numbers[0]}/proof")).json()["entry"]["document_hash"]
        same = (await public.get(f"/v1/guarantees/{numbers[0]}/verify", params={"document_hash": held})).json()
        altered = (await public.get(f"/v1/guarantees/{numbers[0]}/verify", params={"document_hash": "0" * 64})).json()
        unknown = (await public.get("/v1/guarantees/BH-NONE-2026-000001/verify")).json()
        malformed = await public.get(f"/v1/guarantees/{numbers[0]}/verify", params={"document_hash": "xyz"})
        async with client_for(clocked_app, PICC) as picc:
            await picc.post(f"/v1/guarantees/{numbers[1]}/release", json={"reason": "未中标"})
            await picc.post(f"/v1/guarantees/{numbers[0]}/amendments",
                            json={"kind": "extension", "new_expires_on": "2026-08-31", "reason": "延期"})
        revoked = (await public.get(f"/v1/guarantees/{numbers[1]}/verify")).json()
        superseded = (await public.get(f"/v1/guarantees/{numbers[0]}/verify",
                                       params={"document_hash": genuine_hash})).json()
    async with clocked_app.state.db.sessionmaker() as session:
        await session.execute(update(Guarantee).where(Guarantee.number == numbers[0])
                              .values(document=json.dumps({"number": numbers[0], "amount": "1.00"})))
        await session.commit()
    async with client_for(clocked_app, ANONYMOUS) as public:
        tampered = (await public.get(f"/v1/guarantees/{numbers[0]}/verify")).json()
    assert genuine["verdict"] == "genuine"
    assert same["verdict"] == "genuine"
    assert altered["verdict"] == "altered"
    assert unknown["verdict"] == "unknown"
    assert malformed.status_code == 422
    assert revoked["verdict"] == "revoked"
    assert "released" in revoked["reasons"][0]
    assert superseded["verdict"] == "revoked"
    assert "amendment 1" in superseded["reasons"][0]
    assert tampered["verdict"] == "altered"


async def test_the_offline_verifier_checks_a_bundle_and_catches_tampering(clocked_app: FastAPI, db_backend: str,
                                                                          tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    numbers = await _issue_several(clocked_app, 3)
    async with client_for(clocked_app, ANONYMOUS) as public:
        bundle = (await public.get(f"/v1/guarantees/{numbers[1]}/proof")).json()
        keys = (await public.get("/v1/issuers/PICC/keys")).json()
    assert keys[0]["verifier_key"] == bundle["issuer_key"]
    assert "private" not in json.dumps(keys).lower()
    report = verify_bundle(bundle["signed"], bundle, bundle["checkpoint"], load_key(bundle["issuer_key"]),
                           load_key(bundle["log_key"]))
    assert report.ok, report.checks
    (tmp_path / "doc.json").write_text(json.dumps(bundle["signed"], ensure_ascii=False), encoding="utf-8")
    (tmp_path / "proof.json").write_text(json.dumps(bundle), encoding="utf-8")
    (tmp_path / "cp.txt").write_text(bundle["checkpoint"], encoding="utf-8")
    args = [str(tmp_path / "doc.json"), "--proof", str(tmp_path / "proof.json"), "--checkpoint",
            str(tmp_path / "cp.txt"), "--issuer-key", bundle["issuer_key"], "--log-key", bundle["log_key"]]
    assert verify_main(args) == 0
    assert capsys.readouterr().out.strip().endswith("genuine")
    raw = base64.b64encode(parse_verifier_key(bundle["issuer_key"]).public_key).decode()
    assert verify_main([*args[:6], raw, *args[7:]]) == 0
    tampered = dict(bundle["signed"])
    tampered["document"] = {**tampered["document"], "amount": "2000000.00"}
    (tmp_path / "doc.json").write_text(json.dumps(tampered), encoding="utf-8")
    assert verify_main(args) == 1
    out = capsys.readouterr().out
    assert "FAIL document" in out
    assert "FAIL signature" in out
    other = Ed25519PrivateKey.generate()
    (tmp_path / "doc.json").write_text(json.dumps(bundle["signed"]), encoding="utf-8")
    assert verify_main([*args[:6], verifier_key("fake", raw_public_key(other.public_key()))]) == 1
    forged = bundle["checkpoint"].replace(bundle["checkpoint"].split("\n")[1], "4", 1)
    (tmp_path / "cp.txt").write_text(forged, encoding="utf-8")
    assert verify_main(args) == 1
    assert verify_main([str(tmp_path / "nope.json"), *args[1:]]) == 2


async def test_a_witness_countersignature_is_verified_stored_and_served(
        settings: GuaranteeSettings, db_backend: str) -> None:
    from bianmin.guarantee.app import create_app
    from bianmin.testing.client import running

    witness = Ed25519PrivateKey.generate()
    settings.witness_keys = [verifier_key("zj-guarantee-platform", raw_public_key(witness.public_key()))]
    app = create_app(settings, clock=FixedClock(NOW))
    async with running(app):
        await _issue_several(app, 1)
        province = Principal(key_id="k-zj", tenant="*", scopes=frozenset({"guarantee:witness"}))
        async with client_for(app, ANONYMOUS) as public, client_for(app, province) as client:
            checkpoint = (await public.get("/v1/ledger/checkpoint")).json()
            text, _ = split_note(checkpoint["note"])
            line = sign_line("zj-guarantee-platform", witness, text.encode()).strip()
            forged = sign_line("zj-guarantee-platform", Ed25519PrivateKey.generate(), text.encode()).strip()
            stranger = sign_line("someone", witness, text.encode()).strip()
            size = checkpoint["size"]
            bad = await client.post(f"/v1/ledger/checkpoints/{size}/witnesses", json={"signature_line": forged})
            unknown = await client.post(f"/v1/ledger/checkpoints/{size}/witnesses", json={"signature_line": stranger})
            good = await client.post(f"/v1/ledger/checkpoints/{size}/witnesses", json={"signature_line": line})
            twice = await client.post(f"/v1/ledger/checkpoints/{size}/witnesses", json={"signature_line": line})
            anonymous = await public.post(f"/v1/ledger/checkpoints/{size}/witnesses", json={"signature_line": line})
            served = (await public.get(f"/v1/ledger/checkpoints/{size}")).json()
    assert bad.status_code == 422
    assert unknown.status_code == 403
    assert good.status_code == 201
    assert twice.status_code == 409
    assert anonymous.status_code == 401
    assert served["witnesses"] == [line]
    assert verify_note(served["note"], parse_verifier_key(settings.witness_keys[0]))


async def test_issuer_keys_rotate_and_old_documents_still_verify(clocked_app: FastAPI, db_backend: str) -> None:
    numbers = await _issue_several(clocked_app, 1)
    async with client_for(clocked_app, PICC) as picc, client_for(clocked_app, BIDDER) as bidder:
        rotated = await picc.post("/v1/issuers/PICC/keys/rotate")
        refused = await bidder.post("/v1/issuers/PICC/keys/rotate")
        keys = (await picc.get("/v1/issuers/PICC/keys")).json()
        verdict = (await picc.get(f"/v1/guarantees/{numbers[0]}/verify")).json()
    assert rotated.status_code == 201
    assert refused.status_code == 403
    assert len(keys) == 2
    assert keys[0]["valid_to"] is not None
    assert keys[1]["valid_to"] is None
    assert verdict["verdict"] == "genuine"
