"""``/auth/login``, ``/auth/refresh``, ``/auth/logout`` and ``/auth/oidc``: people sign in, stay in, and leave.

Every refusal is a 401 problem that does not say whether the username exists, except the lock
(423 with ``Retry-After``), which an account reaches only through failures. Failed sign-ins count
against the failed-authentication limits per client address and per username, as wrong keys do,
so past them the password is not even checked (429). Answers carry ``Cache-Control: no-store``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from bianmin.gateway.auth import CallerDep, request_client_ip
from bianmin.gateway.domain import accounts, sessions
from bianmin.gateway.errors import RefreshTokenReused, SessionInvalid
from bianmin.gateway.models import SignInSession
from bianmin.gateway.schemas import RefreshRequest, SessionTokens, SignIn
from bianmin.gateway.settings import GatewaySettings
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import DomainError, Unauthorized, problem_responses

router = APIRouter(prefix="/auth", tags=["auth"])


def _now() -> datetime:
    return datetime.now(UTC)


def _settings(request: Request) -> GatewaySettings:
    return request.app.state.settings  # type: ignore[no-any-return]


SettingsDep = Annotated[GatewaySettings, Depends(_settings)]


def _tokens(request: Request, response: Response, row: SignInSession, refresh_token: str) -> SessionTokens:
    settings: GatewaySettings = request.app.state.settings
    ttl = settings.session_token_ttl_seconds
    access = sessions.issue_access(row.id, row.account_id or str(row.citizen_id), secret=request.app.state.token_secret,
                                   ttl_seconds=ttl)
    response.headers["Cache-Control"] = "no-store"
    return SessionTokens(access_token=access, expires_in=ttl, refresh_token=refresh_token,
                         second_factor=row.second_factor)


@router.post("/login", summary="Sign in with a username, a password and a TOTP code",
             responses=problem_responses(401, 422, 423, 429))
async def login(body: SignIn, request: Request, response: Response, session: SessionDep,
                settings: SettingsDep) -> SessionTokens:
    """Open a session for an account; the access token then authenticates its requests for a few minutes."""
    state = request.app.state
    address = request_client_ip(request)
    await state.limiter.hit(f"login-ip:{address}", settings.token_rate_limit, caller="login")
    counted = f"account:{body.username}"
    await state.auth_failures.guard(address, counted)
    now = _now()
    try:
        account, second_factor = await accounts.sign_in(
            session, username=body.username, password=body.password, totp=body.totp, now=now,
            max_failures=settings.sign_in_max_failures, lock_minutes=settings.sign_in_lock_minutes)
    except DomainError as exc:
        await session.commit()  # the failure counted in the account row stays counted
        if isinstance(exc, Unauthorized):
            await state.auth_failures.failed(address, counted)
        raise
    row, refresh = await sessions.start(session, account_id=account.id, second_factor=second_factor, method="password",
                                        now=now, refresh_ttl_seconds=settings.session_ttl_seconds)
    await session.commit()
    return _tokens(request, response, row, refresh)


@router.post("/refresh", summary="Spend a refresh token for new tokens", responses=problem_responses(401, 422, 429))
async def refresh(body: RefreshRequest, request: Request, response: Response, session: SessionDep) -> SessionTokens:
    """Give the next access and refresh tokens of a session; a refresh token works once."""
    state = request.app.state
    address = request_client_ip(request)
    await state.auth_failures.guard(address, None)
    try:
        row, token = await sessions.rotate(session, body.refresh_token, now=_now())
    except Unauthorized as exc:
        await session.commit()  # a reused token's session stays revoked
        await state.auth_failures.failed(address, None)
        if isinstance(exc, RefreshTokenReused):
            state.auth_cache.forget(f"session:{exc.session_id}")
        raise
    await session.commit()
    return _tokens(request, response, row, token)


@router.post("/logout", status_code=204, summary="End the session of this access token",
             responses=problem_responses(401, 429))
async def logout(request: Request, session: SessionDep, caller: CallerDep) -> Response:
    """Revoke the caller's session: its access and refresh tokens stop working at once."""
    key_id = caller.principal.key_id or ""
    if caller.kind != "session" or not key_id.startswith("session:"):
        raise SessionInvalid("Log out with a sign-in's access token.")
    row = await session.get(SignInSession, key_id.removeprefix("session:"))
    if row is not None:
        await sessions.end(session, row, now=_now())
        await session.commit()
    request.app.state.auth_cache.forget(key_id)
    return Response(status_code=204, headers={"Cache-Control": "no-store"})
