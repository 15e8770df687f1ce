"""``POST /auth/token``: the OAuth2 client-credentials grant (RFC 6749 §4.4).

Clients authenticate with ``client_id`` and ``client_secret`` in the form body or with HTTP Basic,
may ask for a subset of their scopes, and get a short-lived bearer token. Refusals are problem+json
that also carry RFC 6749's ``error`` and ``error_description``, so stock OAuth2 libraries understand
them. The endpoint is rate-limited per client IP, and wrong secrets count as failed authentications
per client IP and per client id (429 past either, before the secret is checked).
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated
from urllib.parse import unquote

from fastapi import APIRouter, Form, Request, Response

from bianmin.gateway.auth import request_client_ip
from bianmin.gateway.domain import credentials, tokens
from bianmin.gateway.errors import OAuthError
from bianmin.gateway.schemas import TokenResponse
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import problem_responses

router = APIRouter(prefix="/auth", tags=["auth"])


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise OAuthError("invalid_client", "The Basic credentials are malformed.", status=401,
                         headers={"WWW-Authenticate": 'Basic realm="bianmin"'}) from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise OAuthError("invalid_client", "The Basic credentials are malformed.", status=401,
                         headers={"WWW-Authenticate": 'Basic realm="bianmin"'})
    return unquote(client_id), unquote(secret)


@router.post("/token", summary="Get an access token (OAuth2 client credentials)",
             responses=problem_responses(400, 401, 429))
async def token(
    request: Request,
    response: Response,
    session: SessionDep,
    grant_type: Annotated[str, Form(description="Must be `client_credentials`.")],
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
    scope: Annotated[str | None, Form(description="Space-separated subset of the client's scopes; all when omitted.")] = None,
) -> TokenResponse:
    """Exchange a client's id and secret for a short-lived access token to send as ``Authorization: Bearer``."""
    state = request.app.state
    await state.limiter.hit(f"token-ip:{request_client_ip(request)}", state.settings.token_rate_limit, caller="token")
    if grant_type != "client_credentials":
        raise OAuthError("unsupported_grant_type", "Only the client_credentials grant is supported.")
    basic = _basic_credentials(request)
    if basic is not None:
        client_id, client_secret = basic
    if not client_id or not client_secret:
        raise OAuthError("invalid_client", "Send client_id and client_secret, in the form or as HTTP Basic.", status=401,
                         headers={"WWW-Authenticate": 'Basic realm="bianmin"'})
    address, failures = request_client_ip(request), state.auth_failures
    # Past the failure limits of this address or this client id, the secret is not even checked.
    # A string that cannot be a client id names no counter (it could be any size): the address's counts.
    counted_id = f"client:{client_id}" if credentials.looks_like_client_id(client_id) else None
    await failures.guard(address, counted_id)
    client = await credentials.verify_client(session, client_id, client_secret)
    if client is None:
        await failures.failed(address, counted_id)
        raise OAuthError("invalid_client", "The client is unknown, revoked, or the secret is wrong.", status=401,
                         headers={"WWW-Authenticate": 'Basic realm="bianmin"'})
    held = frozenset(client.scopes)
    granted = frozenset(scope.split()) if scope else held
    if not granted <= held:
        raise OAuthError("invalid_scope", f"The client does not hold: {' '.join(sorted(granted - held))}.")
    ttl = state.settings.access_token_ttl_seconds
    access_token = tokens.issue(client_id=client.id, tenant=client.tenant, scopes=granted, secret=state.token_secret,
                                ttl_seconds=ttl)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return TokenResponse(access_token=access_token, expires_in=ttl, scope=" ".join(sorted(granted)))
