"""Trust of external OpenID Connect issuers: the province's unified identity (统一身份认证) signs people in.

An ID token is verified against its issuer's JWKS (signature, ``iss``, ``aud``, ``exp``, ``iat``), read
from an https URL (PyJWT's :class:`jwt.PyJWKClient`, which caches the keys) or from a local file, since
a government machine may have no route to the internet; a file is read again on each sign-in, so
rotating its keys needs no restart. Only asymmetric algorithms are accepted: an issuer's token signed
with HS256 would be checked against a public value.

A staff issuer's claim names an account's username; a citizen issuer's claim holds the resident ID
number, hashed at once as the citizen assertions' numbers are (:func:`bianmin.gateway.domain.assertions.citizen_id`).
A second factor counts when the token's ``amr`` names one (RFC 8176: ``mfa``, ``otp``, ``hwk``, ...).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import jwt

from bianmin.gateway.errors import OidcTokenRefused
from bianmin.gateway.settings import OidcIssuer

ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA")
SECOND_FACTOR_METHODS = frozenset({"mfa", "otp", "hwk", "swk", "sms", "fpt", "face", "sc"})


def _refused(detail: str, code: str) -> OidcTokenRefused:
    return OidcTokenRefused(detail, code=code)


class OidcVerifier:
    """Verifies ID tokens of the configured issuers; one per application (it keeps the JWKS clients)."""

    def __init__(self, issuers: list[OidcIssuer]) -> None:
        self.issuers = {issuer.issuer: issuer for issuer in issuers}
        self._clients: dict[str, jwt.PyJWKClient] = {}

    def _file_key(self, path: str, kid: str | None) -> Any:
        try:
            keys = jwt.PyJWKSet.from_json(Path(path).read_text()).keys
        except (OSError, ValueError, jwt.PyJWTError) as exc:
            raise _refused("The issuer's key set cannot be read.", "oidc_keys_unavailable") from exc
        for key in keys:
            if kid is None or key.key_id == kid:
                return key.key
        raise _refused("No key of the issuer's key set signed this token.", "oidc_signature_invalid")

    async def _key(self, issuer: OidcIssuer, token: str, kid: str | None) -> Any:
        if not issuer.jwks.startswith(("https://", "http://")):
            return self._file_key(issuer.jwks, kid)
        client = self._clients.setdefault(issuer.issuer, jwt.PyJWKClient(issuer.jwks, cache_keys=True, timeout=5))
        try:
            return (await asyncio.to_thread(client.get_signing_key_from_jwt, token)).key
        except jwt.PyJWKClientConnectionError as exc:
            raise _refused("The issuer's key set cannot be fetched.", "oidc_keys_unavailable") from exc
        except jwt.PyJWTError as exc:
            raise _refused("No key of the issuer's key set signed this token.", "oidc_signature_invalid") from exc

    async def verify(self, token: str) -> tuple[OidcIssuer, dict[str, Any]]:
        """The issuer and the claims of a good ID token; 401 with a code naming what is wrong otherwise."""
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise _refused("The ID token is not a JWT.", "oidc_token_invalid") from exc
        issuer = self.issuers.get(str(unverified.get("iss")))
        if issuer is None:
            raise _refused("The ID token's issuer is not one the gateway trusts.", "oidc_issuer_unknown")
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            raise _refused(f"ID tokens signed with {algorithm} are not accepted.", "oidc_signature_invalid")
        key = await self._key(issuer, token, header.get("kid"))
        try:
            claims = jwt.decode(token, key, algorithms=[algorithm], audience=issuer.audience, issuer=issuer.issuer,
                                leeway=30, options={"require": ["iss", "sub", "aud", "exp", "iat"]})
        except jwt.ExpiredSignatureError as exc:
            raise _refused("The ID token has expired.", "oidc_token_expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise _refused("The ID token is for another audience.", "oidc_wrong_audience") from exc
        except jwt.InvalidSignatureError as exc:
            raise _refused("The ID token's signature does not verify.", "oidc_signature_invalid") from exc
        except jwt.PyJWTError as exc:
            raise _refused(f"The ID token is invalid: {exc}.", "oidc_token_invalid") from exc
        return issuer, claims


def second_factor(claims: dict[str, Any]) -> bool:
    """Whether the issuer says the person signed in with a second factor (RFC 8176 ``amr`` values)."""
    methods = claims.get("amr")
    return isinstance(methods, list) and any(m in SECOND_FACTOR_METHODS for m in methods)

