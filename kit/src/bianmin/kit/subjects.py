"""Who acts: the person or organisation behind a request, beside the app that sends it.

The gateway establishes the subject (an account's sign-in, an app's signed assertion for a citizen,
the province's identity provider) and names it in the internal identity token with the calling app
(:mod:`bianmin.kit.identity`). Services decide on the subject; the app's scopes only bound what the
app may ask for. A request of an app alone (an API key, a client) has no subject, as before.

A subject has a kind and a stable id, and roles held at sites (and, in the catalog, departments).
A role held at a site holds below it too (a township's clerk serves its villages, :mod:`bianmin.kit.sites`).
Enterprises and issuers hold their parties: the credit codes or issuer codes an account was bound
to after proof, never a code it merely names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bianmin.kit.sites import within

CITIZEN, STAFF, ENTERPRISE, EXPERT, CUSTODIAN, ISSUER, SUPERVISOR, OPERATOR = (
    "citizen", "staff", "enterprise", "expert", "custodian", "issuer", "supervisor", "operator")
SUBJECT_KINDS = (CITIZEN, STAFF, ENTERPRISE, EXPERT, CUSTODIAN, ISSUER, SUPERVISOR, OPERATOR)


@dataclass(frozen=True)
class Role:
    """A role held at a site (``*``: everywhere), optionally for one department only."""

    name: str
    site: str
    department: str | None = None

    def covers(self, site: str | None, department: str | None = None) -> bool:
        """Whether this role reaches a resource of ``site`` (and ``department``, when the resource has one)."""
        if not within(site, self.site):
            return False
        return self.department is None or department is None or self.department == department


@dataclass(frozen=True)
class Subject:
    """The person or organisation acting, as the gateway established it."""

    kind: str
    id: str
    name: str | None = None
    roles: tuple[Role, ...] = ()
    parties: frozenset[str] = field(default_factory=frozenset)
    second_factor: bool = False

    def holds(self, role: str, site: str | None, department: str | None = None) -> bool:
        """Whether the subject holds ``role`` over a resource of ``site`` (and ``department``)."""
        return any(r.name == role and r.covers(site, department) for r in self.roles)

    def holds_anywhere(self, roles: frozenset[str] | set[str]) -> bool:
        """Whether the subject holds any of ``roles`` at some site."""
        return any(r.name in roles for r in self.roles)

    def claims(self) -> dict[str, Any]:
        """The subject as the identity token carries it."""
        return {"kind": self.kind, "id": self.id, "name": self.name, "mfa": self.second_factor,
                "roles": [[r.name, r.site, r.department] for r in self.roles], "parties": sorted(self.parties)}

    @classmethod
    def from_claims(cls, claims: Any) -> Subject:
        """The subject an identity token names; ValueError when the claim is malformed."""
        if not isinstance(claims, dict) or claims.get("kind") not in SUBJECT_KINDS or not isinstance(claims.get("id"), str):
            raise ValueError("malformed subject")
        roles = claims.get("roles") or []
        parties = claims.get("parties") or []
        if not isinstance(roles, list) or not isinstance(parties, list) or not all(isinstance(p, str) for p in parties):
            raise ValueError("malformed subject")
        parsed = []
        for role in roles:
            if (not isinstance(role, list) or len(role) != 3 or not all(isinstance(v, str) for v in role[:2])
                    or not isinstance(role[2], str | None)):
                raise ValueError("malformed role")
            parsed.append(Role(role[0], role[1], role[2]))
        name = claims.get("name")
        return cls(kind=claims["kind"], id=claims["id"], name=name if isinstance(name, str) else None,
                   roles=tuple(parsed), parties=frozenset(parties), second_factor=claims.get("mfa") is True)
