"""Who acts on the catalog's records: the applicant, the site's staff, the sites above it (issue 19).

The gateway names the subject acting (:mod:`bianmin.kit.subjects`); the rules here decide on it, so
a key's scopes only bound what its app may ask for.

- 政务服务 受审分离 (separation of acceptance and approval): only staff holding ``acceptor`` accept
  (受理) or refuse to accept, and only ``approver`` approves, rejects or completes, each at the
  application's site *and* department; whoever submitted an application or recorded a redemption
  never approves it (``separation_of_duties``).
- 国办发〔2019〕51号 (好差评): the citizen who was served rates and re-rates, never a clerk's key
  (``not_the_holder``); an appeal against a site's bad review is decided above that site
  (``decided_above_site``).
- 个人信息保护法: the applicant's name, phone and ID number are shown unmasked only to the
  applicant and to the acceptor and approver of the application's site and department, and every
  such read by staff is logged (:func:`bianmin.kit.access_log.record_access`).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, true
from sqlalchemy.orm import InstrumentedAttribute

from bianmin.kit import subjects
from bianmin.kit.identity import Principal
from bianmin.kit.sites import EVERYWHERE, within

HANDLERS = ("acceptor", "approver")
# Roles whose holders see a site's applications and evaluations (masked unless they handle them).
SITE_STAFF = ("acceptor", "approver", "hall_manager", "clerk", "cockpit_viewer", "item_editor", "consult_agent")
# Roles that read the cockpit's figures of the sites where they are held (bianmin.kit.roles).
COCKPIT_ROLES = ("cockpit_viewer", "hall_manager", "supervisor")
OWN = "own"
HANDLING = "handling"


def actor(who: Principal) -> str:
    """How a caller is recorded in histories: the subject acting (``kind:id``), else the app's key id."""
    if who.subject is not None:
        return f"{who.subject.kind}:{who.subject.id}"
    return who.key_id or "anonymous"


def holder_of(who: Principal) -> str | None:
    """The citizen an application submitted by this caller belongs to: the citizen acting, else none."""
    return who.subject.id if who.is_a(subjects.CITIZEN) and who.subject is not None else None


def is_holder(who: Principal, applicant_subject: str | None) -> bool:
    """Whether the caller is the citizen who applied (an app acting alone never is)."""
    return applicant_subject is not None and holder_of(who) == applicant_subject


def handles(who: Principal, site: str, department: str) -> bool:
    """Whether the caller is an acceptor or approver of ``site`` and ``department`` (the staff who need the data)."""
    return any(who.has_role(role, site, department) for role in HANDLERS)


def unmasked_because(who: Principal, site: str, department: str, applicant_subject: str | None) -> str | None:
    """Why the applicant's data may be shown unmasked to this caller (``own``, ``handling``), or None: masked."""
    if is_holder(who, applicant_subject):
        return OWN
    if handles(who, site, department):
        return HANDLING
    return None


def held_above(who: Principal, role: str, site: str, department: str | None) -> bool:
    """Whether the subject holds ``role`` at a site strictly above ``site`` (for ``department``), within the app's tenancy."""
    if who.subject is None or not who.may_act_on(site):
        return False
    return any(r.name == role and r.site != site and within(site, r.site) and r.covers(site, department)
               for r in who.subject.roles)


def tenant_above(who: Principal, site: str) -> bool:
    """Whether an app acting alone is bound to a site strictly above ``site`` (the district key is above all)."""
    return who.tenant is not None and who.tenant != site and within(site, who.tenant)


def site_within(column: InstrumentedAttribute[str], area: str) -> ColumnElement[bool]:
    """SQL: the site in ``column`` is ``area`` or lies under it (codes extend their parent's code)."""
    if area == EVERYWHERE:
        return true()
    return or_(column == area, column.like(f"{area}%"))


def staff_area(who: Principal, site: InstrumentedAttribute[str], department: InstrumentedAttribute[str] | None,
               roles: tuple[str, ...] = SITE_STAFF) -> ColumnElement[bool]:
    """SQL: a row lies where the subject holds one of ``roles`` (a department-bound role: that department only)."""
    assert who.subject is not None
    parts = []
    for role in who.subject.roles:
        if role.name not in roles:
            continue
        part = site_within(site, role.site)
        if role.department is not None and department is not None:
            part = and_(part, department == role.department)
        parts.append(part)
    return or_(*parts) if parts else false()


def holds_for_department(who: Principal, role: str, department: str | None) -> bool:
    """Whether the subject holds ``role`` for ``department`` (a role without a department: every one) at some site.

    For what the whole district shares (items, policies): the route's ``district_only`` already binds
    the app to the district, so the department is what bounds the person.
    """
    if who.subject is None:
        return False
    return any(r.name == role and (r.department is None or r.department == department) for r in who.subject.roles)
