"""API keys and OAuth2 clients: issued once, stored hashed, looked up, listed and revoked.

A key reads ``bm_<id>_<secret>``. The id is public (it names the key in lists, logs and the
signed principal); the secret is 43 random characters from a 62-letter alphabet, about 256 bits.
Only ``SHA-256(id ":" secret)`` is stored. A slow password hash (bcrypt, scrypt) protects secrets
that people choose and that can be guessed; a 256-bit random secret cannot be guessed, so a fast
hash loses nothing and keeps the check off the request's critical path. The same holds for
OAuth2 client secrets.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.gateway.models import ApiKey, OAuthClient
from bianmin.kit.errors import Forbidden, NotFound
from bianmin.kit.identity import PARTY_ROLES, Principal, ensure_tenant

KEY_PREFIX = "bm"
CLIENT_PREFIX = "bmc"
SECRET_ALPHABET = string.ascii_letters + string.digits
SECRET_LENGTH = 43
_KEY_FORMAT = re.compile(r"^bm_([a-z0-9]{12})_([A-Za-z0-9]{43})$")
_CLIENT_FORMAT = re.compile(r"^bmc_[a-z0-9]{16}$")
TENANT_PATTERN = r"^(\*|[A-Za-z0-9][A-Za-z0-9_.-]{0,63})$"
SCOPE_PATTERN = r"^[a-z][a-z0-9_-]*(:[A-Za-z0-9_*-]+){0,2}$"

Credential = ApiKey | OAuthClient


def new_secret() -> str:
    """A fresh high-entropy secret (about 256 bits) in letters and digits, easy to copy whole."""
    return "".join(secrets.choice(SECRET_ALPHABET) for _ in range(SECRET_LENGTH))


def hash_secret(public_id: str, secret: str) -> str:
    """The stored form of a secret: SHA-256 over the public id and the secret (see the module docstring)."""
    return hashlib.sha256(f"{public_id}:{secret}".encode()).hexdigest()


def parse_key(key: str) -> tuple[str, str] | None:
    """Split ``bm_<id>_<secret>`` into id and secret; None when it is not shaped like a key."""
    match = _KEY_FORMAT.match(key)
    return (match.group(1), match.group(2)) if match else None


def looks_like_key(token: str) -> bool:
    """Whether a bearer token is an API key rather than an access token."""
    return token.startswith(f"{KEY_PREFIX}_")


def looks_like_client_id(client_id: str) -> bool:
    """Whether a string is shaped like a client id (``bmc_`` and 16 characters): only those name a counter."""
    return bool(_CLIENT_FORMAT.match(client_id))


def principal_of(credential: Credential, *, scopes: frozenset[str] | None = None) -> Principal:
    """The principal a key or client acts as (optionally narrowed to the scopes a token was granted)."""
    return Principal(key_id=credential.id, tenant=credential.tenant,
                     scopes=scopes if scopes is not None else frozenset(credential.scopes), name=credential.name)


@dataclass(frozen=True)
class Issued:
    """A credential just created, with its secret in clear: the only moment the secret exists outside the caller."""

    record: Credential
    secret: str

    @property
    def key(self) -> str:
        """The whole API key as the caller must present it."""
        return f"{KEY_PREFIX}_{self.record.id}_{self.secret}"


def party_of(scope: str) -> tuple[str, str] | None:
    """``(role, code)`` when a scope names a party the key speaks for (``guarantee:issuer:PICC``), else None."""
    role, sep, code = scope.rpartition(":")
    return (role, code) if sep and role in PARTY_ROLES else None


def ensure_may_grant(granter: Principal, *, tenant: str, scopes: list[str]) -> None:
    """403 unless ``granter`` holds the tenant and every scope it gives a new key or client.

    A township admin is admin of its own township: it issues credentials for that tenant only
    (``tenant_mismatch``), never a district-wide one. A party scope makes the new key speak for an
    enterprise or an issuer, which no site owns, so only the party itself, in practice a district
    operator, may give it (``party_scope_needs_operator``): a township admin that could mint
    ``guarantee:issuer:PICC`` could release the district's bid bonds as the insurer.
    """
    ensure_tenant(granter, tenant)
    for scope in scopes:
        party = party_of(scope)
        if party is not None and not granter.acts_for(*party):
            raise Forbidden(f"Only a district operator grants the party scope {scope}.", code="party_scope_needs_operator")
        if not granter.has_scope(scope):
            raise Forbidden(f"A key grants only scopes it holds; it lacks {scope}.", code="scope_not_held")


def _clean_scopes(scopes: list[str]) -> list[str]:
    return sorted(set(scopes))


async def create_key(session: AsyncSession, *, name: str, tenant: str, scopes: list[str],
                     rate_limit: str | None, now: datetime) -> Issued:
    """Create an API key; the caller shows ``Issued.key`` once and never again."""
    key_id = secrets.token_hex(6)
    secret = new_secret()
    record = ApiKey(id=key_id, name=name, tenant=tenant, scopes=_clean_scopes(scopes),
                    secret_hash=hash_secret(key_id, secret), rate_limit=rate_limit, created_at=now)
    session.add(record)
    await session.flush()
    return Issued(record, secret)


async def create_client(session: AsyncSession, *, name: str, tenant: str, scopes: list[str],
                        rate_limit: str | None, now: datetime) -> Issued:
    """Create an OAuth2 client; the caller shows ``Issued.secret`` once and never again."""
    client_id = f"{CLIENT_PREFIX}_{secrets.token_hex(8)}"
    secret = new_secret()
    record = OAuthClient(id=client_id, name=name, tenant=tenant, scopes=_clean_scopes(scopes),
                         secret_hash=hash_secret(client_id, secret), rate_limit=rate_limit, created_at=now)
    session.add(record)
    await session.flush()
    return Issued(record, secret)


async def verify_key(session: AsyncSession, key: str) -> ApiKey | None:
    """The live key a presented API key names, or None when it is unknown, wrong or revoked."""
    parts = parse_key(key)
    if parts is None:
        return None
    key_id, secret = parts
    record = await session.get(ApiKey, key_id)
    if record is None or record.revoked_at is not None:
        return None
    return record if hmac.compare_digest(record.secret_hash, hash_secret(key_id, secret)) else None


async def verify_client(session: AsyncSession, client_id: str, secret: str) -> OAuthClient | None:
    """The live client these credentials name, or None when they are unknown, wrong or revoked."""
    if not _CLIENT_FORMAT.match(client_id):
        return None
    record = await session.get(OAuthClient, client_id)
    if record is None or record.revoked_at is not None:
        return None
    return record if hmac.compare_digest(record.secret_hash, hash_secret(client_id, secret)) else None


async def live_client(session: AsyncSession, client_id: str) -> OAuthClient | None:
    """The client an access token was issued to, unless it was revoked since."""
    record = await session.get(OAuthClient, client_id)
    return record if record is not None and record.revoked_at is None else None


async def get(session: AsyncSession, model: type[Credential], credential_id: str,
              *, tenant: str | None = None) -> Credential:
    """One key or client; 404 when it does not exist or belongs to another tenant than ``tenant``."""
    record = await session.get(model, credential_id)
    if record is None or (tenant is not None and record.tenant != tenant):
        raise NotFound(f"No {_noun(model)} {credential_id}.", code=f"{_noun(model).replace(' ', '_')}_not_found")
    return record


async def page(session: AsyncSession, model: type[Credential], *, limit: int, after: list[Any] | None,
               tenant: str | None = None) -> tuple[list[Credential], list[Any] | None]:
    """A page of keys or clients oldest first, and the sort key of its last row when more follow."""
    query = select(model).order_by(model.created_at, model.id).limit(limit + 1)
    if tenant is not None:
        query = query.where(model.tenant == tenant)
    if after is not None:
        created = datetime.fromisoformat(str(after[0]))
        query = query.where(or_(model.created_at > created, and_(model.created_at == created, model.id > str(after[1]))))
    rows = list((await session.execute(query)).scalars().all())
    if len(rows) > limit:
        last = rows[limit - 1]
        return rows[:limit], [last.created_at.isoformat(), last.id]
    return rows, None


async def revoke(session: AsyncSession, record: Credential, *, now: datetime) -> Credential:
    """Revoke a key or client; revoking twice keeps the first time."""
    if record.revoked_at is None:
        record.revoked_at = now
        await session.flush()
    return record


def _noun(model: type[Credential]) -> str:
    return "API key" if model is ApiKey else "OAuth2 client"
