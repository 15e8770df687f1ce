"""The standalone verifier: checks a guarantee with public data only, without any database.

Given the signed document (``{"document": {...}, "signature": base64}``), the ledger proof
(``{"leaf_index", "tree_size", "entry", "inclusion_proof": [hex, ...], "history": [...]}``), a
signed checkpoint, the issuer's public key and the log's, :func:`verify_bundle` checks that

1. the document's canonical bytes hash to the ``document_hash`` the ledger entry records, for the same number;
2. the issuer's Ed25519 signature covers exactly those canonical bytes;
3. the checkpoint is signed by the log's key. Without that key anyone could mint a checkpoint over
   a tree of their own making, so a bundle checked without it is never called genuine;
4. the entry, hashed as a leaf, is in the tree of the checkpoint's size by the inclusion proof;
5. every entry of the guarantee's ``history`` (each ``{"leaf_index", "entry", "inclusion_proof"}``)
   is in that same tree, and replayed in order they give its current state
   (:mod:`bianmin.guarantee.verifier.state`): issued, amended, claimed, paid, released or expired.
   A document superseded by a later amendment fails this check.

Everything it needs is served by the public routes, so anyone can repeat the check offline.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

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
from bianmin.guarantee.verifier.state import StateError, replay
from bianmin.kit.merkle import leaf_hash, verify_inclusion

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
    state: str | None = None

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
    if log_key is None:
        report.add("checkpoint", False, "no log key given: the checkpoint's signature cannot be checked")
    else:
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
    _state_ok(report, proof.get("history"), number=document.get("number"), document_leaf=index, size=size,
              root=checkpoint.root)
    return report


def _proven_entries(history: Any, *, number: Any, size: int, root: bytes) -> list[tuple[int, dict[str, Any]]]:
    """The history's entries in ledger order, each proven in the tree; StateError naming the first fault."""
    if not isinstance(history, list) or not history:
        raise StateError("the bundle lists no ledger history of the guarantee")
    proven: list[tuple[int, dict[str, Any]]] = []
    for item in history:
        try:
            index, entry = int(item["leaf_index"]), item["entry"]
            path = [bytes.fromhex(h) for h in item.get("inclusion_proof", [])]
            leaf = leaf_hash(canonical_bytes(entry))
        except (KeyError, TypeError, ValueError) as exc:
            raise StateError(f"a history item is malformed: {exc}") from exc
        if not isinstance(entry, dict) or entry.get("number") != number:
            raise StateError(f"leaf {index} is not an entry of guarantee {number}")
        if proven and index <= proven[-1][0]:
            raise StateError("the history is not in ledger order")
        if not verify_inclusion(index, size, leaf, path, root):
            raise StateError(f"leaf {index} of the history is not in the checkpoint's tree")
        proven.append((index, entry))
    return proven


def _state_ok(report: Report, history: Any, *, number: Any, document_leaf: int, size: int, root: bytes) -> None:
    try:
        proven = _proven_entries(history, number=number, size=size, root=root)
        state = replay(entry for _, entry in proven)
    except StateError as exc:
        report.add("state", False, str(exc))
        return
    if document_leaf not in {index for index, _ in proven}:
        report.add("state", False, "the document's own entry is missing from the history")
        return
    later = [index for index, entry in proven if index > document_leaf and entry.get("kind") in ("issued", "amended")]
    if later:
        report.add("state", False, f"the document was superseded by the amendment at leaf {later[0]}")
        return
    report.state = state
    report.add("state", True, f"the ledger's {len(proven)} entries of the guarantee leave it {state}")
