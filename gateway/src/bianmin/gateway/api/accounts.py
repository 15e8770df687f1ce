"""``/admin/v1/accounts``: people's accounts, their roles, passwords, TOTP and bound parties (scope ``admin``).

A district-wide admin (the operator's key, or an operator's account) manages every account; a
township admin only staff accounts whose every role is held at its own sites
(:func:`bianmin.gateway.domain.accounts.ensure_may_manage`); other accounts are 404 to it, as other
tenants' keys are. Binding a party and registering an app's citizen-assertion key are the district
operator's alone: either lets someone speak for an enterprise, an issuer or any citizen, which no
site owns. A change of roles, a password reset or a disable ends the account's sessions at once.
Secrets (a generated password, a TOTP secret) are in the answer that creates them, never again.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request

from bianmin.gateway.auth import AdminDep
from bianmin.gateway.domain import accounts, assertions, credentials
from bianmin.gateway.models import Account, ApiKey, CitizenAssertionKey
from bianmin.gateway.schemas import (
    AccountCreate,
    AccountCreated,
    AccountPage,
    AccountRead,
    CitizenKeyRead,
    CitizenKeyRegister,
    PartyBind,
    PartyRead,
    PasswordIssued,
    PasswordReset,
    RoleHeld,
    RolesUpdate,
    TotpEnrolment,
)
from bianmin.kit import subjects
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import DistrictOnly, NotFound, Unprocessable, problem_responses
from bianmin.kit.identifiers import uscc_problem
from bianmin.kit.identity import Principal
from bianmin.kit.pagination import PageDep, encode_cursor

router = APIRouter(prefix="/admin/v1", tags=["admin"])
ONE_ERRORS = problem_responses(401, 403, 404, 429)
CHANGE_ERRORS = problem_responses(401, 403, 404, 422, 429)


def _now() -> datetime:
    return datetime.now(UTC)


def _grants(roles: list[RoleHeld]) -> list[accounts.RoleGrant]:
    return [accounts.RoleGrant(r.role, r.site, r.department) for r in roles]


def _who(admin: Principal) -> str:
    """How an admin is named in what it records: its account when a person acts, else its key."""
    if admin.subject is not None:
        return f"{admin.subject.id} ({admin.subject.name})"
    return f"key:{admin.key_id} ({admin.name})"


async def _read(session: SessionDep, account: Account) -> AccountRead:
    roles = await accounts.roles_of(session, account.id)
    parties = await accounts.parties_of(session, account.id)
    return AccountRead(id=account.id, username=account.username, kind=account.kind, display_name=account.display_name,
                       roles=[RoleHeld(role=r.role, site=r.site, department=r.department) for r in roles],
                       parties=[PartyRead.model_validate(p) for p in parties],
                       totp_enrolled=account.totp_secret is not None, locked_until=account.locked_until,
                       disabled_at=account.disabled_at, created_at=account.created_at)


def _forget(request: Request, session_ids: list[str]) -> None:
    for session_id in session_ids:
        request.app.state.auth_cache.forget(f"session:{session_id}")


@router.post("/accounts", status_code=201, summary="Create an account", responses=problem_responses(401, 403, 409, 422, 429))
async def create_account(body: AccountCreate, session: SessionDep, admin: AdminDep) -> AccountCreated:
    """Create an account with its roles; a generated first password is in this answer only."""
    accounts.ensure_may_manage(admin, kind=body.kind, sites=[r.site for r in body.roles])
    password = body.password or accounts.new_password()
    account = await accounts.create(session, username=body.username, kind=body.kind, display_name=body.display_name,
                                    password=password, roles=_grants(body.roles), now=_now())
    read = await _read(session, account)
    await session.commit()
    return AccountCreated(**read.model_dump(), password=None if body.password else password)


@router.get("/accounts", summary="List accounts", responses=problem_responses(401, 403, 422, 429))
async def list_accounts(session: SessionDep, admin: AdminDep, paging: PageDep) -> AccountPage:
    """The accounts this admin manages, oldest first, disabled ones included."""
    rows, last = await accounts.page(session, limit=paging.limit, after=paging.after, admin=admin)
    return AccountPage(items=[await _read(session, row) for row in rows],
                       next_cursor=encode_cursor(last) if last else None)


@router.get("/accounts/{account_id}", summary="Read an account", responses=ONE_ERRORS)
async def read_account(account_id: str, session: SessionDep, admin: AdminDep) -> AccountRead:
    """One account, without its password hash or TOTP secret."""
    return await _read(session, await accounts.get(session, account_id, admin=admin))


@router.put("/accounts/{account_id}/roles", summary="Set an account's roles", responses=CHANGE_ERRORS)
async def set_roles(account_id: str, body: RolesUpdate, request: Request, session: SessionDep, admin: AdminDep) -> AccountRead:
    """Replace the roles an account holds; its sessions end, so the next sign-in carries the new roles."""
    account = await accounts.get(session, account_id, admin=admin)
    accounts.ensure_may_manage(admin, kind=account.kind, sites=[r.site for r in body.roles])
    ended = await accounts.set_roles(session, account, _grants(body.roles), now=_now())
    read = await _read(session, account)
    await session.commit()
    _forget(request, ended)
    return read


@router.post("/accounts/{account_id}/password", summary="Reset an account's password", responses=CHANGE_ERRORS)
async def reset_password(account_id: str, body: PasswordReset, request: Request, session: SessionDep,
                         admin: AdminDep) -> PasswordIssued:
    """Set a new password (generated when omitted, shown once), lift a lock and end every session."""
    account = await accounts.get(session, account_id, admin=admin)
    password = body.password or accounts.new_password()
    ended = await accounts.reset_password(session, account, password, now=_now())
    await session.commit()
    _forget(request, ended)
    return PasswordIssued(password=None if body.password else password)


@router.post("/accounts/{account_id}/disable", summary="Disable an account", responses=ONE_ERRORS)
async def disable_account(account_id: str, request: Request, session: SessionDep, admin: AdminDep) -> AccountRead:
    """Refuse the account's sign-ins and end its sessions at once."""
    account = await accounts.get(session, account_id, admin=admin)
    ended = await accounts.set_disabled(session, account, True, now=_now())
    read = await _read(session, account)
    await session.commit()
    _forget(request, ended)
    return read


