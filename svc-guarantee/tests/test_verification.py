"""验真 of a presented document (``POST /v1/guarantees/verify``), and public reads that never write."""

import base64
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from guarantee_factories import BIDDER, BIDDER2, BIDDER_2, PICC, STAFF, application, issue_guarantee, seed_issuer, seed_project
from sqlalchemy import func, select

from bianmin.guarantee.models import Checkpoint, LedgerHead, LedgerLeaf, SigningKey
from bianmin.guarantee.verifier.notes import canonical_bytes
from bianmin.kit.identity import ANONYMOUS
from bianmin.kit.tables import idempotency_record, outbox_event
from bianmin.testing.client import client_for


async def _two(app: FastAPI) -> tuple[str, str]:
    async with client_for(app, STAFF) as staff:
        await seed_issuer(staff)
    await seed_project(app)
    first = await issue_guarantee(app, BIDDER, application())
    second = await issue_guarantee(app, BIDDER2, application(applicant_credit_code=BIDDER_2, applicant_name="二号"))
    return first, second


def _checks(answer: dict[str, Any]) -> dict[str, bool]:
    return {c["name"]: c["ok"] for c in answer["checks"]}


async def test_a_presented_document_is_checked_for_hash_signature_ledger_and_status(
        clocked_app: FastAPI, db_backend: str) -> None:
    first, second = await _two(clocked_app)
    async with client_for(clocked_app, ANONYMOUS) as public:
        signed = (await public.get(f"/v1/guarantees/{first}/proof")).json()["signed"]
        document = signed["document"]
        log_key = (await public.get("/v1/ledger/key")).json()["name"]

        async def check(doc: dict[str, Any], **changes: Any) -> dict[str, Any]:
            response = await public.post("/v1/guarantees/verify", json={**signed, "document": doc, **changes})
            assert response.status_code == 200, response.text
            return response.json()

        genuine = await check(dict(reversed(list(document.items()))))
        altered = await check({**document, "amount": "2000000.00"})
        floats = await check({**document, "amount": 20000.0})
        forged = await check(document, signature=base64.b64encode(
            Ed25519PrivateKey.generate().sign(canonical_bytes(document))).decode())
        foreign_key = await check(document, key_name=log_key)
        unknown = await check({**document, "number": "BH-NONE-2026-000001"})
        not_object = await public.post("/v1/guarantees/verify", json={"document": "x", "signature": "y"})
        unsigned = await public.post("/v1/guarantees/verify", json={"document": document})
        stray = await public.post("/v1/guarantees/verify", json={**signed, "extra": 1})
        old_second = (await public.get(f"/v1/guarantees/{second}/proof")).json()["signed"]
        async with client_for(clocked_app, PICC) as picc:
            await picc.post(f"/v1/guarantees/{second}/release", json={"reason": "未中标"})
            await picc.post(f"/v1/guarantees/{first}/amendments",
                            json={"kind": "extension", "new_expires_on": "2026-08-31", "reason": "延期"})
        released = (await public.post("/v1/guarantees/verify", json=old_second)).json()
        superseded = await check(document)
        current = (await public.post("/v1/guarantees/verify", json=(
            await public.get(f"/v1/guarantees/{first}/proof")).json()["signed"])).json()
    assert genuine["verdict"] == "genuine"
    assert _checks(genuine) == {"document": True, "signature": True, "ledger": True, "status": True}
    assert genuine["number"] == first
    assert len(genuine["document_hash"]) == 64
    assert "current version" in genuine["reasons"][0]
    assert altered["verdict"] == "altered"
    assert _checks(altered) == {"document": False, "signature": False, "ledger": False, "status": True}
    assert "differs from every version" in altered["reasons"][0]
    assert floats["verdict"] == "altered"
    assert "floating-point" in floats["reasons"][0]
    assert forged["verdict"] == "altered"
    assert _checks(forged) == {"document": True, "signature": False, "ledger": True, "status": True}
    assert foreign_key["verdict"] == "altered"
    assert "not a key of the issuer" in foreign_key["reasons"][0]
    assert unknown["verdict"] == "unknown"
    assert not_object.status_code == 422
    assert unsigned.status_code == 422
    assert unsigned.json()["errors"][0]["field"] == "signature"
    assert stray.status_code == 422
    assert released["verdict"] == "revoked"
    assert released["reasons"][0] == "the guarantee was released"
    assert superseded["verdict"] == "revoked"
    assert _checks(superseded) == {"document": True, "signature": True, "ledger": True, "status": False}
    assert "superseded by amendment 1" in superseded["reasons"][0]
    assert current["verdict"] == "genuine"


async def _snapshot(app: FastAPI) -> tuple[int, ...]:
    async with app.state.db.sessionmaker() as session:
        counts = [(await session.execute(select(func.count()).select_from(table))).scalar_one()
                  for table in (Checkpoint, SigningKey, LedgerLeaf, outbox_event, idempotency_record)]
        head = (await session.execute(select(LedgerHead.size))).scalar_one_or_none() or 0
        newest = (await session.execute(select(func.max(Checkpoint.size)))).scalar_one() or 0
    return (*counts, head, newest)


async def test_public_reads_never_write_and_the_latest_checkpoint_is_the_head(
        clocked_app: FastAPI, db_backend: str) -> None:
    async with client_for(clocked_app, ANONYMOUS) as public:
        empty = await public.get("/v1/ledger/checkpoint")
        no_key = await public.get("/v1/ledger/key")
        assert await _snapshot(clocked_app) == (0, 0, 0, 0, 0, 0, 0)
        first, _ = await _two(clocked_app)
        before = await _snapshot(clocked_app)
        signed = (await public.get(f"/v1/guarantees/{first}/proof")).json()["signed"]
        for path in ("/v1/ledger/checkpoint", "/v1/ledger/key", f"/v1/guarantees/{first}/verify",
                     "/v1/ledger/checkpoints/1", "/v1/issuers/PICC/keys", "/v1/ledger/leaves/0"):
            assert (await public.get(path)).status_code == 200, path
        assert (await public.post("/v1/guarantees/verify", json=signed)).json()["verdict"] == "genuine"
        after = await _snapshot(clocked_app)
    assert empty.status_code == 404
    assert empty.json()["code"] == "checkpoint_not_found"
    assert no_key.status_code == 404
    assert before == after
    assert before[-1] == before[-2] == 2
