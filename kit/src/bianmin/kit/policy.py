"""Who may call a route, declared on the route: subject kinds, roles, a second factor, or an app alone.

A route lists what it admits (``dependencies=[policy(staff("clerk"), app())]``); anything else gets a
403 that says what was missing. The declaration is read back by :func:`declared_policy`, so the
access matrix is generated from the routes, and the OpenAPI document shows it (``x-bianmin-policy``).
The route still checks the resource: a clerk admitted here serves only halls under the sites where
the role is held (``principal.has_role("clerk", hall.site_code)``).

- ``app()``: an app acting alone (a key or client with no subject), bounded by its scopes and tenant,
  as every key worked before subjects existed;
- ``staff("clerk", "hall_manager")``, ``supervisor()``, ``expert()``, ...: a subject of that kind,
  holding one of the roles when roles are named;
- ``second_factor=True``: the subject signed in with a second factor (roles that approve, confirm,
  decrypt or score).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Depends

from bianmin.kit import subjects
from bianmin.kit.errors import RoleMissing, SecondFactorRequired, SubjectNotAllowed
from bianmin.kit.identity import Principal, PrincipalDep
from bianmin.kit.sites import EVERYWHERE

APP = "app"
POLICY_EXTRA = "x-bianmin-policy"




def ensure_role(principal: Principal, role: str | tuple[str, ...], site: str | None) -> None:
    """403 ``role_missing`` unless a subject holds ``role`` (or one of several) over ``site``; an app alone passes
    (its tenancy decides).

    A route's policy admits the role somewhere; this checks that it reaches the resource's own site
    (a township's staff act on that township's resources and its villages', not the district's).
    """
    roles = (role,) if isinstance(role, str) else role
    if principal.subject is not None and not any(principal.has_role(r, site) for r in roles):
        raise RoleMissing(f"The role {' or '.join(roles)} is not held over site {site}.")


def district_role(role: str) -> Any:
    """A dependency: a staff subject changes what the district shares only holding ``role`` district-wide.

    :func:`bianmin.kit.identity.district_only` reads the app's tenant, and the platform's pages are
    district-wide for everyone signed in through them; a township's staff must not edit the
    district's expert pool or enterprise register.
    """

    async def check(principal: PrincipalDep) -> Principal:  # async: no thread-pool hop
        if principal.is_a(subjects.STAFF) and not principal.has_role(role, EVERYWHERE):
            raise RoleMissing(f"Changing what the district shares needs the role {role} held district-wide.")
        return principal

    return Depends(check)


@dataclass(frozen=True)
class Allow:
    """One kind of caller a route admits."""

    kind: str
    roles: frozenset[str] = frozenset()
    second_factor: bool = False

    def describe(self) -> str:
        """``staff (clerk, hall_manager), second factor`` — for messages and the OpenAPI document."""
        roles = f" ({', '.join(sorted(self.roles))})" if self.roles else ""
        return f"{self.kind}{roles}{', second factor' if self.second_factor else ''}"


def app() -> Allow:
    """An app acting alone (no subject)."""
    return Allow(APP)


def _kind(kind: str) -> Any:
    def allow(*roles: str, second_factor: bool = False) -> Allow:
        return Allow(kind, frozenset(roles), second_factor)

    allow.__doc__ = f"A {kind} subject, holding one of ``roles`` when named."
    return allow


citizen = _kind(subjects.CITIZEN)
staff = _kind(subjects.STAFF)
enterprise = _kind(subjects.ENTERPRISE)
expert = _kind(subjects.EXPERT)
custodian = _kind(subjects.CUSTODIAN)
issuer = _kind(subjects.ISSUER)
supervisor = _kind(subjects.SUPERVISOR)
operator = _kind(subjects.OPERATOR)


def everyone() -> tuple[Allow, ...]:
    """An app alone and a subject of every kind: what a public read declares."""
    return (app(), *(Allow(kind) for kind in subjects.SUBJECT_KINDS))


def admits(principal: Principal, allowed: tuple[Allow, ...]) -> None:
    """Raise the 403 that says why ``principal`` is none of ``allowed``."""
    subject = principal.subject
    if subject is None:
        if any(a.kind == APP for a in allowed):
            return
        raise SubjectNotAllowed(f"This route needs a person signed in: {_list(allowed)}.")
    kinds = [a for a in allowed if a.kind == subject.kind]
    if not kinds:
        raise SubjectNotAllowed(f"A {subject.kind} may not call this route; it admits {_list(allowed)}.")
    with_role = [a for a in kinds if not a.roles or subject.holds_anywhere(a.roles)]
    if not with_role:
        roles = sorted({r for a in kinds for r in a.roles})
        raise RoleMissing(f"This route needs the role {' or '.join(roles)}.")
    if not any(subject.second_factor or not a.second_factor for a in with_role):
        raise SecondFactorRequired("This route needs a sign-in with a second factor (TOTP).")


def _list(allowed: tuple[Allow, ...]) -> str:
    return "; ".join(a.describe() for a in allowed)


def policy(*allowed: Allow) -> Any:
    """A route dependency admitting only ``allowed`` callers (see the module docstring)."""

    async def check(principal: PrincipalDep) -> Principal:  # async: no thread-pool hop
        admits(principal, allowed)
        return principal

    check.policy = allowed  # type: ignore[attr-defined]
    return Depends(check)


def declared_policy(route: object) -> tuple[Allow, ...] | None:
    """What a route declared with :func:`policy` (its own or a dependency's), or None."""
    stack = [getattr(route, "dependant", None)]
    while stack:
        dependant = stack.pop()
        if dependant is None:
            continue
        found = getattr(dependant.call, "policy", None)
        if found is not None:
            return found
        stack.extend(dependant.dependencies)
    return None
