"""The public ledger: checkpoints, witnesses, proofs, verification (验真) and offline bundles.

Every public read here is read only: checkpoints are signed by the writer (see
:mod:`bianmin.guarantee.domain.ledger`), so a GET never signs, creates a key or commits, and each
takes a read-only session. So does ``POST /guarantees/verify``: it posts a document to check, not a change.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bianmin.guarantee.api import views
from bianmin.guarantee.api.deps import EVERYONE, WITNESS, SettingsDep
from bianmin.guarantee.domain import keys, ledger, verification
from bianmin.guarantee.domain.errors import LogKeyNotFound
from bianmin.guarantee.schemas import (
    CheckpointRead,
    ConsistencyRead,
    InclusionRead,
    KeyRead,
    LeafRead,
    PresentedDocument,
    ProofRead,
    VerificationRead,
    WitnessCosign,
)
from bianmin.guarantee.verifier.notes import NoteError, document_hash
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.identity import PrincipalDep, public, require_scopes

router = APIRouter(tags=["ledger"])
Size = Annotated[int, Query(ge=0, le=2**53)]


@router.get("/ledger/checkpoint", dependencies=[EVERYONE], summary="The latest signed checkpoint", responses=problem_responses(401, 404),
            **public())
async def latest(session: ReadSessionDep, settings: SettingsDep) -> CheckpointRead:
    """The ledger's current size and root, signed by the log key (C2SP signed note); read only."""
    checkpoint = await ledger.require_checkpoint(session)
    return views.checkpoint_read(checkpoint, settings.ledger_origin, await ledger.witness_lines(session, checkpoint.size))


@router.get("/ledger/checkpoints/{size}", dependencies=[EVERYONE], summary="A checkpoint by size", responses=problem_responses(401, 404),
            **public())
async def by_size(size: int, session: ReadSessionDep, settings: SettingsDep) -> CheckpointRead:
    """A checkpoint signed earlier, with every witness countersignature received for it."""
    checkpoint = await ledger.checkpoint_at(session, size)
    return views.checkpoint_read(checkpoint, settings.ledger_origin, await ledger.witness_lines(session, size))


@router.post("/ledger/checkpoints/{size}/witnesses", status_code=201, summary="Countersign a checkpoint",
             dependencies=[require_scopes("guarantee:witness"), WITNESS], responses=problem_responses(401, 403, 404, 409, 422))
async def cosign(size: int, body: WitnessCosign, session: SessionDep, settings: SettingsDep, who: PrincipalDep,
                 clock: ClockDep) -> CheckpointRead:
    """A witness (the provincial platform) countersigns a checkpoint; the signature is verified, then kept."""
    checkpoint = await ledger.checkpoint_at(session, size)
    await ledger.cosign(session, checkpoint, signature_line=body.signature_line, witness_keys=settings.witness_keys,
                        now=clock.now())
    await session.commit()
    return views.checkpoint_read(checkpoint, settings.ledger_origin, await ledger.witness_lines(session, size))


@router.get("/ledger/key", dependencies=[EVERYONE], summary="The ledger's public key", responses=problem_responses(401, 404), **public())
async def log_key(session: ReadSessionDep, settings: SettingsDep) -> KeyRead:
    """The key that signs checkpoints (C2SP verifier key); it exists from the first append on."""
    row = await keys.published_log_key(session, settings.ledger_origin)
    if row is None:
        raise LogKeyNotFound("The ledger is empty: its key is made with the first entry.")
    return KeyRead.model_validate(row)


@router.get("/ledger/leaves/{seq}", dependencies=[EVERYONE], summary="One ledger entry", responses=problem_responses(401, 404), **public())
async def leaf(seq: int, session: ReadSessionDep) -> LeafRead:
    """A leaf's entry (hashes and ids only) and its leaf hash."""
    return views.leaf_read(await ledger.get_leaf(session, seq))


@router.get("/ledger/proofs/inclusion", dependencies=[EVERYONE], summary="An inclusion proof",
            responses=problem_responses(401, 422), **public())
async def inclusion(session: ReadSessionDep, leaf_index: Size, tree_size: Size) -> InclusionRead:
    """The audit path of a leaf in the tree of a given size."""
    path = await ledger.inclusion_proof(session, leaf_index, tree_size)
    row = await ledger.get_leaf(session, leaf_index)
    return InclusionRead(leaf_index=leaf_index, tree_size=tree_size, leaf_hash=row.leaf_hash,
                         root_hash=(await ledger.root_at(session, tree_size)).hex(), proof=[p.hex() for p in path])


@router.get("/ledger/proofs/consistency", dependencies=[EVERYONE], summary="A consistency proof", responses=problem_responses(401, 422),
            **public())
async def consistency(session: ReadSessionDep, first: Size, second: Size) -> ConsistencyRead:
    """The proof that the ledger of size ``first`` is a prefix of the ledger of size ``second``."""
    path = await ledger.consistency_proof(session, first, second)
    return ConsistencyRead(first=first, second=second, first_root=(await ledger.root_at(session, first)).hex(),
                           second_root=(await ledger.root_at(session, second)).hex(), proof=[p.hex() for p in path])


@router.get("/guarantees/{number}/verify", dependencies=[EVERYONE], summary="Verify a guarantee (验真)",
            responses=problem_responses(401, 422),
            **public())
async def verify(number: str, session: ReadSessionDep, clock: ClockDep,
                 document_hash: Annotated[str | None, Query(pattern="^[0-9a-fA-F]{64}$")] = None) -> VerificationRead:
    """Genuine, altered, unknown or revoked, with the reasons; optionally for the document hash one holds."""
    checkpoint = await ledger.latest_checkpoint(session)
    found = await verification.verify(session, number, presented_hash=document_hash, checkpoint=checkpoint)
    return views.verification_read(number, found, document_hash, clock.now())


@router.post("/guarantees/verify", dependencies=[EVERYONE], summary="Verify a presented guarantee document (验真)",
             responses=problem_responses(401, 422), **public())
async def verify_presented(body: PresentedDocument, session: ReadSessionDep, clock: ClockDep) -> VerificationRead:
    """Upload the whole document as held, with its signature: genuine, altered, unknown or revoked, every reason."""
    checkpoint = await ledger.latest_checkpoint(session)
    found = await verification.verify_document(session, body.document, signature=body.signature,
                                               key_name=body.key_name, checkpoint=checkpoint)
    number = body.document.get("number")
    try:
        digest: str | None = document_hash(body.document)
    except NoteError:
        digest = None
    return views.verification_read(number if isinstance(number, str) else None, found, digest, clock.now())


@router.get("/guarantees/{number}/proof", dependencies=[EVERYONE], summary="The offline verification bundle",
            responses=problem_responses(401, 404), **public())
async def proof(number: str, session: ReadSessionDep, settings: SettingsDep) -> ProofRead:
    """The signed document, its ledger entry, inclusion proof, checkpoint and keys, for ``bianmin-guarantee-verify``."""
    return views.proof_read(await verification.offline_bundle(session, number, origin=settings.ledger_origin))
