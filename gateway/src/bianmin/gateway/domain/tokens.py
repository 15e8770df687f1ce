"""OAuth2 access tokens of the client-credentials grant: short-lived HS256 JWTs only the gateway reads.

They are signed with the gateway's own secret, never the internal one shared with the services,
and carry an issuer and audience of their own, so neither kind of token can pass for the other.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import jwt

from bianmin.kit.errors import Unauthorized

ISSUER = "bianmin-gateway"
AUDIENCE = "bianmin-api"
ALGORITHM = "HS256"


@dataclass(frozen=True)
class AccessToken:
    """What a verified access token says: the client, its tenant and the scopes it was granted."""

    client_id: str
    tenant: str
    scopes: frozenset[str]


def issue(*, client_id: str, tenant: str, scopes: frozenset[str], secret: str, ttl_seconds: int,
          now: float | None = None) -> str:
    """Sign an access token for a client (RFC 9068 claim names)."""
    issued = int(now if now is not None else time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": client_id, "client_id": client_id, "iat": issued,
              "exp": issued + ttl_seconds, "jti": uuid.uuid4().hex, "tenant": tenant, "scope": " ".join(sorted(scopes))}
    return jwt.encode(claims, secret, algorithm=ALGORITHM, headers={"typ": "at+jwt"})


def verify(token: str, secret: str, *, leeway_seconds: int = 5) -> AccessToken:
    """The token's content, or 401 (``token_expired`` / ``token_invalid``) when it is expired, forged or malformed."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], audience=AUDIENCE, issuer=ISSUER,
                            leeway=leeway_seconds, options={"require": ["exp", "iat", "iss", "aud", "sub"]})
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("The access token has expired.", code="token_expired",
                           headers=challenge("invalid_token", "The access token expired")) from exc
    except jwt.PyJWTError as exc:
        raise Unauthorized("The access token is invalid.", code="token_invalid",
                           headers=challenge("invalid_token", "The access token is invalid")) from exc
    scope = claims.get("scope", "")
    tenant = claims.get("tenant")
    if not isinstance(scope, str) or not isinstance(tenant, str):
        raise Unauthorized("The access token is invalid.", code="token_invalid",
                           headers=challenge("invalid_token", "The access token is invalid"))
    return AccessToken(client_id=str(claims["sub"]), tenant=tenant, scopes=frozenset(scope.split()))


def challenge(error: str | None = None, description: str | None = None) -> dict[str, str]:
    """The ``WWW-Authenticate`` header of a 401 (RFC 6750), naming the error when there is one."""
    value = 'Bearer realm="bianmin"'
    if error:
        value += f', error="{error}"'
    if description:
        value += f', error_description="{description}"'
    return {"WWW-Authenticate": value}