@router.post("/accounts/{account_id}/enable", summary="Enable a disabled account", responses=ONE_ERRORS)
async def enable_account(account_id: str, session: SessionDep, admin: AdminDep) -> AccountRead:
    """Let a disabled account sign in again."""
    account = await accounts.get(session, account_id, admin=admin)
    await accounts.set_disabled(session, account, False, now=_now())
    read = await _read(session, account)
    await session.commit()
    return read


@router.post("/accounts/{account_id}/totp", summary="Enrol a new TOTP secret", responses=ONE_ERRORS)
async def enrol_totp(account_id: str, request: Request, session: SessionDep, admin: AdminDep) -> TotpEnrolment:
    """Give the account a fresh TOTP secret (the former one stops working); the URI is shown this once."""
    account = await accounts.get(session, account_id, admin=admin)
    uri, secret = accounts.enrol_totp(account, request.app.state.totp_sealer)
    await session.commit()
    return TotpEnrolment(otpauth_uri=uri, secret=secret)


@router.post("/accounts/{account_id}/parties", status_code=201, summary="Bind an account to a party after proof",
             responses=CHANGE_ERRORS)
async def bind_party(account_id: str, body: PartyBind, session: SessionDep, admin: AdminDep) -> PartyRead:
    """Record that an operator verified the account speaks for this enterprise (credit code) or issuer.

    Only then does a bidder app signed in as this account act for the code: naming a code proves nothing.
    """
    if not admin.operator:
        raise DistrictOnly("Only a district operator binds an account to an enterprise or an issuer.")
    account = await accounts.get(session, account_id, admin=admin)
    if account.kind == subjects.ENTERPRISE:
        problem = uscc_problem(body.code)
        if problem is not None:
            raise Unprocessable.field("code", problem)
    elif account.kind != subjects.ISSUER:
        raise Unprocessable.field("code", f"{account.kind} accounts speak for no party; enterprises and issuers do")
    party = await accounts.bind_party(session, account, code=body.code, verified_by=_who(admin), evidence=body.evidence,
                                      now=_now())
    read = PartyRead.model_validate(party)
    await session.commit()
    return read


@router.put("/keys/{key_id}/citizen-assertion-key", summary="Let an API key act for citizens",
            responses=CHANGE_ERRORS)
async def register_citizen_key(key_id: str, body: CitizenKeyRegister, request: Request, session: SessionDep,
                               admin: AdminDep) -> CitizenKeyRead:
    """Register the public key with which this key's app signs citizen assertions (replacing a former one)."""
    if not admin.operator:
        raise DistrictOnly("Only a district operator lets an app act for citizens.")
    await credentials.get(session, ApiKey, key_id)
    record = await assertions.register(session, key_id=key_id, algorithm=body.algorithm, public_key=body.public_key,
                                       registered_by=_who(admin), now=_now())
    read = CitizenKeyRead.model_validate(record)
    await session.commit()
    request.app.state.auth_cache.forget(key_id)
    return read


@router.get("/keys/{key_id}/citizen-assertion-key", summary="Read an API key's citizen-assertion key",
            responses=ONE_ERRORS)
async def read_citizen_key(key_id: str, session: SessionDep, admin: AdminDep) -> CitizenKeyRead:
    """The public key registered for this key's citizen assertions; 404 when it acts for no citizen."""
    if not admin.operator:
        raise DistrictOnly("Only a district operator manages which apps act for citizens.")
    record = await session.get(CitizenAssertionKey, key_id)
    if record is None:
        raise NotFound(f"The API key {key_id} is not registered to act for citizens.", code="citizen_key_not_found")
    return CitizenKeyRead.model_validate(record)
