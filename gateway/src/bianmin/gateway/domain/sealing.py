"""TOTP secrets at rest: sealed with AES-256-GCM under a key the gateway derives from its internal secret.

The gateway must read a TOTP secret back to check a code (RFC 6238), so it cannot keep only a hash
as it does for passwords. GB/T 39786-2021 (商用密码应用安全性评估) asks that such authentication data
be kept confidential in storage: a copy of the database (a backup, a replica, an operator's dump)
must not yield every second factor. The key is HKDF-SHA256 of the internal secret, which the
database never holds; the account id is bound as associated data, so a sealed secret moved to
another account's row does not open. Rotating the internal secret therefore means enrolling TOTP
again (``bianmin-gateway accounts totp``).
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = "v1:"
_NONCE = 12


class SealBroken(ValueError):
    """A stored value that this key cannot open: another key, another account's row, or altered bytes."""


class TotpSealer:
    """Seals and opens TOTP secrets for one gateway (its internal secret)."""

    def __init__(self, internal_secret: str) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=b"bianmin-gateway totp secrets v1").derive(internal_secret.encode())
        self._aead = AESGCM(key)

    def seal(self, secret: str, *, account_id: str) -> str:
        """The stored form of ``secret`` for the account ``account_id``."""
        nonce = os.urandom(_NONCE)
        sealed = self._aead.encrypt(nonce, secret.encode(), account_id.encode())
        return VERSION + base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, stored: str, *, account_id: str) -> str:
        """The secret a stored value holds; :class:`SealBroken` when it does not open."""
        if not stored.startswith(VERSION):
            raise SealBroken("not a sealed TOTP secret")
        try:
            raw = base64.urlsafe_b64decode(stored.removeprefix(VERSION))
            return self._aead.decrypt(raw[:_NONCE], raw[_NONCE:], account_id.encode()).decode()
        except (ValueError, InvalidTag) as exc:
            raise SealBroken("the TOTP secret does not open with this gateway's key") from exc
