"""The bidder-side sealing library: seal a bid package, reveal it at the opening, verify receipts.

Third-party bidder apps use this module on their own machines; it imports only the standard
library and ``cryptography``, never the server.

Sealing format (version ``bianmin.bid.v2``):

- The **bid package** is a JSON object ``{"price": "<decimal yuan>", "duration_days": <int>,
  "project_manager": "<name>", "document_hashes": ["<sha-256 hex>", ...]}`` encoded canonically:
  UTF-8, keys sorted, no insignificant whitespace (``canonical_json``).
- The package bytes are **padded** to one fixed size, ``PACKAGE_BYTES`` (8 KiB): a 0x80 byte then
  zero bytes (ISO/IEC 7816-4 padding). 招标投标法 §22 and 《电子招标投标办法》 keep a bid secret until
  the opening, and a ciphertext's length would otherwise tell the price's number of digits (and
  the number of documents); every ciphertext is ``PACKAGE_BYTES`` + 16 bytes (``SEALED_BYTES``),
  the platform refuses any other length, and opening strips the padding. A package too long
  for the size (more than any well-formed bid: 100 document hashes are about 6.7 KB) is refused.
- The client draws a random 256-bit **data key** and a 96-bit nonce and encrypts the padded package
  with AES-256-GCM; the associated data is ``"<project>|<section>|<bidder credit code>"`` so a ciphertext
  cannot be moved to another tender, section or bidder.
- The **commitment** is SHA-256 (hex) over the canonical JSON of
  ``["bianmin.bid.v2", project, section, bidder, base64(package bytes, unpadded), salt hex]`` with a random
  256-bit salt. The platform receives ``{ciphertext, nonce, commitment}`` (base64, base64, hex)
  and, when the tender has an escrow key, ``escrow_wrapped_key``.
- At the opening the bidder **reveals** ``{data_key, salt}``; the platform decrypts, recomputes the
  commitment and refuses a mismatch, so neither side can swap a bid after the deadline.
- **Escrow** (optional backup decryption): the data key and the salt (32 + 32 bytes) are also
  wrapped to the tender's X25519 escrow public key: an ephemeral X25519 key agreement, HKDF-SHA256
  (salt = ephemeral public key, info = ``bianmin.escrow.v1|`` + associated data) to a
  key-encryption key, AES-256-GCM over data key ‖ salt. ``escrow_wrapped_key`` =
  base64(ephemeral public 32 B ‖ nonce 12 B ‖ ciphertext 80 B).
  The escrow private key exists only as Shamir shares held by custodians.
- **Receipts** are Ed25519 signatures over the canonical JSON of ``{project, section, bidder,
  commitment, received_at}``; ``verify_receipt`` checks one against the platform's public key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT = "bianmin.bid.v2"
ESCROW_INFO = b"bianmin.escrow.v1|"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
PACKAGE_BYTES = 8192
SEALED_BYTES = PACKAGE_BYTES + TAG_BYTES
PAD_MARK = b"\x80"


class SealError(ValueError):
    """A sealed bid that cannot be opened: wrong key, tampered ciphertext, or broken commitment."""


@dataclass(frozen=True)
class SealedBid:
    """What the bidder sends to the platform before the deadline."""

    ciphertext: str
    nonce: str
    commitment: str
    escrow_wrapped_key: str | None = None

    def as_request(self) -> dict[str, Any]:
        """The JSON body fields of a bid submission."""
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class BidSecret:
    """What only the bidder keeps until the opening: the data key and the commitment's salt."""

    data_key: str
    salt: str

    def as_reveal(self) -> dict[str, str]:
        """The JSON body of a reveal at the opening."""
        return {"data_key": self.data_key, "salt": self.salt}


def canonical_json(value: Any) -> bytes:
    """UTF-8 JSON with sorted keys and no whitespace: the byte form every hash here is taken over."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def associated_data(project: str, section: str, bidder: str) -> bytes:
    """The AES-GCM associated data binding a ciphertext to its tender, section and bidder."""
    return f"{project}|{section}|{bidder}".encode()


def commitment_of(*, project: str, section: str, bidder: str, plaintext: bytes, salt: str) -> str:
    """The commitment (SHA-256 hex) over a bid's context, package bytes and salt."""
    encoded = canonical_json([FORMAT, project, section, bidder, base64.b64encode(plaintext).decode(), salt])
    return hashlib.sha256(encoded).hexdigest()


def pad(plaintext: bytes) -> bytes:
    """The package bytes padded to ``PACKAGE_BYTES`` (module docstring: no length tells the price's digits)."""
    if len(plaintext) >= PACKAGE_BYTES:
        raise SealError(f"the bid package is {len(plaintext)} bytes; it must be under {PACKAGE_BYTES}")
    return plaintext + PAD_MARK + bytes(PACKAGE_BYTES - len(plaintext) - 1)


def unpad(padded: bytes) -> bytes:
    """The package bytes inside a padded block; SealError for a block that is not padded as ``pad`` does."""
    stripped = padded.rstrip(b"\x00")
    if len(padded) != PACKAGE_BYTES or not stripped.endswith(PAD_MARK):
        raise SealError("the opened bid is not padded to the package size")
    return stripped[:-1]


def _b64decode(value: str, name: str, length: int | None = None) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SealError(f"{name} is not base64") from exc
    if length is not None and len(raw) != length:
        raise SealError(f"{name} must be {length} bytes")
    return raw


def escrow_secret(unwrapped: bytes) -> tuple[bytes, str]:
    """The data key and the salt (hex) inside an unwrapped escrow blob."""
    if len(unwrapped) != 2 * KEY_BYTES:
        raise SealError("the escrow blob does not hold a data key and a salt")
    return unwrapped[:KEY_BYTES], unwrapped[KEY_BYTES:].hex()


