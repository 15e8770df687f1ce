"""Secrets and signatures in the Standard Webhooks form, and the secrets' encryption at rest.

A secret reads ``whsec_<base64 of 32 random bytes>``; the signature of one attempt is
``v1,<base64 HMAC-SHA256 over "{webhook-id}.{webhook-timestamp}.{body}">`` keyed with the
secret's decoded bytes. Stored secrets are sealed with AES-256-GCM under a key derived by HKDF
from the service's key material, so a copy of the database alone does not let anyone forge
deliveries.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "whsec_"
SECRET_BYTES = 32
_SEALED_VERSION = "v1"
_AAD = b"bianmin-webhooks endpoint secret"


def new_secret() -> str:
    """A fresh random secret in the ``whsec_`` form."""
    return PREFIX + base64.b64encode(os.urandom(SECRET_BYTES)).decode()


def secret_key_bytes(secret: str) -> bytes:
    """The HMAC key of a ``whsec_`` secret: its base64 part, decoded."""
    return base64.b64decode(secret.removeprefix(PREFIX), validate=True)


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value of one attempt."""
    content = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key_bytes(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


class SecretBox:
    """Seals and opens endpoint secrets with AES-256-GCM (random 96-bit nonce per seal)."""

    def __init__(self, material: bytes) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=b"bianmin-webhooks endpoint secrets v1").derive(material)
        self._aead = AESGCM(key)

    def seal(self, secret: str) -> str:
        """The stored form of a secret: version, then base64 of nonce and ciphertext."""
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, secret.encode(), _AAD)
        return f"{_SEALED_VERSION}:{base64.b64encode(nonce + sealed).decode()}"

    def open(self, stored: str) -> str:
        """The secret inside a stored form; ValueError when it was sealed under another key or altered."""
        version, _, payload = stored.partition(":")
        if version != _SEALED_VERSION:
            raise ValueError(f"unknown sealed secret version {version!r}")
        raw = base64.b64decode(payload)
        try:
            return self._aead.decrypt(raw[:12], raw[12:], _AAD).decode()
        except InvalidTag as exc:
            raise ValueError("the secret was sealed under another key or altered") from exc
