"""Canonical documents, Ed25519 keys and C2SP signed notes: what a signature covers, exactly.

**Canonical document rule.** A guarantee document is signed and hashed as its canonical JSON: UTF-8,
object keys sorted by code point at every level, no insignificant whitespace (separators ``,`` and
``:``), non-ASCII characters written as themselves (not ``\\u`` escapes), and no floating-point
numbers (amounts travel as decimal strings such as ``"20000.00"``, so every implementation reads the
same bytes). ``document_hash`` is the hex SHA-256 of those bytes.

**Signed notes** follow C2SP signed-note: a UTF-8 text ending in a newline, a blank line, then one
line per signature, ``— <key name> <base64(key hash ‖ signature)>``. For Ed25519 the key hash is
the first four bytes of SHA-256(name ‖ "\\n" ‖ 0x01 ‖ public key) and a verifier key is written
``<name>+<key hash hex>+<base64(0x01 ‖ public key)>``. Checkpoints (C2SP tlog-checkpoint) are notes
whose text is the origin line, the tree size in decimal and the base64 root hash.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALG_ED25519 = 0x01
SIGNATURE_PREFIX = "— "


class NoteError(ValueError):
    """A note, key or checkpoint that is malformed or does not verify."""


def _reject_floats(value: Any, path: str = "$") -> None:
    if isinstance(value, float):
        raise NoteError(f"{path}: floating-point numbers are not allowed in a canonical document")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise NoteError(f"{path}: object keys must be strings")
            _reject_floats(item, f"{path}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            _reject_floats(item, f"{path}[{n}]")


def canonical_bytes(document: Any) -> bytes:
    """The canonical JSON encoding of a document (see the module docstring for the rule)."""
    _reject_floats(document)
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def document_hash(document: Any) -> str:
    """The hex SHA-256 of a document's canonical bytes."""
    return hashlib.sha256(canonical_bytes(document)).hexdigest()


def key_hash(name: str, public_key: bytes) -> bytes:
    """The four-byte C2SP key hash of an Ed25519 key under ``name``."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([ALG_ED25519]) + public_key).digest()[:4]


def raw_public_key(key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of an Ed25519 public key."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def verifier_key(name: str, public_key: bytes) -> str:
    """The C2SP verifier key string ``name+hash+base64(0x01 ‖ key)``."""
    if not name or any(c.isspace() or c == "+" for c in name):
        raise NoteError("a key name must be non-empty, without spaces or '+'")
    encoded = base64.b64encode(bytes([ALG_ED25519]) + public_key).decode()
    return f"{name}+{key_hash(name, public_key).hex()}+{encoded}"


@dataclass(frozen=True)
class VerifierKey:
    """A named Ed25519 public key that checks note signatures."""

    name: str
    public_key: bytes

    @property
    def hash(self) -> bytes:
        """The four-byte key hash that prefixes each signature."""
        return key_hash(self.name, self.public_key)

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's Ed25519 signature of ``message``."""
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


def parse_verifier_key(text: str) -> VerifierKey:
    """Parse ``name+hash+base64`` (C2SP); NoteError when malformed or the hash does not match."""
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise NoteError("a verifier key reads name+hash+base64")
    name, hash_hex, encoded = parts
    try:
        raw = base64.b64decode(encoded, validate=True)
        expected = bytes.fromhex(hash_hex)
    except (binascii.Error, ValueError) as exc:
        raise NoteError("a verifier key carries hex and base64") from exc
    if len(raw) != 33 or raw[0] != ALG_ED25519:
        raise NoteError("only Ed25519 verifier keys are supported")
    key = VerifierKey(name, raw[1:])
    if key.hash != expected:
        raise NoteError("the verifier key's hash does not match its name and key")
    return key


def sign_line(name: str, private_key: Ed25519PrivateKey, text: bytes) -> str:
    """One signature line of a note: ``— name base64(key hash ‖ signature)``."""
    public = raw_public_key(private_key.public_key())
    signature = key_hash(name, public) + private_key.sign(text)
    return f"{SIGNATURE_PREFIX}{name} {base64.b64encode(signature).decode()}\n"


def sign_note(text: str, name: str, private_key: Ed25519PrivateKey) -> str:
    """A signed note: the text, a blank line, and one signature line."""
    if not text.endswith("\n"):
        raise NoteError("a note's text ends with a newline")
    return text + "\n" + sign_line(name, private_key, text.encode())


@dataclass(frozen=True)
class NoteSignature:
    """One signature line of a note."""

    name: str
    key_hash: bytes
    signature: bytes


def split_note(note: str) -> tuple[str, list[NoteSignature]]:
    """The text of a note and its signature lines; NoteError when malformed."""
    text, sep, block = note.rpartition("\n\n")
    if not sep or not text:
        raise NoteError("a signed note is text, a blank line, then signature lines")
    text += "\n"
    signatures: list[NoteSignature] = []
    for line in block.split("\n"):
        if not line:
            continue
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError("every signature line starts with '— '")
        fields = line[len(SIGNATURE_PREFIX):].split(" ")
        if len(fields) != 2:
            raise NoteError("a signature line reads '— name signature'")
        try:
            raw = base64.b64decode(fields[1], validate=True)
        except binascii.Error as exc:
            raise NoteError("a signature is base64") from exc
        if len(raw) < 5:
            raise NoteError("a signature is too short")
        signatures.append(NoteSignature(fields[0], raw[:4], raw[4:]))
    if not signatures:
        raise NoteError("the note carries no signature")
    return text, signatures


def verify_note(note: str, key: VerifierKey) -> str:
    """The text of ``note`` when ``key`` signed it; NoteError otherwise."""
    text, signatures = split_note(note)
    for sig in signatures:
        if sig.name == key.name and sig.key_hash == key.hash and key.verify(text.encode(), sig.signature):
            return text
    raise NoteError(f"no valid signature by {key.name}")


@dataclass(frozen=True)
class Checkpoint:
    """A log's signed statement of its size and root."""

    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        """The checkpoint body: origin, size, base64 root, each on its own line."""
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a checkpoint body (or the text of a signed checkpoint note)."""
    lines = text.split("\n")
    if len(lines) < 4 or not lines[0]:
        raise NoteError("a checkpoint has an origin, a size and a root line")
    try:
        size = int(lines[1])
        root = base64.b64decode(lines[2], validate=True)
    except (ValueError, binascii.Error) as exc:
        raise NoteError("a checkpoint's size is decimal and its root base64") from exc
    # C2SP tlog-checkpoint: the size is an ASCII decimal; int() alone also takes "٣", "+3" and "03".
    if lines[1] != str(size) or size < 0 or len(root) != 32:
        raise NoteError("a checkpoint's size is a non-negative ASCII decimal and its root 32 bytes")
    return Checkpoint(lines[0], size, root)