def wrap_for_escrow(data_key: bytes, escrow_public_key: bytes, aad: bytes) -> str:
    """A secret (data key ‖ salt) wrapped to the tender's X25519 escrow public key (module docstring)."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(escrow_public_key))
    kek = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=ephemeral_public, info=ESCROW_INFO + aad).derive(shared)
    nonce = os.urandom(NONCE_BYTES)
    return base64.b64encode(ephemeral_public + nonce + AESGCM(kek).encrypt(nonce, data_key, aad)).decode()


def unwrap_from_escrow(wrapped: str, escrow_private_key: bytes, aad: bytes) -> bytes:
    """The wrapped secret (data key ‖ salt) of an escrow blob, given the recovered escrow private key."""
    raw = _b64decode(wrapped, "escrow_wrapped_key")
    if len(raw) != 32 + NONCE_BYTES + 2 * KEY_BYTES + 16:
        raise SealError("escrow_wrapped_key has the wrong length")
    ephemeral_public, nonce, body = raw[:32], raw[32:32 + NONCE_BYTES], raw[32 + NONCE_BYTES:]
    shared = X25519PrivateKey.from_private_bytes(escrow_private_key).exchange(
        X25519PublicKey.from_public_bytes(ephemeral_public))
    kek = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=ephemeral_public, info=ESCROW_INFO + aad).derive(shared)
    try:
        return AESGCM(kek).decrypt(nonce, body, aad)
    except InvalidTag as exc:
        raise SealError("the escrow key does not open this wrapped key") from exc


def generate_escrow_keypair() -> tuple[bytes, bytes]:
    """A fresh X25519 escrow key pair as raw bytes: (private, public)."""
    private = X25519PrivateKey.generate()
    raw_private = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                        serialization.NoEncryption())
    return raw_private, private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def seal(package: dict[str, Any], *, project: str, section: str, bidder: str,
         escrow_public_key: str | None = None) -> tuple[SealedBid, BidSecret]:
    """Encrypt a bid package for submission; keep the returned secret until the opening."""
    plaintext = canonical_json(package)
    data_key, nonce, salt = os.urandom(KEY_BYTES), os.urandom(NONCE_BYTES), os.urandom(32).hex()
    aad = associated_data(project, section, bidder)
    ciphertext = AESGCM(data_key).encrypt(nonce, pad(plaintext), aad)
    wrapped = None
    if escrow_public_key:
        wrapped = wrap_for_escrow(data_key + bytes.fromhex(salt),
                                  _b64decode(escrow_public_key, "escrow_public_key", 32), aad)
    sealed = SealedBid(ciphertext=base64.b64encode(ciphertext).decode(), nonce=base64.b64encode(nonce).decode(),
                       commitment=commitment_of(project=project, section=section, bidder=bidder,
                                                plaintext=plaintext, salt=salt),
                       escrow_wrapped_key=wrapped)
    return sealed, BidSecret(data_key=base64.b64encode(data_key).decode(), salt=salt)


def decrypt(*, ciphertext: str, nonce: str, data_key: bytes, project: str, section: str, bidder: str) -> bytes:
    """The (unpadded) package bytes of a sealed bid; SealError for a wrong key or a tampered ciphertext."""
    if len(data_key) != KEY_BYTES:
        raise SealError("data_key must be 32 bytes")
    try:
        padded = AESGCM(data_key).decrypt(_b64decode(nonce, "nonce", NONCE_BYTES),
                                          _b64decode(ciphertext, "ciphertext", SEALED_BYTES),
                                          associated_data(project, section, bidder))
    except InvalidTag as exc:
        raise SealError("the data key does not open this bid, or the ciphertext was altered") from exc
    return unpad(padded)


def unseal(*, ciphertext: str, nonce: str, commitment: str, data_key: str, salt: str,
           project: str, section: str, bidder: str) -> dict[str, Any]:
    """Decrypt a sealed bid with its revealed key and check it against its commitment."""
    plaintext = decrypt(ciphertext=ciphertext, nonce=nonce, data_key=_b64decode(data_key, "data_key", KEY_BYTES),
                        project=project, section=section, bidder=bidder)
    return check_commitment(plaintext, commitment=commitment, salt=salt, project=project, section=section, bidder=bidder)


def check_commitment(plaintext: bytes, *, commitment: str, salt: str, project: str, section: str,
                     bidder: str) -> dict[str, Any]:
    """The package of ``plaintext`` after checking it matches ``commitment``; SealError otherwise."""
    if commitment_of(project=project, section=section, bidder=bidder, plaintext=plaintext, salt=salt) != commitment:
        raise SealError("the revealed bid does not match its commitment")
    try:
        package = json.loads(plaintext)
    except ValueError as exc:
        raise SealError("the bid package is not JSON") from exc
    if not isinstance(package, dict):
        raise SealError("the bid package is not a JSON object")
    return package


def receipt_message(*, project: str, section: str, bidder: str, commitment: str, received_at: str) -> bytes:
    """The canonical bytes a submission receipt signs."""
    return canonical_json({"project": project, "section": section, "bidder": bidder,
                           "commitment": commitment, "received_at": received_at})


def verify_receipt(receipt: dict[str, Any], public_key: str) -> bool:
    """Whether a receipt's Ed25519 signature is the platform's (``public_key`` raw, base64)."""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key))
        message = receipt_message(project=receipt["project"], section=receipt["section"], bidder=receipt["bidder"],
                                  commitment=receipt["commitment"], received_at=receipt["received_at"])
        key.verify(base64.b64decode(receipt["signature"]), message)
    except (InvalidSignature, KeyError, ValueError, binascii.Error):
        return False
    return True
