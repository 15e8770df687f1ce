"""The platform's Ed25519 signing keys, one per purpose (bid receipts, the archive).

A key comes from its setting (32 raw bytes, base64) or, when that is empty, is generated once and
kept in the ``signing_key`` table so every replica signs with the same key. Separate purposes keep
separate keys, so a receipt signature can never be passed off as an archive signature.
"""

from __future__ import annotations

import base64
from datetime import datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding.models import SigningKey


def raw_public(key: Ed25519PrivateKey) -> str:
    """The public half of ``key``, raw and base64."""
    return base64.b64encode(key.public_key().public_bytes(serialization.Encoding.Raw,
                                                          serialization.PublicFormat.Raw)).decode()


async def signing_key(session: AsyncSession, purpose: str, configured: str) -> Ed25519PrivateKey:
    """The key of ``purpose``: ``configured`` when set, else generated once and shared through the database."""
    if configured:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(configured))
    row = await session.get(SigningKey, purpose)
    if row is None:
        key = Ed25519PrivateKey.generate()
        raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
        try:
            async with session.begin_nested():
                session.add(SigningKey(purpose=purpose, private_key=base64.b64encode(raw).decode(),
                                       public_key=raw_public(key), created_at=datetime.now().astimezone()))
            return key
        except IntegrityError:
            row = await session.get(SigningKey, purpose, populate_existing=True)
            assert row is not None
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(row.private_key))
