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
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_

from bianmin.guarantee.domain.errors import GuaranteeNotFound, NotTheApplicant, NotTheIssuer
from bianmin.guarantee.models import Guarantee
from bianmin.kit.identity import Principal


def issuer_codes(principal: Principal) -> frozenset[str]:
    """The issuers this principal speaks for."""
    return principal.parties("guarantee:issuer")


def applicant_codes(principal: Principal) -> frozenset[str]:
    """The enterprises (credit codes) this principal applies for."""
    return principal.parties("guarantee:applicant")


def beneficiary_codes(principal: Principal) -> frozenset[str]:
    """The tenderers (credit codes) this principal claims for."""
    return principal.parties("guarantee:beneficiary")


def staff_reads(principal: Principal, site: str) -> bool:
    """Whether staff of the trading centre may read guarantees of a project of ``site``."""
    return principal.allows("guarantee:read", site)


def staff_writes(principal: Principal, site: str) -> bool:
    """Whether staff of the trading centre may act on guarantees of a project of ``site``."""
    return principal.allows("guarantee:write", site)


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
    staff = principal.has_scope("guarantee:write") and principal.district_wide
    if not (staff or acts_for_issuer(principal, issuer_code)):
        raise NotTheIssuer("Only the issuer or district staff manage this issuer.")


def ensure_applicant(principal: Principal, credit_code: str) -> None:
    """403 unless the principal may apply for this enterprise."""
    if not principal.acts_for("guarantee:applicant", credit_code):
        raise NotTheApplicant("This key does not apply for that enterprise (scope guarantee:applicant:<credit code>).")


def visibility(principal: Principal) -> ColumnElement[bool] | None:
    """The SQL condition on ``Guarantee`` of what a principal may list; None when it sees everything."""
    if principal.has_scope("guarantee:read") and principal.district_wide:
        return None
    visible = [Guarantee.issuer_code.in_(issuer_codes(principal)),
               Guarantee.applicant_credit_code.in_(applicant_codes(principal)),
               Guarantee.beneficiary_credit_code.in_(beneficiary_codes(principal))]
    if principal.has_scope("guarantee:read") and principal.tenant:
        visible.append(Guarantee.site_code == principal.tenant)
    return or_(*visible)
