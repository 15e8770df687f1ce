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
from bianmin.gateway.domain import accounts, assertions, oidc, sessions
from bianmin.gateway.errors import (
    OidcTokenRefused,
    RefreshTokenReused,
    SecondFactorRequired,
    SessionInvalid,
    UnknownUsername,
)
from bianmin.gateway.models import SignInSession
from bianmin.gateway.schemas import OidcSignIn, RefreshRequest, SessionTokens, SignIn
from bianmin.gateway.settings import GatewaySettings
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import DomainError, Unauthorized, problem_responses
from bianmin.kit.identifiers import resident_id_problem
from bianmin.kit.roles import needs_second_factor
from bianmin.kit.schemas import canonical

router = APIRouter(prefix="/auth", tags=["auth"])


def _now() -> datetime:
    return datetime.now(UTC)


def _settings(request: Request) -> GatewaySettings:
    return request.app.state.settings  # type: ignore[no-any-return]


SettingsDep = Annotated[GatewaySettings, Depends(_settings)]


def _lock_seconds(settings: GatewaySettings) -> int:
    return max(1, round(settings.sign_in_lock_minutes * 60))


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
    # A username no account has locks after as many failures as an account does, or the lock would
    # tell which usernames exist. Its count lives in the rate limiter (shared when Redis is), not a row.
    unknown, lock = f"signin-unknown:{body.username}", f"{settings.sign_in_max_failures}/{_lock_seconds(settings)} seconds"
    if (retry := await state.limiter.exhausted(unknown, lock)) is not None:
        raise accounts.locked(retry)
    now = _now()
    try:
        account, second_factor = await accounts.sign_in(
            session, username=body.username, password=body.password, totp=body.totp, now=now,
            max_failures=settings.sign_in_max_failures, lock_minutes=settings.sign_in_lock_minutes,
            sealer=state.totp_sealer)
    except DomainError as exc:
        await session.commit()  # the failure counted in the account row stays counted
        if isinstance(exc, Unauthorized):
            await state.auth_failures.failed(address, counted)
        if isinstance(exc, UnknownUsername):
            await state.limiter.count(unknown, lock)
            if (retry := await state.limiter.exhausted(unknown, lock)) is not None:
                raise accounts.locked(retry) from exc
        raise
    row, refresh = await sessions.start(session, account_id=account.id, second_factor=second_factor, method="password",
                                        now=now, refresh_ttl_seconds=settings.session_ttl_seconds)
    await session.commit()
    return _tokens(request, response, row, refresh)


@router.post("/oidc", summary="Sign in with an ID token of a trusted OpenID Connect issuer",
             responses=problem_responses(401, 422, 429))
async def oidc_login(body: OidcSignIn, request: Request, response: Response, session: SessionDep,
                     settings: SettingsDep) -> SessionTokens:
    """Open a session for the account (staff issuers) or the citizen (citizen issuers) an ID token names."""
    state = request.app.state
    address = request_client_ip(request)
    await state.limiter.hit(f"login-ip:{address}", settings.token_rate_limit, caller="login")
    await state.auth_failures.guard(address, None)
    try:
        row, refresh_token = await _oidc_session(request, session, body.id_token, settings)
    except Unauthorized:
        await state.auth_failures.failed(address, None)
        raise
    await session.commit()
    return _tokens(request, response, row, refresh_token)


async def _oidc_session(request: Request, session: SessionDep, id_token: str,
                        settings: GatewaySettings) -> tuple[SignInSession, str]:
    issuer, claims = await request.app.state.oidc.verify(id_token)
    named = claims.get(issuer.claim)
    if not isinstance(named, str) or not named.strip():
        raise OidcTokenRefused(f"The ID token lacks the claim {issuer.claim}.", code="oidc_claim_missing")
    mfa = oidc.second_factor(claims)
    now = _now()
    if issuer.kind == "citizen":
        if resident_id_problem(canonical(named)) is not None:
            raise OidcTokenRefused(f"The claim {issuer.claim} is not a valid resident ID number.",
                                   code="oidc_claim_invalid")
        name = claims.get(issuer.name_claim)
        return await sessions.start(session, account_id=None, second_factor=mfa, method="oidc", now=now,
                                    refresh_ttl_seconds=settings.session_ttl_seconds,
                                    citizen_id=assertions.citizen_id(named, request.app.state.citizen_secret),
                                    citizen_name=name if isinstance(name, str) else None)
    account = await accounts.by_username(session, named.strip().lower())
    if account is None or account.disabled_at is not None:
        raise OidcTokenRefused("No active account has the username this ID token names.", code="oidc_account_unknown")
    roles = [r.role for r in await accounts.roles_of(session, account.id)]
    if needs_second_factor(roles) and not mfa:
        raise SecondFactorRequired("This account's roles need a second factor, and the issuer's amr names none.")
    return await sessions.start(session, account_id=account.id, second_factor=mfa, method="oidc", now=now,
                                refresh_ttl_seconds=settings.session_ttl_seconds)


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
