"""The standalone verifier: checks a guarantee with public data only, without any database.

Given the signed document (``{"document": {...}, "signature": base64}``), the ledger proof
(``{"leaf_index", "tree_size", "entry", "inclusion_proof": [hex, ...]}``), a signed checkpoint and
the issuer's public key (and optionally the log's), :func:`verify_bundle` checks that

1. the document's canonical bytes hash to the ``document_hash`` the ledger entry records, for the same number;
2. the issuer's Ed25519 signature covers exactly those canonical bytes;
3. the entry, hashed as a leaf, is in the tree of the checkpoint's size by the inclusion proof;
4. the checkpoint is signed by the log's key (when that key is given).

Everything it needs is served by the public routes, so anyone can repeat the check offline.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

from bianmin.guarantee.verifier.merkle import leaf_hash, verify_inclusion
from bianmin.guarantee.verifier.notes import (
    NoteError,
    VerifierKey,
    canonical_bytes,
    document_hash,
    parse_checkpoint,
    parse_verifier_key,
    split_note,
    verify_note,
)

__all__ = ["Check", "Report", "load_key", "verify_bundle"]


@dataclass(frozen=True)
class Check:
    """One check of the verification, passed or failed, with its reason."""

    name: str
    ok: bool
    reason: str


@dataclass
class Report:
    """The outcome of a verification: every check made, in order."""

    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every check passed."""
        return bool(self.checks) and all(c.ok for c in self.checks)

    def add(self, name: str, ok: bool, reason: str) -> bool:
        """Record one check; returns its outcome."""
        self.checks.append(Check(name, ok, reason))
        return ok


def load_key(text: str, *, name: str = "issuer") -> VerifierKey:
    """A public key from a C2SP verifier key (``name+hash+base64``) or base64 of the 32 raw bytes."""
    text = text.strip()
    try:
        return parse_verifier_key(text)
    except NoteError:
        pass
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise NoteError("a key is a C2SP verifier key or base64 of 32 bytes") from exc
    if len(raw) != 32:
        raise NoteError("an Ed25519 public key is 32 bytes")
    return VerifierKey(name, raw)


def _signature_ok(report: Report, signed: dict[str, Any], issuer_key: VerifierKey) -> None:
    try:
        signature = base64.b64decode(str(signed.get("signature", "")), validate=True)
        message = canonical_bytes(signed["document"])
    except (binascii.Error, NoteError, KeyError) as exc:
        report.add("signature", False, f"the signed document is malformed: {exc}")
        return
    good = issuer_key.verify(message, signature)
    report.add("signature", good, "the issuer's Ed25519 signature covers the canonical document" if good
               else "the signature does not match the document and the issuer's key")


def verify_bundle(signed: dict[str, Any], proof: dict[str, Any], checkpoint_note: str,
                  issuer_key: VerifierKey, log_key: VerifierKey | None = None) -> Report:
    """Check a guarantee document, its signature, its inclusion proof and a checkpoint."""
    report = Report()
    document = signed.get("document")
    entry = proof.get("entry")
    if not isinstance(document, dict) or not isinstance(entry, dict):
        report.add("format", False, "the document and the ledger entry must be JSON objects")
        return report
    try:
        digest = document_hash(document)
    except NoteError as exc:
        report.add("document", False, str(exc))
        return report
    same = entry.get("document_hash") == digest and entry.get("number") == document.get("number")
    report.add("document", same, "the document is the one the ledger recorded" if same
               else "the document differs from the one the ledger recorded (altered or another version)")
    _signature_ok(report, signed, issuer_key)
    try:
        text, _ = split_note(checkpoint_note)
        checkpoint = parse_checkpoint(text)
    except NoteError as exc:
        report.add("checkpoint", False, f"the checkpoint is malformed: {exc}")
        return report
    if log_key is not None:
        try:
            verify_note(checkpoint_note, log_key)
            report.add("checkpoint", True, f"the checkpoint is signed by the log key {log_key.name}")
        except NoteError as exc:
            report.add("checkpoint", False, str(exc))
    try:
        index, size = int(proof["leaf_index"]), int(proof["tree_size"])
        path = [bytes.fromhex(h) for h in proof.get("inclusion_proof", [])]
        leaf = leaf_hash(canonical_bytes(entry))
    except (KeyError, TypeError, ValueError) as exc:
        report.add("inclusion", False, f"the proof is malformed: {exc}")
        return report
    if size != checkpoint.size:
        report.add("inclusion", False, f"the proof is for size {size}, the checkpoint for {checkpoint.size}")
        return report
    included = verify_inclusion(index, size, leaf, path, checkpoint.root)
    report.add("inclusion", included, f"the entry is leaf {index} of the ledger of size {size}" if included
               else "the inclusion proof does not lead to the checkpoint's root")
    return report
