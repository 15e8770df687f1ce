"""Accounts: people and organisations that sign in, the roles they hold at sites, and how they sign in.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's second recommended set):
people choose passwords, so the hash must be slow to guess at, unlike the random secrets of keys.
An unknown username is checked against a dummy hash all the same, so the time of a refusal does not
say whether the username exists. A TOTP second factor (RFC 6238, pyotp) is required of the roles
that approve, confirm, decrypt or score (:func:`bianmin.kit.roles.needs_second_factor`).

After ``max_failures`` consecutive failures (a wrong password or a wrong TOTP code) the account is
locked for a while; during the lock even the right password is refused, so guessing gains nothing.
The counter lives in the account row, so every replica sees it.

A role is held only by the kind of subject the role table names (a clerk is staff, an expert an
expert). Citizens have no accounts: they come through an app's signed assertion or the OIDC issuer.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import and_, delete, exists, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.gateway.domain.sealing import SealBroken, TotpSealer
from bianmin.gateway.errors import (
    AccountLocked,
    AccountNotFound,
    RoleNotForKind,
    SecondFactorInvalid,
    SecondFactorRequired,
    SignInFailed,
    UnknownRole,
    UnknownUsername,
    UsernameTaken,
)
from bianmin.gateway.models import Account, AccountParty, AccountRole, SignInSession
from bianmin.kit import subjects
from bianmin.kit.errors import Forbidden, TenantMismatch, Unprocessable
from bianmin.kit.identity import Principal
from bianmin.kit.roles import ROLES, needs_second_factor, scopes_of
from bianmin.kit.sites import EVERYWHERE, within
from bianmin.kit.subjects import Role, Subject

log = logging.getLogger("bianmin.gateway.accounts")

ACCOUNT_KINDS = tuple(k for k in subjects.SUBJECT_KINDS if k != subjects.CITIZEN)
# Kinds that hold no role of the table still need the pages to ask for something; what they may do
# is then decided by the routes on the subject (an enterprise acts for its bound codes only).
KIND_SCOPES: dict[str, frozenset[str]] = {
    subjects.ENTERPRISE: frozenset({"bidding:read", "bidding:write", "guarantee:read", "guarantee:write",
                                    "credit:read", "credit:write"}),
    subjects.ISSUER: frozenset({"guarantee:read", "guarantee:write"}),
    subjects.CITIZEN: frozenset({"queue:read", "queue:write", "catalog:read", "catalog:write", "consult:read",
                                 "consult:write"}),
}
TOTP_ISSUER = "Bianmin"
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash to check unknown usernames against, so a refusal takes the same time either way."""
    return _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """The stored form of a password: argon2id with a random salt."""
    return _hasher.hash(password)


