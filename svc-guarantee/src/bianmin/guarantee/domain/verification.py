"""Verification (验真): is this guarantee genuine, altered, unknown or revoked — and every reason why.

A document is checked as the offline verifier would, but against this service's own ledger:

1. **document** — its canonical bytes (:func:`~bianmin.guarantee.verifier.notes.canonical_bytes`)
   hash to a version the ledger recorded for that number (the issue or an amendment); the newest
   such version is current, earlier ones are superseded;
2. **signature** — the issuer's Ed25519 signature covers those bytes, under a key that belongs to
   the guarantee's issuer and was valid on the day that version was signed (the day of its ledger
   entry, or the document's ``signed_at`` when no entry matches);
3. **ledger** — that version's entry is included in the latest signed checkpoint (its inclusion
   proof is recomputed from stored hashes and checked against the checkpoint's root);
4. **status** — the guarantee is still in force (``issued``, or ``claimed`` with a demand under
   examination) and the version is the current one.

Verdicts: ``unknown`` (no issued guarantee has the number), ``altered`` (check 1, 2 or 3 fails),
``revoked`` (1–3 hold, 4 does not: released, paid, expired, or superseded by an amendment) and
``genuine``. Every check is reported; the reasons list the failed checks first.

``GET /guarantees/{number}/verify`` checks the stored record this way (a tampered database shows as
``altered``), optionally comparing the hash its holder presents; ``POST /guarantees/verify``
checks the whole document the holder uploads with its signature.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.guarantee.domain import guarantees, ledger
from bianmin.guarantee.domain.errors import GuaranteeNotIssued
from bianmin.guarantee.domain.keys import issuer_owner, key_named, published_log_key
from bianmin.guarantee.models import Checkpoint, Guarantee, LedgerLeaf
from bianmin.guarantee.verifier.notes import NoteError, VerifierKey, canonical_bytes, document_hash
from bianmin.kit import merkle

CheckName = Literal["record", "document", "signature", "ledger", "status"]
VerdictName = Literal["genuine", "altered", "unknown", "revoked"]
ENDED = {"released": "the guarantee was released", "paid": "a demand was paid and the guarantee ended",
         "expired": "the guarantee expired"}
VERSION_KINDS = ("issued", "amended")


@dataclass(frozen=True)
class Check:
    """One check: its name, whether it held, and why."""

    name: CheckName
    ok: bool
    reason: str


@dataclass
class Verdict:
    """The verdict, the guarantee's status, and every check behind it."""

    verdict: VerdictName
    status: str | None = None
    checks: list[Check] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        """The reasons, failed checks first."""
        return [c.reason for c in self.checks if not c.ok] + [c.reason for c in self.checks if c.ok]


def _unknown(reason: str) -> Verdict:
    return Verdict("unknown", None, [Check("record", False, reason)])


async def _versions(session: AsyncSession, number: str) -> list[LedgerLeaf]:
    """The ledger entries of every signed version of a guarantee, oldest first."""
    return list((await session.execute(select(LedgerLeaf).where(
        LedgerLeaf.guarantee_number == number, LedgerLeaf.kind.in_(VERSION_KINDS)).order_by(LedgerLeaf.seq))).scalars())


def _entry(leaf: LedgerLeaf) -> dict[str, Any]:
    return json.loads(leaf.entry)


def _signed_on(leaf: LedgerLeaf | None, document: dict[str, Any]) -> date | None:
    if leaf is not None:
        return datetime.fromisoformat(str(_entry(leaf)["at"])).astimezone(UTC).date()
    try:
        return datetime.fromisoformat(str(document.get("signed_at"))).astimezone(UTC).date()
    except ValueError:
        return None


async def _signature(session: AsyncSession, guarantee: Guarantee, document: dict[str, Any], message: bytes,
                     signature: str, key_name: str | None, signed_on: date | None) -> Check:
    name = key_name or document.get("key_name")
    key = await key_named(session, name) if isinstance(name, str) else None
    if key is None:
        return Check("signature", False, f"the signing key {name!r} is not a published key")
    if key.owner != issuer_owner(guarantee.issuer_code):
        return Check("signature", False, f"the key {key.name} is not a key of the issuer {guarantee.issuer_code}")
    if signed_on is None or signed_on < key.valid_from or (key.valid_to is not None and signed_on > key.valid_to):
        return Check("signature", False, f"the key {key.name} was not valid when the document was signed ({signed_on})")
    try:
        raw = base64.b64decode(signature, validate=True)
    except binascii.Error:
        return Check("signature", False, "the signature is not base64")
    if not VerifierKey(key.name, base64.b64decode(key.public_key)).verify(message, raw):
        return Check("signature", False, f"the signature does not match the document under the key {key.name}")
    return Check("signature", True, f"signed by the issuer {guarantee.issuer_code} with the key {key.name}, "
                                    f"valid on {signed_on}")


async def _ledger(session: AsyncSession, leaf: LedgerLeaf | None, checkpoint: Checkpoint | None) -> Check:
    if leaf is None:
        return Check("ledger", False, "no ledger entry records this document")
    if checkpoint is None or leaf.seq >= checkpoint.size:
        return Check("ledger", False, f"the ledger entry {leaf.seq} is not covered by a signed checkpoint")
    path = await ledger.inclusion_proof(session, leaf.seq, checkpoint.size)
    if not merkle.verify_inclusion(leaf.seq, checkpoint.size, merkle.leaf_hash(leaf.entry.encode("utf-8")), path,
                                   bytes.fromhex(checkpoint.root)):
        return Check("ledger", False, "the ledger entry is not included in the signed checkpoint")
    return Check("ledger", True, f"recorded in the ledger at leaf {leaf.seq}, included in the checkpoint of size "
                                 f"{checkpoint.size}")


