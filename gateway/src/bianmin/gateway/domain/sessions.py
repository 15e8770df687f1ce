"""Sign-in sessions: a short-lived access token and a refresh token that turns over at every use.

The access token is an HS256 JWT signed with the gateway's own token secret, with an audience of
its own (``bianmin-session``), so neither a client-credentials token nor an internal identity token
passes for it. It names its session (``sid``); the gateway checks the session row on every request
(remembered for ``auth_cache_seconds`` like keys), so logging out or disabling the account stops its
tokens at once on this replica and within those seconds on the others.

The refresh token is opaque and random (``bmr_`` and 256 bits), stored only as a SHA-256 hash; each
use gives a new one and spends the old. A spent token shown again means a copy exists (OAuth 2.0
Security BCP, refresh token rotation): the whole session is revoked, the thief's and the owner's.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from datetime import datetime, timedelta

import jwt
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.gateway.domain.tokens import ALGORITHM, ISSUER, challenge
from bianmin.gateway.errors import RefreshTokenReused, SessionInvalid
from bianmin.gateway.models import RefreshToken, SignInSession

SESSION_AUDIENCE = "bianmin-session"
REFRESH_PREFIX = "bmr_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _invalid(detail: str = "The session is unknown, expired or ended.") -> SessionInvalid:
    return SessionInvalid(detail, headers=challenge("invalid_token", detail.rstrip(".")))


def issue_access(session_id: str, subject_id: str, *, secret: str, ttl_seconds: int, now: float | None = None) -> str:
    """Sign an access token of one session."""
    issued = int(now if now is not None else time.time())
    claims = {"iss": ISSUER, "aud": SESSION_AUDIENCE, "sub": subject_id, "sid": session_id, "iat": issued,
              "exp": issued + ttl_seconds, "jti": uuid.uuid4().hex}
    return jwt.encode(claims, secret, algorithm=ALGORITHM, headers={"typ": "at+jwt"})


def is_session_token(token: str) -> bool:
    """Whether a bearer token claims to be a session's access token (its signature is checked by :func:`verify_access`)."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return False
    return claims.get("aud") == SESSION_AUDIENCE


def verify_access(token: str, secret: str, *, leeway_seconds: int = 5) -> str:
    """The session id an access token names; 401 ``token_expired`` or ``session_invalid`` otherwise."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], audience=SESSION_AUDIENCE, issuer=ISSUER,
                            leeway=leeway_seconds, options={"require": ["exp", "iat", "iss", "aud", "sub", "sid"]})
    except jwt.ExpiredSignatureError as exc:
        raise SessionInvalid("The access token has expired; refresh it.", code="token_expired",
                             headers=challenge("invalid_token", "The access token expired")) from exc
    except jwt.PyJWTError as exc:
        raise _invalid("The access token is invalid.") from exc
    sid = claims["sid"]
    if not isinstance(sid, str):
        raise _invalid("The access token is invalid.")
    return sid


async def start(session: AsyncSession, *, account_id: str | None, second_factor: bool, method: str, now: datetime,
                refresh_ttl_seconds: int, citizen_id: str | None = None, citizen_name: str | None = None) -> tuple[SignInSession, str]:
    """Open a session; gives it and its first refresh token (the only time that token exists in clear)."""
    row = SignInSession(id=secrets.token_hex(16), account_id=account_id, citizen_id=citizen_id,
                        citizen_name=citizen_name, second_factor=second_factor, method=method, created_at=now,
                        expires_at=now + timedelta(seconds=refresh_ttl_seconds))
    session.add(row)
    await session.flush()
    return row, await _new_refresh(session, row, now=now)


async def _new_refresh(session: AsyncSession, row: SignInSession, *, now: datetime) -> str:
    token = REFRESH_PREFIX + secrets.token_urlsafe(32)
    session.add(RefreshToken(token_hash=_hash(token), session_id=row.id, created_at=now))
    await session.flush()
    return token


async def live(session: AsyncSession, session_id: str, *, now: datetime) -> SignInSession | None:
    """The session, unless it is unknown, revoked or past its end."""
    row = await session.get(SignInSession, session_id)
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    return row


async def rotate(session: AsyncSession, refresh_token: str, *, now: datetime) -> tuple[SignInSession, str]:
    """Spend a refresh token for a new one; a spent one shown again revokes its session (the caller commits first)."""
    record = await session.get(RefreshToken, _hash(refresh_token)) if refresh_token.startswith(REFRESH_PREFIX) else None
    if record is None:
        raise _invalid("The refresh token is unknown.")
    row = await session.get(SignInSession, record.session_id)
    if row is None:
        raise _invalid()
    if record.used_at is not None:
        if row.revoked_at is None:
            row.revoked_at = now
            await session.flush()
        raise RefreshTokenReused("This refresh token was already used: its session is ended. Sign in again.",
                                 session_id=row.id)
    if row.revoked_at is not None or row.expires_at <= now:
        raise _invalid()
    # Spent with a condition, not by assignment: of two concurrent uses (a thief's and the owner's) one
    # finds it spent, even on PostgreSQL where both may have read it unspent.
    spent = await session.execute(update(RefreshToken).where(
        RefreshToken.token_hash == record.token_hash, RefreshToken.used_at.is_(None)).values(used_at=now))
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        row.revoked_at = now
        await session.flush()
        raise RefreshTokenReused("This refresh token was already used: its session is ended. Sign in again.",
                                 session_id=row.id)
    return row, await _new_refresh(session, row, now=now)


async def end(session: AsyncSession, row: SignInSession, *, now: datetime) -> None:
    """Revoke a session; ending it twice keeps the first time."""
    if row.revoked_at is None:
        row.revoked_at = now
        await session.flush()
