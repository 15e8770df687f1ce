"""The append-only ledger: leaves in order, stored subtree hashes, signed checkpoints and proofs.

Every issue, amendment, claim, claim decision, payment, release and expiry appends one leaf, in the
same transaction as the change. An entry is canonical JSON of hashes and ids only (number,
document hash, claim number, kind, time): a log never deletes, so it holds no personal data.

One writer at a time: an append locks the single ``ledger_head`` row (``SELECT ... FOR UPDATE`` on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serialises writers). The head keeps the tree's
right frontier (the hashes of its perfect subtrees), so an append costs O(log n) without reading
the tree. Trade-off: each append also stores the hash of every perfect subtree it completes
(``ledger_node``, about 2n rows in all), so any proof needs only O(log n) stored hashes fetched in
one query, instead of rehashing all leaves; storage doubles, proof time stays logarithmic.

Checkpoints are signed by the writer: every append signs the checkpoint of the new size with the
log key in the same transaction (one Ed25519 signature, tens of microseconds), so the latest stored
checkpoint always equals the head and a public read never writes. Several appends in one
transaction (an award releasing many bid bonds) sign one checkpoint each; every one of them is a
real state of the log. :func:`seal` signs a head that has no checkpoint (a ledger written before
this rule), from the background worker only. The log key itself is made by the first append.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.guarantee.domain.errors import AlreadyCosigned, CheckpointNotFound, LeafNotFound, UnknownWitness
from bianmin.guarantee.domain.keys import KeyRing, log_key, private_key
from bianmin.guarantee.models import Checkpoint, LedgerHead, LedgerLeaf, LedgerNode, WitnessSignature
from bianmin.guarantee.verifier.notes import Checkpoint as CheckpointBody
from bianmin.guarantee.verifier.notes import NoteError, canonical_bytes, parse_verifier_key, sign_note, split_note
from bianmin.kit import merkle
from bianmin.kit.errors import Unprocessable

HEAD_ID = 1
# Sizes and indexes beyond this are no ledger's (and would overflow a database integer): 404, not 500.
MAX_INDEX = 2**53
LOG_KEY_CACHE = "bianmin_guarantee_log_key"


def _insert(session: AsyncSession) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


async def _locked_head(session: AsyncSession, now: datetime) -> LedgerHead:
    await session.execute(_insert(session)(LedgerHead).values(
        id=HEAD_ID, size=0, root=merkle.EMPTY_ROOT.hex(), frontier=[], updated_at=now,
    ).on_conflict_do_nothing(index_elements=["id"]))
    return (await session.execute(select(LedgerHead).where(LedgerHead.id == HEAD_ID)
                                  .with_for_update().execution_options(populate_existing=True))).scalar_one()


async def head(session: AsyncSession) -> tuple[int, bytes]:
    """The ledger's current size and root (without locking)."""
    row = (await session.execute(select(LedgerHead).where(LedgerHead.id == HEAD_ID))).scalar_one_or_none()
    return (0, merkle.EMPTY_ROOT) if row is None else (row.size, bytes.fromhex(row.root))


async def append(session: AsyncSession, keyring: KeyRing, *, kind: str, number: str, now: datetime,
                 **fields: Any) -> LedgerLeaf:
    """Append one entry under the head lock and sign the new checkpoint; returns the leaf (``seq`` is its index)."""
    state = await _locked_head(session, now)
    entry = {"kind": kind, "number": number, "at": now.isoformat(), **fields}
    data = canonical_bytes(entry)
    h = merkle.leaf_hash(data)
    index = state.size
    nodes = [LedgerNode(level=0, idx=index, hash=h.hex())]
    frontier = [bytes.fromhex(x) for x in state.frontier]
    level, idx = 0, index
    while idx & 1:
        h = merkle.node_hash(frontier.pop(), h)
        level, idx = level + 1, idx >> 1
        nodes.append(LedgerNode(level=level, idx=idx, hash=h.hex()))
    frontier.append(h)
    leaf = LedgerLeaf(seq=index, kind=kind, guarantee_number=number, entry=data.decode("utf-8"),
                      leaf_hash=nodes[0].hash, appended_at=now)
    session.add_all([leaf, *nodes])
    state.size = index + 1
    state.frontier = [x.hex() for x in frontier]
    state.root = merkle.fold_ranges(frontier).hex()
    state.updated_at = now
    await session.flush()
    await _sign(session, keyring, size=state.size, root=bytes.fromhex(state.root), now=now)
    return leaf


