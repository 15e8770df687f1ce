"""Verification (验真): is this guarantee genuine, altered, unknown or revoked — and why.

The service repeats the offline verifier's checks on its own records: the stored document still
hashes to the hash in the ledger, the issuer's signature holds under a key valid on the signing
date, and the ledger entry is included in the latest signed checkpoint. A presented document hash
is compared with the current version and with every earlier (amended) version. Verdicts:
``unknown`` (no issued guarantee has this number), ``altered`` (the presented document, or the
record, does not match what was signed and logged), ``revoked`` (genuine but no longer in force:
released, paid, expired, or an earlier version superseded by an amendment) and ``genuine``.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.guarantee.domain import ledger
from bianmin.guarantee.models import Checkpoint, Guarantee, LedgerLeaf, SigningKey
from bianmin.guarantee.verifier import merkle
from bianmin.guarantee.verifier.notes import VerifierKey, canonical_bytes, document_hash

ENDED = {"released": "the guarantee was released", "paid": "a demand was paid and the guarantee ended",
         "expired": "the guarantee expired"}


@dataclass
class Verdict:
    """The verdict and the reasons behind it."""

    verdict: str
    status: str | None = None
    reasons: list[str] = field(default_factory=list)


async def _record_checks(session: AsyncSession, guarantee: Guarantee, checkpoint: Checkpoint) -> list[str]:
    """The problems found in the service's own record (empty when it is sound)."""
    problems: list[str] = []
    document: dict[str, Any] = json.loads(guarantee.document or "{}")
    if document_hash(document) != guarantee.document_hash:
        problems.append("the stored document no longer hashes to its recorded hash")
    key = (await session.execute(select(SigningKey).where(SigningKey.name == guarantee.key_name))).scalar_one_or_none()
    if key is None:
        problems.append("the signing key is not published")
    else:
        signed_on = date.fromisoformat(str(document.get("signed_at", "1970-01-01"))[:10])
        if signed_on < key.valid_from or (key.valid_to is not None and signed_on > key.valid_to):
            problems.append(f"the key {key.name} was not valid on {signed_on}")
        public = VerifierKey(key.name, base64.b64decode(key.public_key))
        if not public.verify(canonical_bytes(document), base64.b64decode(guarantee.signature or "")):
            problems.append("the issuer's signature does not match the document")
    leaf = await session.get(LedgerLeaf, guarantee.leaf_index)
    if leaf is None or json.loads(leaf.entry).get("document_hash") != guarantee.document_hash:
        problems.append("the ledger does not record this document")
    elif leaf.seq >= checkpoint.size:
        problems.append("the ledger entry is newer than the latest checkpoint")
    else:
        path = await ledger.inclusion_proof(session, leaf.seq, checkpoint.size)
        if not merkle.verify_inclusion(leaf.seq, checkpoint.size, merkle.leaf_hash(leaf.entry.encode("utf-8")), path,
                                       bytes.fromhex(checkpoint.root)):
            problems.append("the ledger entry is not included in the signed checkpoint")
    return problems


async def verify(session: AsyncSession, number: str, *, presented_hash: str | None,
                 checkpoint: Checkpoint) -> Verdict:
    """Verify a guarantee by number, and optionally the hash of the document its holder presents."""
    guarantee = (await session.execute(select(Guarantee).where(Guarantee.number == number))).scalar_one_or_none()
    if guarantee is None or guarantee.document is None:
        return Verdict("unknown", reasons=["no issued guarantee has this number"])
    problems = await _record_checks(session, guarantee, checkpoint)
    if problems:
        return Verdict("altered", guarantee.status, problems)
    reasons = [f"signed by {guarantee.issuer_code} with key {guarantee.key_name}",
               f"recorded in the ledger at leaf {guarantee.leaf_index}, included in the checkpoint of size "
               f"{checkpoint.size}"]
    if presented_hash is not None and presented_hash.lower() != guarantee.document_hash:
        versions = await _earlier_hashes(session, guarantee)
        if presented_hash.lower() in versions:
            return Verdict("revoked", guarantee.status,
                           [f"this is an earlier version, superseded by amendment {guarantee.amendment_count}", *reasons])
        return Verdict("altered", guarantee.status, ["the presented document differs from every signed version"])
    if guarantee.status in ENDED:
        return Verdict("revoked", guarantee.status, [ENDED[guarantee.status], *reasons])
    if guarantee.status == "claimed":
        reasons.append("a demand is under examination")
    return Verdict("genuine", guarantee.status, reasons)


async def _earlier_hashes(session: AsyncSession, guarantee: Guarantee) -> set[str]:
    rows = (await session.execute(select(LedgerLeaf.entry).where(LedgerLeaf.guarantee_number == guarantee.number,
                                                                 LedgerLeaf.kind.in_(("issued", "amended"))))).scalars()
    return {str(json.loads(e).get("document_hash")) for e in rows}
