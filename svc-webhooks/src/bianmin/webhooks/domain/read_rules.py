"""Who may read each event: one rule per published subject, copied from the owning service's API.

An endpoint receives an event only when the principal that owns the endpoint (the key that last
saved it, with the tenant and scopes it had then) could read the same thing through the API of the
service that published it. Webhooks must not become a side door around those checks: a township
key with ``webhooks:write`` alone receives no guarantee, bid or application it could not GET.

A rule is a list of grants; any grant admits. A grant holds when every one of its conditions does:
- ``scopes``: each one held, through :meth:`Principal.has_scope` (so ``<service>:*`` and the kit's
  ``admin`` count exactly as they count at the API; nothing here special-cases ``admin``);
- ``parties``: scopes that name one party of the event, read literally as the owning service reads
  them (``guarantee:issuer:{issuer_code}`` is filled from the payload; a missing field fails);
- ``at_tenant``: :meth:`Principal.may_act_on` of the envelope's ``tenant``, as the API's tenancy check;
- ``when``: payload fields that must hold a value (a published item is public, a withdrawn one not).

Where the API's check and the event's payload differ, the rule is the narrower one: an event is
never readable by more principals than the API would show the resource to. A subject without a
rule is delivered to nobody, and ``tests/test_read_rules.py`` fails until it has one.

Where each rule comes from (routes of the publishing service, paths under its ``/v1``):
- catalog: ``GET /calendar`` is public; ``GET /items/{code}`` shows published items to everyone and
  others to ``catalog:admin`` only; ``GET /applications/{number}`` and ``GET /evaluations/{id}`` need
  ``catalog:read`` (or ``catalog:write``) and the application's tenant.
- queue: ``GET /tickets/{id}`` and ``GET /tickets/{id}/evaluation`` need ``queue:read`` at the hall's
  tenant (``hall_for``). A hall alert is read as the hall's staff read it, ``queue:read`` at its tenant.
- consult: ``GET /consultations/{id}`` and ``GET /suggestions/{id}`` need department staff
  (``consult:answer`` with ``consult:dept:<department>``) or ``consult:admin``, at the entry's
  tenant (``Staff.sees``); an entry still in triage (no department) only ``consult:admin``.
- bidding: ``GET /projects/{code}`` and its transitions are public for every tender that is not a
  draft, and so are the opening and award records. A sealed bid is shown to nobody before the
  opening (``GET .../commitments`` answers 409 until bidding closed), and ``bidding.bid.submitted``
  is sent at submission: nobody receives it. Collusion flags are read by ``bidding:supervise`` at
  the project's tenant (``GET /flags``); a hearing on a flag also by the bidder heard, through its party
  scope ``bidding:bidder:<credit code>`` (``GET /collusion-hearings``). Defaults are in the project's archive, read by supervisors
  and the managing site's ``bidding:write`` (``GET /projects/{code}/archive``), here at the tenant.
- guarantee: ``GET /guarantees/{number}`` (``access.can_see``) admits staff with ``guarantee:read``
  at the project's site (the envelope's tenant), the issuer (``guarantee:issuer:<code>``) and the
  applicant (``guarantee:applicant:<credit code>``) whatever their tenant, and the beneficiary
  (``guarantee:beneficiary:<credit code>``); the payloads do not name the beneficiary, so a
  beneficiary's key receives none of them until a payload version carries it.
- credit: ``GET /enterprises/{code}/color/public`` is public, and the history of color changes is
  served to every key: a color change is public.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bianmin.kit.identity import Principal

_FIELD = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Grant:
    """One way to be allowed to read an event: every condition must hold."""

    scopes: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    at_tenant: bool = False
    when: tuple[tuple[str, str], ...] = ()

    def admits(self, principal: Principal, *, tenant: str, data: Mapping[str, Any]) -> bool:
        """Whether this grant lets ``principal`` read an event of ``tenant`` carrying ``data``."""
        if principal.anonymous:
            return False
        if any(data.get(name) != value for name, value in self.when):
            return False
        if self.at_tenant and not principal.may_act_on(tenant):
            return False
        if not all(principal.has_scope(scope) for scope in self.scopes):
            return False
        return all(_filled(party, data) in principal.scopes for party in self.parties)


def _filled(template: str, data: Mapping[str, Any]) -> str | None:
    """A party scope with its ``{field}`` taken from the payload; None when a field is missing or empty."""
    missing = False

    def value(match: re.Match[str]) -> str:
        nonlocal missing
        found = data.get(match.group(1))
        if not isinstance(found, str) or not found:
            missing = True
            return ""
        return found

    filled = _FIELD.sub(value, template)
    return None if missing else filled


@dataclass(frozen=True)
class ReadRule:
    """Who may read one kind of event: any of its grants; no grant at all means nobody."""

    grants: tuple[Grant, ...] = field(default_factory=tuple)

    def admits(self, principal: Principal, *, tenant: str, data: Mapping[str, Any]) -> bool:
        """Whether any grant lets ``principal`` read the event."""
        return any(grant.admits(principal, tenant=tenant, data=data) for grant in self.grants)


def staff(*scopes: str) -> tuple[Grant, ...]:
    """Grants for staff holding any one of ``scopes`` at the event's tenant."""
    return tuple(Grant(scopes=(scope,), at_tenant=True) for scope in scopes)


