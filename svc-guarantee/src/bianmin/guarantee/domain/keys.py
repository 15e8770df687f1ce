"""Ed25519 signing keys of the issuers and of the ledger: generated here, stored encrypted, never served.

Each issuer gets a key the first time it signs; a rotation closes the current key's validity period
(``valid_to``) and opens a new one, and every key ever used stays published with its period so
old documents remain verifiable. Private keys are stored as encrypted PKCS#8 (AES-256-CBC, PBKDF2)
under ``key_encryption_secret`` (falling back to a key derived from the internal secret, for
development). The ledger's key is named after the ledger's origin, as C2SP checkpoints expect.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.guarantee.models import SigningKey
from bianmin.guarantee.settings import GuaranteeSettings
from bianmin.guarantee.verifier.notes import raw_public_key, verifier_key

LOG_OWNER = "log"


@dataclass(frozen=True)
class KeyRing:
    """What signing needs besides the database: the ledger's origin and the passphrase of the stored keys."""

    origin: str
    password: bytes

    @classmethod
    def from_settings(cls, settings: GuaranteeSettings) -> KeyRing:
        """The key ring the service's settings describe."""
        return cls(origin=settings.ledger_origin, password=key_password(settings))


def key_password(settings: GuaranteeSettings) -> bytes:
    """The passphrase that encrypts stored private keys."""
    secret = settings.key_encryption_secret.get_secret_value()
    if secret:
        return secret.encode()
    derived = hashlib.sha256(b"bianmin-guarantee-keys\x00" + settings.internal_secret.get_secret_value().encode())
    return derived.hexdigest().encode()


@lru_cache(maxsize=256)
def _decrypt(pem: str, password: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=password)
    if not isinstance(key, Ed25519PrivateKey):
        raise TypeError("a stored signing key is not Ed25519")
    return key


def private_key(row: SigningKey, password: bytes) -> Ed25519PrivateKey:
    """The private key of a stored key row (decrypted once per process)."""
    return _decrypt(row.private_key, password)


def issuer_owner(issuer_code: str) -> str:
    """The owner name of an issuer's keys."""
    return f"issuer:{issuer_code}"


async def _create(session: AsyncSession, *, owner: str, name: str, password: bytes, today: date,
                  now: datetime) -> SigningKey:
    key = Ed25519PrivateKey.generate()
    public = raw_public_key(key.public_key())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.BestAvailableEncryption(password)).decode()
    row = SigningKey(owner=owner, name=name, public_key=base64.b64encode(public).decode(),
                     verifier_key=verifier_key(name, public), private_key=pem, valid_from=today,
                     valid_to=None, created_at=now)
    session.add(row)
    await session.flush()
    return row


async def current_key(session: AsyncSession, owner: str, today: date) -> SigningKey | None:
    """The key of ``owner`` valid on ``today``, newest first."""
    return (await session.execute(
        select(SigningKey).where(SigningKey.owner == owner, SigningKey.valid_from <= today,
                                 or_(SigningKey.valid_to.is_(None), SigningKey.valid_to >= today))
        .order_by(SigningKey.valid_from.desc(), SigningKey.id.desc()).limit(1))).scalar_one_or_none()


async def issuer_key(session: AsyncSession, issuer_code: str, *, password: bytes, now: datetime) -> SigningKey:
    """The issuer's current key, generated on first use."""
    today = now.date()
    found = await current_key(session, issuer_owner(issuer_code), today)
    if found is not None:
        return found
    count = (await session.execute(select(func.count()).select_from(SigningKey)
                                   .where(SigningKey.owner == issuer_owner(issuer_code)))).scalar_one()
    return await _create(session, owner=issuer_owner(issuer_code), name=f"bianmin-issuer-{issuer_code}-{count + 1}",
                         password=password, today=today, now=now)


async def rotate_issuer_key(session: AsyncSession, issuer_code: str, *, password: bytes, now: datetime) -> SigningKey:
    """Close the issuer's current key at the end of yesterday and start a new one today."""
    today = now.date()
    rows = (await session.execute(select(SigningKey).where(
        SigningKey.owner == issuer_owner(issuer_code), SigningKey.valid_to.is_(None)))).scalars().all()
    for row in rows:
        row.valid_to = max(row.valid_from, today - timedelta(days=1))
    count = (await session.execute(select(func.count()).select_from(SigningKey)
                                   .where(SigningKey.owner == issuer_owner(issuer_code)))).scalar_one()
    await session.flush()
    return await _create(session, owner=issuer_owner(issuer_code), name=f"bianmin-issuer-{issuer_code}-{count + 1}",
                         password=password, today=today, now=now)


async def keys_of(session: AsyncSession, owner: str) -> list[SigningKey]:
    """Every key an owner has had, oldest first (the published history)."""
    return list((await session.execute(select(SigningKey).where(SigningKey.owner == owner)
                                       .order_by(SigningKey.valid_from, SigningKey.id))).scalars())


async def log_key(session: AsyncSession, *, origin: str, password: bytes, now: datetime) -> SigningKey:
    """The ledger's key (named after its origin), generated once; concurrent first uses agree."""
    found = await key_named(session, origin)
    if found is not None:
        return found
    key = Ed25519PrivateKey.generate()
    public = raw_public_key(key.public_key())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.BestAvailableEncryption(password)).decode()
    values = {"owner": LOG_OWNER, "name": origin, "public_key": base64.b64encode(public).decode(),
              "verifier_key": verifier_key(origin, public), "private_key": pem,
              "valid_from": now.date(), "valid_to": None, "created_at": now}
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    await session.execute(insert(SigningKey).values(**values).on_conflict_do_nothing(index_elements=["name"]))
    return (await session.execute(select(SigningKey).where(SigningKey.name == origin))).scalar_one()


async def published_log_key(session: AsyncSession, origin: str) -> SigningKey | None:
    """The ledger's key if it exists yet (read only: it is made with the first append)."""
    return await key_named(session, origin)


async def key_named(session: AsyncSession, name: str) -> SigningKey | None:
    """A stored key by its name, any owner."""
    return (await session.execute(select(SigningKey).where(SigningKey.name == name))).scalar_one_or_none()
