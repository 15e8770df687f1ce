"""Who may see and act on what in the consult service.

Department staff hold the scope ``consult:answer`` and name the department they answer for with a
scope ``consult:dept:<CODE>`` (e.g. ``consult:dept:SCJ`` for 市场监管局; a key may name several). Their
``tenant`` is their site: a township key (its tenant the township's code) sees its department's questions
asked at that township, a district key (``*``) sees its department's questions everywhere. District-wide keys with
``consult:admin`` (or ``admin``) see everything, work the triage queue, approve extensions and edit
routing rules and departments. Askers are not staff at all: they act through the access code they
got when they asked. The public sees only published knowledge-base articles.

People (issue 19): a staff member signed in holds the role ``consult_agent`` at sites, for a
department (``Role.department``); it sees and answers the questions of that department asked at
those sites and below, whatever scopes its app holds. An operator signed in administers the service
like a ``consult:admin`` key. A citizen signed in asks and rates their own questions: the asker is
recorded (:func:`asker_of`) and a question a citizen asked is rated by that citizen only.

Where a question is asked (issue 20): a site of the registry the catalog announces at which a person
can ask (:data:`ASKING_LEVELS`), never a pattern, so one deployment serves several districts. A
question that names no site belongs to the caller's own site, else to the deployment's configured
``district_site``; a deployment that configures none serves several districts, and then the
question must name its site.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.kit import subjects
from bianmin.kit.errors import TenantMismatch, Unprocessable
from bianmin.kit.identity import Principal
from bianmin.kit.site_registry import require_site
from bianmin.kit.sites import EVERYWHERE, within
from bianmin.kit.subjects import Role

DEPT_SCOPE_PREFIX = "consult:dept:"
AGENT = "consult_agent"
# Where a person asks: a hall (the district's, a township's or street's, a village's or community's) or
# a bank outlet (政银合作); not a terminal, which hands over to the hall or outlet it stands in.
ASKING_LEVELS = ("district", "township", "village", "bank")


@dataclass(frozen=True)
class Staff:
    """A principal seen as consult staff: its departments and whether it administers the service."""

    principal: Principal
    admin: bool
    departments: frozenset[str]
    # The consult_agent roles of a staff subject (site, department); None for a key acting alone.
    roles: tuple[Role, ...] | None = None

    @property
    def key(self) -> str:
        """The key id that acts (recorded on transfers, answers and decisions)."""
        return self.principal.key_id or "anonymous"

    def sees(self, *, department_code: str | None, tenant: str) -> bool:
        """Whether this staff member may see an entry of ``department_code`` at ``tenant``."""
        if not self.principal.may_act_on(tenant):
            return False
        if self.roles is not None:
            return department_code is not None and any(r.covers(tenant, department_code) for r in self.roles)
        return self.admin or (department_code is not None and department_code in self.departments)


def seen_by(staff: Staff, *, tenant: Any, department: Any) -> list[ColumnElement[bool]]:
    """The SQL twin of :meth:`Staff.sees`: conditions keeping the rows of the staff member's site and departments.

    ``tenant`` and ``department`` are the columns holding a row's site and department.
    """
    conditions: list[ColumnElement[bool]] = []
    if not staff.principal.district_wide:
        # Its own site and the sites under it (a township's villages), as may_act_on reaches them.
        own = staff.principal.tenant
        conditions.extend(site_rows(tenant, [own]) if own else [false()])
    if staff.roles is not None:
        conditions.append(or_(false(), *(_role_rows(role, tenant, department) for role in staff.roles)))
    elif not staff.admin:
        conditions.append(department.in_(sorted(staff.departments)))
    return conditions


def _role_rows(role: Role, tenant: Any, department: Any) -> ColumnElement[bool]:
    """The rows one consult_agent role reaches: its sites (and below) and its department (any when it names none)."""
    conditions = [department.is_not(None)]
    if role.site != EVERYWHERE:
        conditions.append(or_(tenant == role.site, tenant.like(f"{role.site}%")))
    if role.department is not None:
        conditions.append(department == role.department)
    return and_(*conditions)


def site_rows(column: Any, sites: list[str] | None) -> list[ColumnElement[bool]]:
    """Conditions keeping the rows whose site ``column`` lies within one of ``sites`` (None: every site).

    A site's code begins with the code of every site above it (:mod:`bianmin.kit.sites`), so "within" is
    a prefix match in SQL; site codes hold no LIKE wildcards (digits and letters only, ``SiteCode``).
    """
    if sites is None:
        return []
    return [or_(false(), *(or_(column == site, column.like(f"{site}%")) for site in sites))]


def sites_of(principal: Principal) -> list[str] | None:
    """The sites whose figures ``principal`` sees: its app's tenancy, narrowed to a staff subject's role sites.

    None means every site (a district key, an operator or a supervisor signed in district-wide). A
    township's cockpit sees its own sites only (issue 19).
    """
    tenancy = None if principal.district_wide else [principal.tenant or ""]
    if not principal.is_a(subjects.STAFF):
        return tenancy
    assert principal.subject is not None
    held = [role.site for role in principal.subject.roles]
    if EVERYWHERE in held:
        return tenancy
    if tenancy is None:
        return sorted(set(held))
    return sorted({site for site in held if within(site, tenancy[0])}
                  | {tenancy[0] for site in held if within(tenancy[0], site)})


def staff_of(principal: Principal) -> Staff:
    """The staff view of a principal (admins hold every department; a staff subject its consult_agent roles)."""
    if principal.is_a(subjects.STAFF):
        assert principal.subject is not None
        roles = tuple(r for r in principal.subject.roles if r.name == AGENT)
        return Staff(principal=principal, admin=False, roles=roles,
                     departments=frozenset(r.department for r in roles if r.department is not None))
    if principal.is_a(subjects.OPERATOR):
        return Staff(principal=principal, admin=True, departments=frozenset())
    if principal.subject is not None:  # a citizen, enterprise, ...: no department, whatever its app's scopes
        return Staff(principal=principal, admin=False, departments=frozenset(), roles=())
    departments = frozenset(s.removeprefix(DEPT_SCOPE_PREFIX) for s in principal.scopes
                            if s.startswith(DEPT_SCOPE_PREFIX) and len(s) > len(DEPT_SCOPE_PREFIX))
    return Staff(principal=principal, admin=principal.has_scope("consult:admin"), departments=departments)


async def asking_site(session: AsyncSession, principal: Principal, site_code: str | None, *,
                      district_site: str | None) -> str:
    """The site a new question or entry belongs to: the one named, or the caller's own, or the configured default.

    Anonymous callers and district-wide keys may name any site a person asks at; a township's key
    submits for its own. A named site must be in the registry (422 naming ``site_code`` otherwise).
    """
    if not (principal.anonymous or principal.district_wide or principal.tenant is None):
        if site_code is not None and site_code != principal.tenant:
            raise TenantMismatch("This key may not submit for another site.")
        return principal.tenant
    if site_code is None:
        if district_site is None:
            raise Unprocessable.field("site_code", "this deployment serves several districts: name the site")
        return district_site
    await require_site(session, site_code, field="site_code", levels=ASKING_LEVELS)
    return site_code


def asker_of(principal: Principal) -> str | None:
    """Who asks: ``citizen:<subject id>`` for a citizen signed in, ``app:<key>`` for an app alone, None if anonymous."""
    if principal.is_a(subjects.CITIZEN):
        assert principal.subject is not None
        return f"citizen:{principal.subject.id}"
    if principal.subject is None and not principal.anonymous:
        return f"app:{principal.key_id}"
    return None