PUBLIC = ReadRule((Grant(),))
NOBODY = ReadRule(())

_ITEM = ReadRule((Grant(when=(("status", "published"),)), Grant(scopes=("catalog:admin",))))
_CATALOG_STAFF = ReadRule(staff("catalog:read", "catalog:write"))
_QUEUE_STAFF = ReadRule(staff("queue:read"))
_CONSULT_STAFF = ReadRule((Grant(scopes=("consult:admin",), at_tenant=True),
                           Grant(scopes=("consult:answer",), parties=("consult:dept:{department_code}",),
                                 at_tenant=True)))
_SUPERVISORS = ReadRule(staff("bidding:supervise"))
_ARCHIVE = ReadRule(staff("bidding:supervise", "bidding:write"))
_GUARANTEE = ReadRule((*staff("guarantee:read"),
                       Grant(parties=("guarantee:issuer:{issuer_code}",)),
                       Grant(parties=("guarantee:applicant:{applicant_credit_code}",))))

READ_RULES: dict[str, ReadRule] = {
    "catalog.calendar.changed": PUBLIC,
    "catalog.calendar.year_loaded": PUBLIC,
    "catalog.site.changed": PUBLIC,  # the site list is public (GET /catalog/v1/sites)
    "catalog.item.published": _ITEM,
    "catalog.item.updated": _ITEM,
    "catalog.item.withdrawn": _ITEM,
    "catalog.application.submitted": _CATALOG_STAFF,
    "catalog.application.status_changed": _CATALOG_STAFF,
    "catalog.evaluation.submitted": _CATALOG_STAFF,
    "queue.ticket.issued": _QUEUE_STAFF,
    "queue.ticket.called": _QUEUE_STAFF,
    "queue.ticket.completed": _QUEUE_STAFF,
    "queue.ticket.no_show": _QUEUE_STAFF,
    "queue.evaluation.submitted": _QUEUE_STAFF,
    "queue.hall.alert": _QUEUE_STAFF,
    "consult.consultation.created": _CONSULT_STAFF,
    "consult.consultation.answered": _CONSULT_STAFF,
    "consult.consultation.escalated": _CONSULT_STAFF,
    "consult.consultation.rated": _CONSULT_STAFF,
    "consult.suggestion.created": _CONSULT_STAFF,
    "consult.suggestion.escalated": _CONSULT_STAFF,
    "bidding.project.published": PUBLIC,
    "bidding.project.closed": PUBLIC,
    "bidding.project.opened": PUBLIC,
    "bidding.project.failed": PUBLIC,
    "bidding.section.failed": PUBLIC,  # a section's failure is announced like a tender's (招标投标法 §42)
    "bidding.project.awarded": PUBLIC,
    "bidding.project.cancelled": PUBLIC,
    "bidding.contract.signed": PUBLIC,  # a contract's signing is published with the award (招标投标法 §46)
    "bidding.bid.submitted": NOBODY,
    "bidding.collusion.flagged": _SUPERVISORS,
    "bidding.collusion.confirmed": _SUPERVISORS,
    # The supervisors see the hearing on the flag (GET /flags); the bidder heard reads its own hearing
    # (GET /collusion-hearings?credit_code=, its party scope), never another bidder's.
    "bidding.collusion.hearing_opened": ReadRule((*staff("bidding:supervise"),
                                                  Grant(parties=("bidding:bidder:{credit_code}",)))),
    "bidding.bidder.defaulted": _ARCHIVE,
    "guarantee.guarantee.issued": _GUARANTEE,
    "guarantee.guarantee.released": _GUARANTEE,
    "guarantee.guarantee.claimed": _GUARANTEE,
    "guarantee.guarantee.amended": _GUARANTEE,
    "guarantee.guarantee.paid": _GUARANTEE,
    "guarantee.guarantee.expired": _GUARANTEE,
    "credit.enterprise.color_changed": PUBLIC,
}


def may_read(principal: Principal | None, subject: str, *, tenant: str, data: Mapping[str, Any]) -> bool:
    """Whether ``principal`` could read an event of ``subject`` through the API; False without a rule or owner."""
    rule = READ_RULES.get(subject)
    return principal is not None and rule is not None and rule.admits(principal, tenant=tenant, data=data)
