"""The roles a subject may hold, named once for the gateway, the services and the access matrix.

A role is held at a site (and, for some, a department) and reaches the sites below it
(:mod:`bianmin.kit.subjects`). Each role names the subject kind that may hold it, whether signing in
for it needs a second factor (roles that approve, confirm, decrypt or score: 政务服务 and 公共资源交易
practice, and GB/T 39786's demand for strong authentication of privileged actions), and the scopes
the platform's own pages ask for on its behalf. The scopes only bound what the pages may ask; each
route still decides on the subject (:mod:`bianmin.kit.policy`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bianmin.kit import subjects


@dataclass(frozen=True)
class RoleInfo:
    """What one role is: who holds it, what it is for, whether it needs a second factor, its scopes."""

    kind: str
    description: str
    scopes: frozenset[str]
    second_factor: bool = False


def _role(kind: str, description: str, *scopes: str, second_factor: bool = False) -> RoleInfo:
    return RoleInfo(kind, description, frozenset(scopes), second_factor)


ROLES: dict[str, RoleInfo] = {
    # The service hall (queue, catalog, consult).
    "clerk": _role(subjects.STAFF, "Counter clerk: calls, starts, transfers and completes tickets at the site's halls.",
                   "queue:read", "queue:write", "queue:serve", "catalog:read"),
    "hall_manager": _role(subjects.STAFF, "Hall manager: lines, counters, opening hours; decides appeals of the sites below.",
                          "queue:read", "queue:write", "queue:serve", "queue:manage", "catalog:read", "cockpit:read",
                          second_factor=True),
    "acceptor": _role(subjects.STAFF, "Accepts (受理) applications and records policy redemptions of a department.",
                      "catalog:read", "catalog:write"),
    "approver": _role(subjects.STAFF, "Approves or rejects (审批) applications and redemptions of a department.",
                      "catalog:read", "catalog:write", second_factor=True),
    "item_editor": _role(subjects.STAFF, "Keeps the service items, sites and map of a department.",
                         "catalog:read", "catalog:admin"),
    "consult_agent": _role(subjects.STAFF, "Answers consultations and suggestions for a department.",
                           "consult:answer", "consult:read"),
    "cockpit_viewer": _role(subjects.STAFF, "Reads the cockpit's figures of the sites where it is held.", "cockpit:read"),
    # The trading centre (bidding, credit).
    "tender_agent": _role(subjects.STAFF, "Trading-centre or agency staff: tenders, sections, the opening.",
                          "bidding:read", "bidding:write", "guarantee:read"),
    "trading_officer": _role(subjects.STAFF, "Approves direct-contract filings and confirms the centre's decisions.",
                             "bidding:read", "bidding:write", second_factor=True),
    "credit_recorder": _role(subjects.STAFF, "Records credit facts and bonus items.", "credit:read", "credit:write"),
    "credit_reviewer": _role(subjects.STAFF, "Confirms or rejects recorded credit facts and bonus items.",
                             "credit:read", "credit:review", second_factor=True),
    "supervisor": _role(subjects.SUPERVISOR, "Watches tenders, openings and the personal-data access log.",
                        "bidding:read", "bidding:supervise", "cockpit:read", second_factor=True),
    "expert": _role(subjects.EXPERT, "Evaluation expert: enters their own scores.", "bidding:read", second_factor=True),
    "custodian": _role(subjects.CUSTODIAN, "Holds one backup-decryption share of a tender.", "bidding:read",
                       second_factor=True),
    "operator": _role(subjects.OPERATOR, "Runs the platform: accounts, keys, sites.", "admin", second_factor=True),
}


def scopes_of(roles: Iterable[str]) -> frozenset[str]:
    """The scopes the platform's pages ask for on behalf of a subject holding ``roles`` (role names)."""
    return frozenset().union(*(ROLES[name].scopes for name in roles if name in ROLES))


def needs_second_factor(roles: Iterable[str]) -> bool:
    """Whether any of ``roles`` (role names) needs a sign-in with a second factor."""
    return any(ROLES[name].second_factor for name in roles if name in ROLES)
