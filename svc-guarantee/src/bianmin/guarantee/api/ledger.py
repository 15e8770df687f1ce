"""The public ledger: checkpoints, witnesses, proofs, verification (验真) and offline bundles.

Every public read here is read only: checkpoints are signed by the writer (see
:mod:`bianmin.guarantee.domain.ledger`), so a GET never signs, creates a key or commits.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from bianmin.guarantee.api.deps import SettingsDep
from bianmin.guarantee.domain import guarantees, keys, ledger, verification
from bianmin.guarantee.domain.errors import (
    AlreadyCosigned,
    CheckpointNotFound,
    GuaranteeNotIssued,
    LeafNotFound,
    LogKeyNotFound,
    UnknownWitness,
)
from bianmin.guarantee.models import Checkpoint, LedgerLeaf, SigningKey, WitnessSignature
from bianmin.guarantee.schemas import (
    CheckpointRead,
    CheckRead,
    ConsistencyRead,
    InclusionRead,
    KeyRead,
    PresentedDocument,
    ProofRead,
    SignedDocument,
    VerificationRead,
    WitnessCosign,
)
from bianmin.guarantee.verifier.notes import NoteError, document_hash, parse_verifier_key, split_note
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import Unprocessable, problem_responses
from bianmin.kit.identity import PrincipalDep, public, require_scopes

router = APIRouter(tags=["ledger"])
Size = Annotated[int, Query(ge=0, le=2**53)]


async def _read(session: SessionDep, checkpoint: Checkpoint, origin: str) -> CheckpointRead:
    lines = (await session.execute(select(WitnessSignature.line).where(
        WitnessSignature.checkpoint_size == checkpoint.size).order_by(WitnessSignature.id))).scalars().all()
    note = checkpoint.note + "".join(f"{line}\n" for line in lines)
    return CheckpointRead(origin=origin, size=checkpoint.size, root_hash=checkpoint.root, note=note,
                          witnesses=list(lines))


@router.get("/ledger/checkpoint", summary="The latest signed checkpoint", responses=problem_responses(401, 404),
            **public())
async def latest(session: SessionDep, settings: SettingsDep) -> CheckpointRead:
    """The ledger's current size and root, signed by the log key (C2SP signed note); read only."""
    return await _read(session, await ledger.require_checkpoint(session), settings.ledger_origin)


@router.get("/ledger/checkpoints/{size}", summary="A checkpoint by size", responses=problem_responses(401, 404),
            **public())
async def by_size(size: int, session: SessionDep, settings: SettingsDep) -> CheckpointRead:
    """A checkpoint signed earlier, with every witness countersignature received for it."""
    if not 0 <= size < 2**53:
        raise CheckpointNotFound(f"No checkpoint was signed at size {size}.")
    return await _read(session, await ledger.checkpoint_at(session, size), settings.ledger_origin)


@router.post("/ledger/checkpoints/{size}/witnesses", status_code=201, summary="Countersign a checkpoint",
             dependencies=[require_scopes("guarantee:witness")], responses=problem_responses(401, 403, 404, 409, 422))
async def cosign(size: int, body: WitnessCosign, session: SessionDep, settings: SettingsDep, who: PrincipalDep,
                 clock: ClockDep) -> CheckpointRead:
    """A witness (the provincial platform) countersigns a checkpoint; the signature is verified, then kept."""
    if not 0 <= size < 2**53:
        raise CheckpointNotFound(f"No checkpoint was signed at size {size}.")
    checkpoint = await ledger.checkpoint_at(session, size)
    text, _ = split_note(checkpoint.note)
    try:
        _, signatures = split_note(text + "\n" + body.signature_line.strip() + "\n")
    except NoteError as exc:
        raise Unprocessable.field("signature_line", str(exc)) from exc
    signature = signatures[0]
    witnesses = {k.name: k for k in (parse_verifier_key(v) for v in settings.witness_keys)}
    key = witnesses.get(signature.name)
    if key is None:
        raise UnknownWitness(f"{signature.name} is not a configured witness.")
    if signature.key_hash != key.hash or not key.verify(text.encode(), signature.signature):
        raise Unprocessable.field("signature_line", "the signature does not verify with the witness's key")
    exists = (await session.execute(select(WitnessSignature.id).where(
        WitnessSignature.checkpoint_size == size, WitnessSignature.witness_name == key.name))).first()
    if exists is not None:
        raise AlreadyCosigned(f"{key.name} has countersigned this checkpoint already.")
    session.add(WitnessSignature(checkpoint_size=size, witness_name=key.name, line=body.signature_line.strip(),
                                 received_at=clock.now()))
    await session.commit()
    return await _read(session, checkpoint, settings.ledger_origin)


@router.get("/ledger/key", summary="The ledger's public key", responses=problem_responses(401, 404), **public())
async def log_key(session: SessionDep, settings: SettingsDep) -> KeyRead:
    """The key that signs checkpoints (C2SP verifier key); it exists from the first append on."""
    row = await keys.published_log_key(session, settings.ledger_origin)
    if row is None:
        raise LogKeyNotFound("The ledger is empty: its key is made with the first entry.")
    return KeyRead(name=row.name, public_key=row.public_key, verifier_key=row.verifier_key, valid_from=row.valid_from,
                   valid_to=row.valid_to)


