"""Who may see and act on what in the consult service.

Department staff hold the scope ``consult:answer`` and name the department they answer for with a
scope ``consult:dept:<CODE>`` (e.g. ``consult:dept:SCJ`` for 市场监管局; a key may name several). Their
``tenant`` is their site: a township key (``330199003``) sees its department's questions asked at that
township, a district key (``*``) sees its department's questions everywhere. District-wide keys with
``consult:admin`` (or ``admin``) see everything, work the triage queue, approve extensions and edit
routing rules and departments. Askers are not staff at all: they act through the access code they
got when they asked. The public sees only published knowledge-base articles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement

from bianmin.kit.errors import TenantMismatch
from bianmin.kit.identity import Principal

DEPT_SCOPE_PREFIX = "consult:dept:"


@dataclass(frozen=True)
class Staff:
    """A principal seen as consult staff: its departments and whether it administers the service."""

    principal: Principal
    admin: bool
    departments: frozenset[str]

    @property
    def key(self) -> str:
        """The key id that acts (recorded on transfers, answers and decisions)."""
        return self.principal.key_id or "anonymous"

    def sees(self, *, department_code: str | None, tenant: str) -> bool:
        """Whether this staff member may see an entry of ``department_code`` at ``tenant``."""
        if not self.principal.may_act_on(tenant):
            return False
        return self.admin or (department_code is not None and department_code in self.departments)


def seen_by(staff: Staff, *, tenant: Any, department: Any) -> list[ColumnElement[bool]]:
    """The SQL twin of :meth:`Staff.sees`: conditions keeping the rows of the staff member's site and departments.

    ``tenant`` and ``department`` are the columns holding a row's site and department.
    """
    conditions: list[ColumnElement[bool]] = []
    if not staff.principal.district_wide:
        conditions.append(tenant == staff.principal.tenant)
    if not staff.admin:
        conditions.append(department.in_(sorted(staff.departments)))
    return conditions


def staff_of(principal: Principal) -> Staff:
    """The staff view of a principal (admins hold every department)."""
    departments = frozenset(s.removeprefix(DEPT_SCOPE_PREFIX) for s in principal.scopes
                            if s.startswith(DEPT_SCOPE_PREFIX) and len(s) > len(DEPT_SCOPE_PREFIX))
    return Staff(principal=principal, admin=principal.has_scope("consult:admin"), departments=departments)


def site_for(principal: Principal, site_code: str | None, *, district_site: str) -> str:
    """The site a new question or entry belongs to: the caller's own, or the one named, or the district hall.

    Anonymous callers and district-wide keys may name any site; a township's key submits for its own.
    """
    if principal.anonymous or principal.district_wide or principal.tenant is None:
        return site_code or district_site
    if site_code is not None and site_code != principal.tenant:
        raise TenantMismatch("This key may not submit for another site.")
    return principal.tenant