def _status(guarantee: Guarantee, superseded_by: int | None) -> Check:
    if superseded_by is not None:
        return Check("status", False, f"this is an earlier version, superseded by amendment {superseded_by}")
    if guarantee.status in ENDED:
        return Check("status", False, ENDED[guarantee.status])
    if guarantee.status == "claimed":
        return Check("status", True, "in force; a demand is under examination")
    return Check("status", True, "in force")


def _decide(guarantee: Guarantee, checks: list[Check]) -> Verdict:
    if not all(c.ok for c in checks if c.name != "status"):
        return Verdict("altered", guarantee.status, checks)
    if not all(c.ok for c in checks):
        return Verdict("revoked", guarantee.status, checks)
    return Verdict("genuine", guarantee.status, checks)


async def _issued(session: AsyncSession, number: object) -> Guarantee | None:
    if not isinstance(number, str) or not number:
        return None
    found = (await session.execute(select(Guarantee).where(Guarantee.number == number))).scalar_one_or_none()
    return None if found is None or found.document is None else found


async def verify_document(session: AsyncSession, document: dict[str, Any], *, signature: str, key_name: str | None,
                          checkpoint: Checkpoint | None) -> Verdict:
    """Verify a whole presented document with its signature: every check, and the verdict."""
    guarantee = await _issued(session, document.get("number"))
    if guarantee is None:
        return _unknown("no issued guarantee has the number this document carries")
    try:
        message = canonical_bytes(document)
    except NoteError as exc:
        return Verdict("altered", guarantee.status, [Check("document", False, f"not a signed document: {exc}")])
    digest = document_hash(document)
    versions = await _versions(session, guarantee.number)
    matching = next((v for v in reversed(versions) if _entry(v).get("document_hash") == digest), None)
    superseded_by: int | None = None
    if matching is None:
        checks = [Check("document", False, "the document differs from every version the issuer signed and logged")]
    else:
        current = versions[-1].seq == matching.seq
        if not current:
            superseded_by = guarantee.amendment_count
        amendment = _entry(matching).get("amendment", 0)
        checks = [Check("document", True, f"the document is the {'current' if current else 'an earlier'} version "
                                          f"(amendment {amendment}) recorded in the ledger")]
    checks.append(await _signature(session, guarantee, document, message, signature, key_name,
                                   _signed_on(matching, document)))
    checks.append(await _ledger(session, matching, checkpoint))
    checks.append(_status(guarantee, superseded_by))
    return _decide(guarantee, checks)


async def verify(session: AsyncSession, number: str, *, presented_hash: str | None,
                 checkpoint: Checkpoint | None) -> Verdict:
    """Verify the stored record of a guarantee, and optionally the hash of the document its holder presents."""
    guarantee = await _issued(session, number)
    if guarantee is None:
        return _unknown("no issued guarantee has this number")
    stored: dict[str, Any] = json.loads(guarantee.document or "{}")
    verdict = await verify_document(session, stored, signature=guarantee.signature or "",
                                    key_name=guarantee.key_name, checkpoint=checkpoint)
    if verdict.verdict == "unknown":
        verdict = Verdict("altered", guarantee.status,
                          [Check("record", False, "the stored document no longer carries this guarantee's number")])
    if presented_hash is None or presented_hash.lower() == guarantee.document_hash or verdict.verdict == "altered":
        return verdict
    hashes = [_entry(v).get("document_hash") for v in await _versions(session, guarantee.number)]
    if presented_hash.lower() in hashes:
        checks = [c for c in verdict.checks if c.name != "status"]
        return Verdict("revoked", guarantee.status, [*checks, _status(guarantee, guarantee.amendment_count)])
    return Verdict("altered", guarantee.status,
                   [Check("document", False, "the presented document differs from every signed version")])


@dataclass(frozen=True)
class Bundle:
    """What ``bianmin-guarantee-verify`` needs offline: the signed document, its entry and proof, the keys.

    ``history`` is every ledger entry of the guarantee up to the checkpoint, each with its own
    inclusion proof, so the verifier replays its current state (released, paid, ...) offline.
    """

    signed: dict[str, Any]
    leaf: LedgerLeaf
    tree_size: int
    inclusion_proof: list[bytes]
    checkpoint: str
    issuer_key: str
    log_key: str
    history: list[tuple[LedgerLeaf, list[bytes]]]


async def offline_bundle(session: AsyncSession, number: str, *, origin: str) -> Bundle:
    """The offline verification bundle of an issued guarantee, proven against the latest checkpoint."""
    guarantee = await guarantees.get(session, number)
    signed = guarantees.signed_document(guarantee)
    if signed is None or guarantee.leaf_index is None:
        raise GuaranteeNotIssued(f"Guarantee {number} is not issued.")
    checkpoint = await ledger.require_checkpoint(session)
    log = await published_log_key(session, origin)
    leaf = await ledger.get_leaf(session, guarantee.leaf_index)
    issuer = await key_named(session, guarantee.key_name or "")
    # An issued guarantee has its leaf signed under a checkpoint, so the log key and its issuer's key exist.
    assert issuer is not None
    assert log is not None
    path = await ledger.inclusion_proof(session, leaf.seq, checkpoint.size)
    entries = (await session.execute(select(LedgerLeaf).where(
        LedgerLeaf.guarantee_number == number, LedgerLeaf.seq < checkpoint.size).order_by(LedgerLeaf.seq))).scalars()
    history = [(entry, await ledger.inclusion_proof(session, entry.seq, checkpoint.size)) for entry in entries]
    return Bundle(signed=signed, leaf=leaf, tree_size=checkpoint.size, inclusion_proof=path,
                  checkpoint=checkpoint.note, issuer_key=issuer.verifier_key, log_key=log.verifier_key,
                  history=history)