async def _sign(session: AsyncSession, keyring: KeyRing, *, size: int, root: bytes, now: datetime) -> None:
    # One transaction may append many leaves (an award releasing every loser's bond): look the key up
    # once per transaction, never across one (a key made in a rolled-back transaction does not exist).
    transaction = session.get_transaction()
    cached = session.info.get(LOG_KEY_CACHE)
    if cached is None or cached[0] is not transaction or cached[1] != keyring.origin:
        key = await log_key(session, origin=keyring.origin, password=keyring.password, now=now)
        cached = (transaction, keyring.origin, key.name, private_key(key, keyring.password))
        session.info[LOG_KEY_CACHE] = cached
    _, _, name, signer = cached
    note = sign_note(CheckpointBody(keyring.origin, size, root).text(), name, signer)
    await session.execute(_insert(session)(Checkpoint).values(size=size, root=root.hex(), note=note, signed_at=now)
                          .on_conflict_do_nothing(index_elements=["size"]))


async def _stored_hasher(session: AsyncSession, ranges: set[tuple[int, int]]) -> merkle.RangeHasher:
    needed: set[tuple[int, int]] = set()
    for lo, hi in ranges:
        for a, b in merkle.perfect_ranges(lo, hi):
            size = b - a
            needed.add((size.bit_length() - 1, a // size))
    found: dict[tuple[int, int], bytes] = {}
    wanted = sorted(needed)
    for start in range(0, len(wanted), 400):
        chunk = wanted[start:start + 400]
        rows = (await session.execute(select(LedgerNode.level, LedgerNode.idx, LedgerNode.hash)
                                      .where(tuple_(LedgerNode.level, LedgerNode.idx).in_(chunk)))).all()
        found.update({(r.level, r.idx): bytes.fromhex(r.hash) for r in rows})

    def mth(lo: int, hi: int) -> bytes:
        parts = [found[((b - a).bit_length() - 1, a // (b - a))] for a, b in merkle.perfect_ranges(lo, hi)]
        return merkle.fold_ranges(parts)

    return mth


def _recorder(ranges: set[tuple[int, int]]) -> merkle.RangeHasher:
    def record(lo: int, hi: int) -> bytes:
        ranges.add((lo, hi))
        return merkle.EMPTY_ROOT

    return record


async def inclusion_proof(session: AsyncSession, index: int, size: int) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``size`` (size at most the current size)."""
    current, _ = await head(session)
    if not 0 < size <= current:
        raise Unprocessable.field("tree_size", f"must be between 1 and the ledger's size {current}")
    if not 0 <= index < size:
        raise Unprocessable.field("leaf_index", f"must be below the tree size {size}")
    ranges: set[tuple[int, int]] = set()
    merkle.inclusion_path(index, size, _recorder(ranges))
    return merkle.inclusion_path(index, size, await _stored_hasher(session, ranges))


async def consistency_proof(session: AsyncSession, old_size: int, new_size: int) -> list[bytes]:
    """The proof that the tree of ``old_size`` is a prefix of the tree of ``new_size``."""
    current, _ = await head(session)
    if not 0 <= new_size <= current:
        raise Unprocessable.field("second", f"must be between 0 and the ledger's size {current}")
    if not 0 <= old_size <= new_size:
        raise Unprocessable.field("first", "must be between 0 and second")
    ranges: set[tuple[int, int]] = set()
    merkle.consistency_path(old_size, new_size, _recorder(ranges))
    return merkle.consistency_path(old_size, new_size, await _stored_hasher(session, ranges))


async def root_at(session: AsyncSession, size: int) -> bytes:
    """The root of the tree of the first ``size`` leaves."""
    if size == 0:
        return merkle.EMPTY_ROOT
    ranges = {(0, size)}
    return (await _stored_hasher(session, ranges))(0, size)


async def latest_checkpoint(session: AsyncSession) -> Checkpoint | None:
    """The newest signed checkpoint (read only); None while the ledger is empty."""
    return (await session.execute(select(Checkpoint).order_by(Checkpoint.size.desc()).limit(1))).scalar_one_or_none()


async def require_checkpoint(session: AsyncSession) -> Checkpoint:
    """The newest signed checkpoint; 404 while the ledger is empty."""
    found = await latest_checkpoint(session)
    if found is None:
        raise CheckpointNotFound("The ledger is empty: no checkpoint has been signed yet.")
    return found


async def seal(session: AsyncSession, keyring: KeyRing, *, now: datetime) -> bool:
    """Sign the head when it has no checkpoint yet (background worker); whether one was signed."""
    size, root = await head(session)
    if size == 0 or await session.get(Checkpoint, size) is not None:
        return False
    await _sign(session, keyring, size=size, root=root, now=now)
    return True


async def checkpoint_at(session: AsyncSession, size: int) -> Checkpoint:
    """A stored checkpoint by size; 404 when none was signed at that size (or the size cannot be one)."""
    found = None
    if 0 <= size < MAX_INDEX:
        found = (await session.execute(select(Checkpoint).where(Checkpoint.size == size))).scalar_one_or_none()
    if found is None:
        raise CheckpointNotFound(f"No checkpoint was signed at size {size}.")
    return found


async def witness_lines(session: AsyncSession, size: int) -> list[str]:
    """The witnesses' signature lines received for the checkpoint of ``size``, in the order they came."""
    return list((await session.execute(select(WitnessSignature.line).where(
        WitnessSignature.checkpoint_size == size).order_by(WitnessSignature.id))).scalars())


async def cosign(session: AsyncSession, checkpoint: Checkpoint, *, signature_line: str, witness_keys: list[str],
                 now: datetime) -> WitnessSignature:
    """Keep a witness's countersignature of ``checkpoint`` once it verifies with a configured witness key.

    ``witness_keys`` are the C2SP verifier keys of the witnesses allowed to countersign. A line that is
    not a signature, or that does not verify, is a 422; a witness not configured is a 403; a second
    countersignature by the same witness is a 409.
    """
    line = signature_line.strip()
    text, _ = split_note(checkpoint.note)
    try:
        _, signatures = split_note(text + "\n" + line + "\n")
    except NoteError as exc:
        raise Unprocessable.field("signature_line", str(exc)) from exc
    signature = signatures[0]
    witnesses = {k.name: k for k in (parse_verifier_key(v) for v in witness_keys)}
    key = witnesses.get(signature.name)
    if key is None:
        raise UnknownWitness(f"{signature.name} is not a configured witness.")
    if signature.key_hash != key.hash or not key.verify(text.encode(), signature.signature):
        raise Unprocessable.field("signature_line", "the signature does not verify with the witness's key")
    exists = (await session.execute(select(WitnessSignature.id).where(
        WitnessSignature.checkpoint_size == checkpoint.size, WitnessSignature.witness_name == key.name))).first()
    if exists is not None:
        raise AlreadyCosigned(f"{key.name} has countersigned this checkpoint already.")
    row = WitnessSignature(checkpoint_size=checkpoint.size, witness_name=key.name, line=line, received_at=now)
    session.add(row)
    await session.flush()
    return row


async def get_leaf(session: AsyncSession, seq: int) -> LedgerLeaf:
    """A ledger entry by index; 404 when there is none (or the index cannot be one)."""
    found = await session.get(LedgerLeaf, seq) if 0 <= seq < MAX_INDEX else None
    if found is None:
        raise LeafNotFound(f"No leaf {seq}.")
    return found