def password_matches(stored: str | None, password: str) -> bool:
    """Whether ``password`` is the one ``stored`` was made from (False for an account without a password)."""
    try:
        return _hasher.verify(stored or _dummy_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def new_password() -> str:
    """A one-time password an admin hands over (about 120 bits): the person changes it by asking for a reset."""
    return secrets.token_urlsafe(15)


@dataclass(frozen=True)
class RoleGrant:
    """A role as requested: its name, the site and the department (optional)."""

    role: str
    site: str
    department: str | None = None


def check_roles(kind: str, roles: Sequence[RoleGrant]) -> None:
    """422 naming the field when a role is unknown or not for ``kind``."""
    for index, grant in enumerate(roles):
        info = ROLES.get(grant.role)
        if info is None:
            raise UnknownRole.field(f"roles[{index}].role", f"unknown role {grant.role!r}; one of {', '.join(sorted(ROLES))}")
        if info.kind != kind:
            raise RoleNotForKind.field(f"roles[{index}].role", f"{grant.role} is held by {info.kind} accounts, not {kind}")


def tenant_of(roles: Iterable[Role]) -> str:
    """The deepest site under which every role is held (``*`` when one is held everywhere, or none is held).

    It becomes the principal's tenant, so tenancy still bounds a subject as it bounds a key: a clerk of
    two villages of one township acts within that township.
    """
    sites = [role.site for role in roles]
    if not sites or EVERYWHERE in sites:
        return EVERYWHERE
    first = sites[0]
    for length in range(len(first), 0, -1):
        area = first[:length]
        if within(first, area) and all(within(site, area) for site in sites):
            return area
    return EVERYWHERE


def ensure_may_manage(admin: Principal, *, kind: str, sites: Iterable[str]) -> None:
    """403 unless ``admin`` may manage an account of ``kind`` holding roles at ``sites``.

    A district-wide admin manages every account. A township admin manages staff accounts whose every
    role is held at its own sites, as it issues keys for its own tenant only
    (:func:`bianmin.gateway.domain.credentials.ensure_may_grant`): never an operator, an expert, an
    enterprise, nor a staff member of another township or of the whole district.
    """
    if admin.district_wide:
        return
    if kind != subjects.STAFF:
        raise Forbidden(f"Only a district-wide admin manages {kind} accounts.", code="district_only")
    listed = list(sites)
    if not listed or not all(within(site, admin.tenant) for site in listed):
        raise TenantMismatch("A township admin manages staff accounts of its own sites only.")


async def create(session: AsyncSession, *, username: str, kind: str, display_name: str, password: str,
                 roles: Sequence[RoleGrant], now: datetime) -> Account:
    """Create an account with its roles; 409 when the username is taken, 422 for a role it may not hold."""
    check_roles(kind, roles)
    if await session.scalar(select(Account.id).where(Account.username == username)) is not None:
        raise UsernameTaken(f"The username {username} is taken.")
    account = Account(id=secrets.token_hex(8), username=username, kind=kind, display_name=display_name,
                      password_hash=hash_password(password), failed_attempts=0, created_at=now)
    session.add(account)
    await session.flush()
    await _replace_roles(session, account, roles)
    return account


async def _replace_roles(session: AsyncSession, account: Account, roles: Sequence[RoleGrant]) -> None:
    await session.execute(delete(AccountRole).where(AccountRole.account_id == account.id))
    for grant in dict.fromkeys(roles):
        session.add(AccountRole(account_id=account.id, role=grant.role, site=grant.site, department=grant.department))
    await session.flush()


async def set_roles(session: AsyncSession, account: Account, roles: Sequence[RoleGrant], *, now: datetime) -> list[str]:
    """Replace an account's roles; its sessions end, since their tokens name the old roles. Gives the ended session ids."""
    check_roles(account.kind, roles)
    await _replace_roles(session, account, roles)
    return await end_sessions(session, account, now=now)


async def reset_password(session: AsyncSession, account: Account, password: str, *, now: datetime) -> list[str]:
    """Set a new password, lift a lock and end every session (whoever knew the old one is out)."""
    account.password_hash = hash_password(password)
    account.failed_attempts = 0
    account.locked_until = None
    return await end_sessions(session, account, now=now)


async def set_disabled(session: AsyncSession, account: Account, disabled: bool, *, now: datetime) -> list[str]:
    """Disable an account (its sessions end at once) or enable it again."""
    account.disabled_at = (account.disabled_at or now) if disabled else None
    return await end_sessions(session, account, now=now) if disabled else []


def totp_step(secret: str, code: str, *, now: datetime) -> int | None:
    """The time step a TOTP code belongs to (this one, or one either side for clock drift), or None when it is wrong.

    Each step's code is accepted once (RFC 6238 §5.2): the caller keeps the last step used, so a code
    seen over a shoulder or in a log cannot be replayed within its 90 seconds.
    """
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for offset in (0, -1, 1):
        if hmac.compare_digest(totp.at(now, counter_offset=offset), code):
            return current + offset
    return None


def enrol_totp(account: Account, sealer: TotpSealer) -> tuple[str, str]:
    """Give the account a fresh TOTP secret, stored sealed; its ``otpauth://`` URI and the secret, to be shown this once."""
    secret = pyotp.random_base32()
    account.totp_secret = sealer.seal(secret, account_id=account.id)
    account.totp_last_step = None
    return pyotp.TOTP(secret).provisioning_uri(name=account.username, issuer_name=TOTP_ISSUER), secret


async def bind_party(session: AsyncSession, account: Account, *, code: str, verified_by: str, evidence: str,
                     now: datetime) -> AccountParty:
    """Bind an enterprise (or issuer) account to a party after an operator verified the proof; binding twice keeps the first."""
    existing = await session.get(AccountParty, (account.id, code))
    if existing is not None:
        return existing
    party = AccountParty(account_id=account.id, code=code, verified_by=verified_by, evidence=evidence, verified_at=now)
    session.add(party)
    await session.flush()
    return party


async def end_sessions(session: AsyncSession, account: Account, *, now: datetime) -> list[str]:
    """Revoke every live session of an account; the ids, so that the caller forgets them from its cache."""
    rows = (await session.execute(select(SignInSession).where(
        SignInSession.account_id == account.id, SignInSession.revoked_at.is_(None)))).scalars().all()
    for row in rows:
        row.revoked_at = now
    await session.flush()
    return [row.id for row in rows]


async def get(session: AsyncSession, account_id: str, *, admin: Principal | None = None) -> Account:
    """One account; 404 when it does not exist or ``admin`` may not manage it (it is not told which)."""
    account = await session.get(Account, account_id)
    if account is None:
        raise AccountNotFound(f"No account {account_id}.")
    if admin is not None:
        try:
            ensure_may_manage(admin, kind=account.kind, sites=[r.site for r in await roles_of(session, account.id)])
        except Forbidden as exc:
            raise AccountNotFound(f"No account {account_id}.") from exc
    return account


async def by_username(session: AsyncSession, username: str) -> Account | None:
    """The account of a username, or None."""
    return await session.scalar(select(Account).where(Account.username == username))


async def roles_of(session: AsyncSession, account_id: str) -> list[AccountRole]:
    """An account's roles, in a stable order."""
    return list((await session.execute(select(AccountRole).where(AccountRole.account_id == account_id)
                                       .order_by(AccountRole.role, AccountRole.site))).scalars().all())


async def parties_of(session: AsyncSession, account_id: str) -> list[AccountParty]:
    """The parties an account was bound to."""
    return list((await session.execute(select(AccountParty).where(AccountParty.account_id == account_id)
                                       .order_by(AccountParty.code))).scalars().all())


async def page(session: AsyncSession, *, limit: int, after: list[Any] | None,
               admin: Principal) -> tuple[list[Account], list[Any] | None]:
    """A page of the accounts ``admin`` manages, oldest first, and the sort key of its last row when more follow."""
    query = select(Account).order_by(Account.created_at, Account.id).limit(limit + 1)
    if not admin.district_wide:
        tenant = str(admin.tenant)
        here = or_(AccountRole.site == tenant, AccountRole.site.like(f"{tenant}%"))
        query = query.where(Account.kind == subjects.STAFF,
                            exists().where(AccountRole.account_id == Account.id),
                            not_(exists().where(AccountRole.account_id == Account.id, not_(here))))
    if after is not None:
        try:
            created = datetime.fromisoformat(str(after[0]))
        except (ValueError, IndexError) as exc:
            raise Unprocessable.field("cursor", "not a cursor of this list") from exc
        query = query.where(or_(Account.created_at > created,
                                and_(Account.created_at == created, Account.id > str(after[1]))))
    rows = list((await session.execute(query)).scalars().all())
    if not admin.district_wide:  # LIKE is the coarse cut; within() is the rule (330199001 is not under 33019900)
        rows = [r for r in rows if all(within(x.site, admin.tenant) for x in await roles_of(session, r.id))]
    if len(rows) > limit:
        last = rows[limit - 1]
        return rows[:limit], [last.created_at.isoformat(), last.id]
    return rows, None


async def sign_in(session: AsyncSession, *, username: str, password: str, totp: str | None, now: datetime,
                  max_failures: int, lock_minutes: float, sealer: TotpSealer) -> tuple[Account, bool]:
    """The account these credentials open and whether a second factor was checked; refusals as problems.

    Every refusal but the lock is the same 401 until the password is right, whatever was wrong. The
    caller commits even when this raises: a failure is counted in the account row.
    """
    account = await by_username(session, username)
    if account is not None and account.locked_until is not None and account.locked_until > now:
        raise _locked(account, now)
    if account is None or not password_matches(account.password_hash, password) or account.disabled_at is not None:
        if account is not None and account.disabled_at is None:
            await _failed(session, account, now=now, max_failures=max_failures, lock_minutes=lock_minutes)
        raise (UnknownUsername if account is None else SignInFailed)("The username or the password is wrong.")
    names = [r.role for r in await roles_of(session, account.id)]
    second_factor = False
    # A code is checked when the roles need one, or when one is sent to an account that has TOTP.
    if needs_second_factor(names) or (totp is not None and account.totp_secret is not None):
        if account.totp_secret is None:
            raise SecondFactorRequired("This account's roles need a TOTP code, and it has no TOTP enrolled; "
                                       "ask an operator to enrol one.")
        if totp is None:
            raise SecondFactorRequired("This account's roles need a TOTP code: send it as `totp`.")
        try:
            step = totp_step(sealer.open(account.totp_secret, account_id=account.id), totp, now=now)
        except SealBroken:
            # Sealed under another internal secret or copied from another account's row: no code can match.
            log.warning("a TOTP secret does not open; enrol TOTP again", extra={"account": account.id})
            step = None
        if step is None or (account.totp_last_step is not None and step <= account.totp_last_step):
            await _failed(session, account, now=now, max_failures=max_failures, lock_minutes=lock_minutes)
            raise SecondFactorInvalid("The TOTP code is wrong, expired or already used.")
        account.totp_last_step = step
        second_factor = True
    account.failed_attempts = 0
    account.locked_until = None
    await session.flush()
    return account, second_factor


async def _failed(session: AsyncSession, account: Account, *, now: datetime, max_failures: int,
                  lock_minutes: float) -> None:
    """Count one failure; the ``max_failures``-th in a row locks the account (423 at once)."""
    account.failed_attempts += 1
    if account.failed_attempts >= max_failures:
        account.failed_attempts = 0
        account.locked_until = now + timedelta(minutes=lock_minutes)
        await session.flush()
        raise _locked(account, now)
    await session.flush()


def _locked(account: Account, now: datetime) -> AccountLocked:
    assert account.locked_until is not None
    return locked(max(1, int((account.locked_until - now).total_seconds() + 0.999)))


def locked(seconds: int) -> AccountLocked:
    """The 423 of a locked account (or of a username that failed as often: see the login route)."""
    return AccountLocked(f"Too many failed sign-ins: the account is locked for {seconds} s.",
                         headers={"Retry-After": str(seconds)})


def subject_of(account: Account, roles: Sequence[AccountRole], parties: Sequence[AccountParty], *,
               second_factor: bool) -> Subject:
    """The subject an account's session acts as."""
    return Subject(kind=account.kind, id=f"acct:{account.id}", name=account.display_name,
                   roles=tuple(Role(r.role, r.site, r.department) for r in roles),
                   parties=frozenset(p.code for p in parties), second_factor=second_factor)


def principal_for(subject: Subject, *, session_id: str) -> Principal:
    """The principal of the platform's own pages acting for ``subject`` in one session."""
    scopes = scopes_of(r.name for r in subject.roles) | KIND_SCOPES.get(subject.kind, frozenset())
    return Principal(key_id=f"session:{session_id}", tenant=tenant_of(subject.roles), scopes=scopes,
                     name=subject.name, subject=subject)


async def session_principal(session: AsyncSession, row: SignInSession) -> Principal | None:
    """The principal a live session acts as, or None when its account was disabled since."""
    if row.account_id is None:
        citizen = Subject(kind=subjects.CITIZEN, id=str(row.citizen_id), name=row.citizen_name,
                          second_factor=row.second_factor)
        return principal_for(citizen, session_id=row.id)
    account = await session.get(Account, row.account_id)
    if account is None or account.disabled_at is not None:
        return None
    subject = subject_of(account, await roles_of(session, account.id), await parties_of(session, account.id),
                         second_factor=row.second_factor)
    return principal_for(subject, session_id=row.id)
