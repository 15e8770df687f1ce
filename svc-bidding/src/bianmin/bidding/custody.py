"""The custodian-side library: a custodian's X25519 key, and escrow shares sealed to it.

Why: 招标投标法 §§34, 36 and 实施条例 §44 open the bids at the opening and not before, and
《电子招标投标办法》 has bidders encrypt their bids and decrypt them online at the opening, so
nobody may learn a bid earlier; the platform's backup decryption exists only for a bidder's
technical failure at the opening. A tender's escrow private key is therefore split k of n (Shamir, :mod:`bianmin.bidding.shamir`)
among n *distinct* custodian accounts, and each share is sealed to that custodian's own public key,
so the tender agent who asks for the split, the platform's database and whoever reads them hold
nothing that decrypts a bid; only k custodians, each with their own private key, do.

Format ``bianmin.custody.v1`` (``cryptography``'s primitives only, nothing home-made):

- each custodian keeps an **X25519** private key (RFC 7748) on their own device and registers the
  public key (32 bytes, base64) with their account;
- a share is sealed with **HPKE** (RFC 9180) in base mode, single-shot, with the suite
  DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM, through ``cryptography``'s ``hpke.Suite``;
  the HPKE ``info`` is ``bianmin.custody.v1|<project>|<custodian>|<x>``, so a sealed share cannot be
  moved to another tender, custodian or position;
- ``sealed`` = base64(the HPKE encapsulated key 32 B ‖ the AES-GCM ciphertext with its tag).
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

FORMAT = "bianmin.custody.v1"
KEY_BYTES = 32
TAG_BYTES = 16
SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)


class CustodyError(ValueError):
    """A custodian key or a sealed share that is malformed or does not open."""


def context(project: str, custodian: str, position: int) -> bytes:
    """The associated data binding a sealed share to its tender, custodian and x coordinate."""
    return f"{project}|{custodian}|{position}".encode()


def public_key_bytes(value: str) -> bytes:
    """The raw 32-byte X25519 public key of a base64 text; CustodyError when it is not one."""
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CustodyError("the public key is not base64") from exc
    if len(raw) != KEY_BYTES:
        raise CustodyError("an X25519 public key is 32 bytes")
    try:  # a low-order point (RFC 7748 §6.1) gives an all-zero shared secret, which the library refuses
        X25519PrivateKey.generate().exchange(X25519PublicKey.from_public_bytes(raw))
    except ValueError as exc:
        raise CustodyError("this is not a usable X25519 public key (a low-order point)") from exc
    return raw


def fingerprint(public_key: str) -> str:
    """SHA-256 (hex) of a registered public key's raw bytes: names which key a share was sealed to."""
    return hashlib.sha256(public_key_bytes(public_key)).hexdigest()


def generate_keypair() -> tuple[str, str]:
    """A fresh custodian key pair as base64 text: (private, public). The private half never leaves the custodian."""
    private = X25519PrivateKey.generate()
    raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode(), base64.b64encode(public).decode()


def _info(aad: bytes) -> bytes:
    return FORMAT.encode() + b"|" + aad


def seal_share(share: str, public_key: str, aad: bytes) -> str:
    """``share`` sealed to a custodian's public key with HPKE (module docstring); ``aad`` is :func:`context`."""
    recipient = X25519PublicKey.from_public_bytes(public_key_bytes(public_key))
    return base64.b64encode(SUITE.encrypt(share.encode(), recipient, info=_info(aad))).decode()


def open_share(sealed: str, private_key: str, aad: bytes) -> str:
    """The share text inside ``sealed``, with the custodian's private key (base64); CustodyError otherwise."""
    try:
        raw = base64.b64decode(sealed, validate=True)
        private = X25519PrivateKey.from_private_bytes(base64.b64decode(private_key, validate=True))
    except (binascii.Error, ValueError) as exc:
        raise CustodyError("the sealed share or the private key is not valid base64 of the right size") from exc
    if len(raw) <= KEY_BYTES + TAG_BYTES:
        raise CustodyError("the sealed share is too short")
    try:
        return SUITE.decrypt(raw, private, info=_info(aad)).decode()
    except (InvalidTag, ValueError, UnicodeDecodeError) as exc:
        raise CustodyError("this key does not open the sealed share (another custodian's, or altered)") from exc