@router.get("/ledger/leaves/{seq}", summary="One ledger entry", responses=problem_responses(401, 404), **public())
async def leaf(seq: int, session: SessionDep) -> dict[str, object]:
    """A leaf's entry (hashes and ids only) and its leaf hash."""
    row = await session.get(LedgerLeaf, seq) if 0 <= seq < 2**53 else None
    if row is None:
        raise LeafNotFound(f"No leaf {seq}.")
    return {"seq": row.seq, "entry": json.loads(row.entry), "leaf_hash": row.leaf_hash}


@router.get("/ledger/proofs/inclusion", summary="An inclusion proof", responses=problem_responses(401, 422), **public())
async def inclusion(session: SessionDep, leaf_index: Size, tree_size: Size) -> InclusionRead:
    """The audit path of a leaf in the tree of a given size."""
    path = await ledger.inclusion_proof(session, leaf_index, tree_size)
    row = await session.get(LedgerLeaf, leaf_index)
    assert row is not None
    return InclusionRead(leaf_index=leaf_index, tree_size=tree_size, leaf_hash=row.leaf_hash,
                         root_hash=(await ledger.root_at(session, tree_size)).hex(), proof=[p.hex() for p in path])


@router.get("/ledger/proofs/consistency", summary="A consistency proof", responses=problem_responses(401, 422),
            **public())
async def consistency(session: SessionDep, first: Size, second: Size) -> ConsistencyRead:
    """The proof that the ledger of size ``first`` is a prefix of the ledger of size ``second``."""
    path = await ledger.consistency_proof(session, first, second)
    return ConsistencyRead(first=first, second=second, first_root=(await ledger.root_at(session, first)).hex(),
                           second_root=(await ledger.root_at(session, second)).hex(), proof=[p.hex() for p in path])


def _verdict(number: str | None, found: verification.Verdict, presented: str | None,
             checked_at: datetime) -> VerificationRead:
    return VerificationRead(number=number, verdict=found.verdict, status=found.status,  # type: ignore[arg-type]
                            reasons=found.reasons, document_hash=presented, checked_at=checked_at,
                            checks=[CheckRead(name=c.name, ok=c.ok, reason=c.reason)  # type: ignore[arg-type]
                                    for c in found.checks])


@router.get("/guarantees/{number}/verify", summary="Verify a guarantee (验真)", responses=problem_responses(401, 422),
            **public())
async def verify(number: str, session: SessionDep, clock: ClockDep,
                 document_hash: Annotated[str | None, Query(pattern="^[0-9a-fA-F]{64}$")] = None) -> VerificationRead:
    """Genuine, altered, unknown or revoked, with the reasons; optionally for the document hash one holds."""
    checkpoint = await ledger.latest_checkpoint(session)
    found = await verification.verify(session, number, presented_hash=document_hash, checkpoint=checkpoint)
    return _verdict(number, found, document_hash, clock.now())


@router.post("/guarantees/verify", summary="Verify a presented guarantee document (验真)",
             responses=problem_responses(401, 422), **public())
async def verify_presented(body: PresentedDocument, session: SessionDep, clock: ClockDep) -> VerificationRead:
    """Upload the whole document as held, with its signature: genuine, altered, unknown or revoked, every reason."""
    checkpoint = await ledger.latest_checkpoint(session)
    found = await verification.verify_document(session, body.document, signature=body.signature,
                                               key_name=body.key_name, checkpoint=checkpoint)
    number = body.document.get("number")
    try:
        digest: str | None = document_hash(body.document)
    except NoteError:
        digest = None
    return _verdict(number if isinstance(number, str) else None, found, digest, clock.now())


@router.get("/guarantees/{number}/proof", summary="The offline verification bundle",
            responses=problem_responses(401, 404), **public())
async def proof(number: str, session: SessionDep, settings: SettingsDep) -> ProofRead:
    """The signed document, its ledger entry, inclusion proof, checkpoint and keys, for ``bianmin-guarantee-verify``."""
    guarantee = await guarantees.get(session, number)
    signed = guarantees.signed_document(guarantee)
    if signed is None or guarantee.leaf_index is None:
        raise GuaranteeNotIssued(f"Guarantee {number} is not issued.")
    checkpoint = await ledger.require_checkpoint(session)
    log = await keys.published_log_key(session, settings.ledger_origin)
    row = await session.get(LedgerLeaf, guarantee.leaf_index)
    issuer = (await session.execute(select(SigningKey).where(SigningKey.name == guarantee.key_name))).scalar_one()
    assert row is not None
    assert log is not None
    path = await ledger.inclusion_proof(session, row.seq, checkpoint.size)
    return ProofRead(signed=SignedDocument(**signed), leaf_index=row.seq, tree_size=checkpoint.size,
                     entry=json.loads(row.entry), inclusion_proof=[p.hex() for p in path], checkpoint=checkpoint.note,
                     issuer_key=issuer.verifier_key, log_key=log.verifier_key)
