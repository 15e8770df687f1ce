"""Who may see and do what with a guarantee, from the gateway's signed principal.

Roles are scopes, so the gateway's API keys carry them without new machinery:
- ``guarantee:issuer:<CODE>`` — an insurer's or bank's key: acts on its own guarantees only;
- ``guarantee:apply`` with ``guarantee:applicant:<credit code>`` — a bidder's key: applies for and
  sees its own guarantees (the credit code in the scope is the applicant it speaks for; a tenant
  of ``*`` or any site is fine);
- ``guarantee:beneficiary:<credit code>`` — a tenderer's key: files demands on guarantees in its favour;
- ``guarantee:read`` / ``guarantee:write`` — trading-centre staff, limited to the projects of their
  tenant (site) unless district-wide; ``admin`` holds every staff scope, within its tenant.
Role scopes are party scopes (``bianmin.kit.identity.PARTY_ROLES``), read literally (``guarantee:*``
and a township's ``admin`` are staff, not every applicant or issuer), so a staff key never silently
speaks for an enterprise or a bank; only a district operator acts for any party, and only an
operator grants party scopes at the gateway. Verification, checkpoints, proofs, keys and quotes are public.

With a person signed in (issue 19) the subject decides and the app's scopes only bound it: an issuer
account acts for the issuer codes its account was bound to after proof, an enterprise account applies
and claims for its bound credit codes (``principal.parties``), never a code it names; the app's party
scopes then count for nothing. Only staff (a ``tender_agent`` or ``trading_officer`` over the
project's site), supervisors and operators read or act as the trading centre: an enterprise or an
issuer signed in through the platform's own pages (whose app holds every scope) is not staff.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_

from bianmin.guarantee.domain.errors import GuaranteeNotFound, NotTheApplicant, NotTheIssuer
from bianmin.guarantee.models import Guarantee
from bianmin.kit import subjects
from bianmin.kit.identity import Principal

CENTRE_ROLES = ("tender_agent", "trading_officer")


def issuer_codes(principal: Principal) -> frozenset[str]:
    """The issuers this principal speaks for."""
    return principal.parties("guarantee:issuer")


def applicant_codes(principal: Principal) -> frozenset[str]:
    """The enterprises (credit codes) this principal applies for."""
    return principal.parties("guarantee:applicant")


def beneficiary_codes(principal: Principal) -> frozenset[str]:
    """The tenderers (credit codes) this principal claims for."""
    return principal.parties("guarantee:beneficiary")


def centre(principal: Principal, site: str) -> bool:
    """Whether the caller speaks as the trading centre for ``site``: a key acting alone (its scopes and
    tenant decide, as before), centre staff holding their role over the site, a supervisor or an operator."""
    if principal.subject is None or principal.is_a(subjects.SUPERVISOR, subjects.OPERATOR):
        return True
    return principal.is_a(subjects.STAFF) and any(principal.has_role(role, site) for role in CENTRE_ROLES)


def staff_reads(principal: Principal, site: str) -> bool:
    """Whether staff of the trading centre may read guarantees of a project of ``site``."""
    return principal.allows("guarantee:read", site) and centre(principal, site)


def staff_writes(principal: Principal, site: str) -> bool:
    """Whether staff of the trading centre may act on guarantees of a project of ``site``."""
    return principal.allows("guarantee:write", site) and centre(principal, site) and not principal.is_a(subjects.SUPERVISOR)


def acts_for_issuer(principal: Principal, issuer_code: str) -> bool:
    """Whether the principal acts for this issuer (its own key, or a district operator)."""
    return principal.acts_for("guarantee:issuer", issuer_code)


def can_see(principal: Principal, guarantee: Guarantee) -> bool:
    """Whether the principal may read this guarantee's record."""
    return (staff_reads(principal, guarantee.site_code) or guarantee.issuer_code in issuer_codes(principal)
            or guarantee.applicant_credit_code in applicant_codes(principal)
            or guarantee.beneficiary_credit_code in beneficiary_codes(principal))


def ensure_visible(principal: Principal, guarantee: Guarantee) -> None:
    """404 (not 403, so numbers cannot be probed) unless the principal may read the guarantee."""
    if not can_see(principal, guarantee):
        raise GuaranteeNotFound(f"No guarantee {guarantee.number}.")


def ensure_issuer(principal: Principal, guarantee: Guarantee) -> None:
    """403 unless the principal acts for the guarantee's issuer."""
    ensure_visible(principal, guarantee)
    if not acts_for_issuer(principal, guarantee.issuer_code):
        raise NotTheIssuer("Only the issuer acts on this guarantee.")


def ensure_manages_issuer(principal: Principal, issuer_code: str) -> None:
    """403 unless the principal is the issuer itself or district-wide trading-centre staff."""
    staff = principal.has_scope("guarantee:write") and principal.district_wide and centre(principal, "*")
    if not (staff or acts_for_issuer(principal, issuer_code)):
        raise NotTheIssuer("Only the issuer or district staff manage this issuer.")


def ensure_applicant(principal: Principal, credit_code: str) -> None:
    """403 unless the principal may apply for this enterprise."""
    if not principal.acts_for("guarantee:applicant", credit_code):
        raise NotTheApplicant("This key does not apply for that enterprise (scope guarantee:applicant:<credit code>).")


def visibility(principal: Principal) -> ColumnElement[bool] | None:
    """The SQL condition on ``Guarantee`` of what a principal may list; None when it sees everything."""
    if principal.has_scope("guarantee:read") and principal.district_wide and centre(principal, "*"):
        return None
    visible = [Guarantee.issuer_code.in_(issuer_codes(principal)),
               Guarantee.applicant_credit_code.in_(applicant_codes(principal)),
               Guarantee.beneficiary_credit_code.in_(beneficiary_codes(principal))]
    if principal.has_scope("guarantee:read") and principal.tenant and centre(principal, principal.tenant):
        visible.append(Guarantee.site_code == principal.tenant)
    if principal.has_scope("guarantee:read") and principal.is_a(subjects.STAFF):
        assert principal.subject is not None
        # Centre staff see the projects of the sites where they hold their role, and of the sites below.
        held = [r.site for r in principal.subject.roles if r.name in CENTRE_ROLES and principal.may_act_on(r.site)]
        visible += [Guarantee.site_code.startswith(site) for site in held]
    return or_(*visible)
