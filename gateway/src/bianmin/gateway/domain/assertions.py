"""Citizens through apps: a JWT the app signs for each request, naming the citizen it acts for (RFC 7523 style).

An API key is allowed to act for citizens once an operator registers its public key (Ed25519 as
``EdDSA``, or P-256 as ``ES256``); the gateway never holds the app's private key. The assertion's
``iss`` is the key's id, ``aud`` is ``bianmin-gateway``, ``sub`` the citizen's id at the app; it lives
at most five minutes and its ``jti`` is remembered until it expires, in the gateway's database so that
every replica refuses a replay. Each refusal has its own code, so an app's developer sees at once
whether the clock, the audience, the key or the replay is wrong.

With an ``id_number`` claim (a resident ID, GB 11643) the citizen's id is a keyed hash (HMAC-SHA256
with a secret of the gateway) of the normalised number: the same person through two apps, or through
the OIDC issuer, is one citizen, and the number itself never enters any token or table.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

import jwt
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.gateway.errors import (
    AppNotRegisteredForCitizens,
    AssertionBadSignature,
    AssertionExpired,
    AssertionNotYetValid,
    AssertionRefused,
    AssertionReplayed,
    AssertionTooLong,
    AssertionUnknownIssuer,
    AssertionWrongAudience,
)
from bianmin.gateway.models import CitizenAssertionKey, SeenAssertion
from bianmin.kit import subjects
from bianmin.kit.errors import Unprocessable
from bianmin.kit.identifiers import resident_id_problem
from bianmin.kit.schemas import canonical
from bianmin.kit.subjects import Subject

AUDIENCE = "bianmin-gateway"
MAX_LIFETIME_SECONDS = 300
LEEWAY_SECONDS = 30
HEADER = "X-Bianmin-Citizen-Assertion"


def check_public_key(algorithm: str, pem: str) -> None:
    """422 unless ``pem`` is a public key of the kind ``algorithm`` names (Ed25519 for EdDSA, P-256 for ES256)."""
    try:
        key = load_pem_public_key(pem.encode())
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise Unprocessable.field("public_key", "not a PEM public key") from exc
    fits = (isinstance(key, ed25519.Ed25519PublicKey) if algorithm == "EdDSA"
            else isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1))
    if not fits:
        raise Unprocessable.field("public_key", f"not a key for {algorithm} (EdDSA: Ed25519; ES256: P-256)")


async def register(session: AsyncSession, *, key_id: str, algorithm: str, public_key: str, registered_by: str,
                   now: datetime) -> CitizenAssertionKey:
    """Allow an API key to act for citizens with assertions signed by ``public_key`` (replacing a former key)."""
    check_public_key(algorithm, public_key)
    record = await session.get(CitizenAssertionKey, key_id)
    if record is None:
        record = CitizenAssertionKey(key_id=key_id, algorithm=algorithm, public_key=public_key,
                                     registered_by=registered_by, created_at=now)
        session.add(record)
    else:
        record.algorithm, record.public_key, record.registered_by, record.created_at = (
            algorithm, public_key, registered_by, now)
    await session.flush()
    return record


def citizen_id(id_number: str, secret: bytes) -> str:
    """The stable id of a citizen known by a resident ID number: a keyed hash, never the number."""
    return "cit:" + hmac.new(secret, canonical(id_number).encode(), hashlib.sha256).hexdigest()


def _decode(assertion: str, record: CitizenAssertionKey, key_id: str) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(assertion)
        unverified = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise AssertionRefused("The citizen assertion is not a JWT.") from exc
    if unverified.get("iss") != key_id:
        raise AssertionUnknownIssuer("The assertion's iss must be the id of the API key that sends it.")
    if header.get("alg") != record.algorithm:
        raise AssertionBadSignature(f"The assertion must be signed with {record.algorithm}, the registered key's algorithm.")
    try:
        return jwt.decode(assertion, record.public_key, algorithms=[record.algorithm], audience=AUDIENCE, issuer=key_id,
                          leeway=LEEWAY_SECONDS, options={"require": ["iss", "sub", "aud", "exp", "iat", "jti"]})
    except jwt.InvalidSignatureError as exc:
        raise AssertionBadSignature("The assertion's signature does not verify with the registered key.") from exc
    except jwt.ExpiredSignatureError as exc:
        raise AssertionExpired("The citizen assertion has expired.") from exc
    except jwt.ImmatureSignatureError as exc:
        raise AssertionNotYetValid("The citizen assertion is not valid yet (iat or nbf in the future).") from exc
    except jwt.InvalidAudienceError as exc:
        raise AssertionWrongAudience(f"The assertion's aud must be {AUDIENCE}.") from exc
    except jwt.PyJWTError as exc:
        raise AssertionRefused(f"The citizen assertion is invalid: {exc}.") from exc


async def verify(session: AsyncSession, assertion: str, *, key_id: str, secret: bytes, now: datetime) -> Subject:
    """The citizen an app's assertion names, once; refusals as 401 problems with a code each.

    The ``jti`` is written in this transaction: the caller commits, and a concurrent replay on another
    replica then fails on the primary key (:class:`AssertionReplayed` too).
    """
    record = await session.get(CitizenAssertionKey, key_id)
    if record is None:
        raise AppNotRegisteredForCitizens("This API key is not registered to act for citizens.")
    claims = _decode(assertion, record, key_id)
    issued, expires = claims["iat"], claims["exp"]
    if not isinstance(issued, int | float) or not isinstance(expires, int | float):
        raise AssertionRefused("The assertion's iat and exp must be numbers.")
    if expires - issued > MAX_LIFETIME_SECONDS:
        raise AssertionTooLong(f"An assertion may live {MAX_LIFETIME_SECONDS} s at most (exp - iat).")
    sub, jti, name = claims["sub"], claims["jti"], claims.get("name")
    if not isinstance(sub, str) or not 0 < len(sub) <= 128 or not isinstance(jti, str) or not 0 < len(jti) <= 128:
        raise AssertionRefused("The assertion's sub and jti must be strings of 1 to 128 characters.")
    number = claims.get("id_number")
    if number is not None and (not isinstance(number, str) or resident_id_problem(canonical(number)) is not None):
        raise AssertionRefused("The assertion's id_number is not a valid resident ID number.")
    await session.execute(delete(SeenAssertion).where(SeenAssertion.expires_at < now))
    if await session.get(SeenAssertion, (key_id, jti)) is not None:
        raise AssertionReplayed("This assertion's jti was already used.")
    session.add(SeenAssertion(issuer=key_id, jti=jti, expires_at=datetime.fromtimestamp(expires, UTC)))
    await session.flush()
    ident = citizen_id(number, secret) if number is not None else f"app:{key_id}:{sub}"
    return Subject(kind=subjects.CITIZEN, id=ident, name=name if isinstance(name, str) else None)
