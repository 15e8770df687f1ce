"""The credit service's own dependencies and the helpers its routers share."""

from __future__ import annotations

from bianmin.credit.settings import CreditSettings
from bianmin.kit.identity import Principal, ensure_tenant
from bianmin.kit.policy import (
    app,
    citizen,
    custodian,
    ensure_role,
    enterprise,
    expert,
    issuer,
    operator,
    policy,
    staff,
    supervisor,
)
from bianmin.kit.settings import settings_dependency

SettingsDep = settings_dependency(CreditSettings)


RECORDER, REVIEWER = "credit_recorder", "credit_reviewer"
# Who may call each kind of route (bianmin.kit.policy); app() keeps the keys of today working, bounded
# by their scopes and tenancy as before.
EVERYONE = policy(app(), citizen(), staff(), enterprise(), expert(), custodian(), issuer(), supervisor(), operator())
# What an enterprise's record and history say is for the centre's staff, supervisors and the apps that
# hold the register today; the color and eligibility are for everyone (EVERYONE).
STAFF_READ = policy(app(), staff(), supervisor(), operator())
RECORD = policy(staff(RECORDER), app())
REVIEW = policy(staff(REVIEWER, second_factor=True), app())
REGISTER = policy(staff(RECORDER), operator(), app())
OPERATE = policy(operator(second_factor=True), app())


def actor(principal: Principal) -> str:
    """How the audit trail names a caller, and whom separation of duties compares: the acting account
    (``<kind>:<id>``), or the key acting alone (its key id, as before accounts existed).

    An account acting through the platform's pages shares the pages' key with every colleague, so
    only the account id tells the recorder from the reviewer.
    """
    if principal.subject is not None:
        return f"{principal.subject.kind}:{principal.subject.id}"
    return principal.key_id or "anonymous"


def site_of(principal: Principal) -> str:
    """The site a caller records for: a recorder's site (where the role is held), else the key's tenant (``*``: district)."""
    if principal.subject is not None:
        held = next((r.site for r in principal.subject.roles if r.name == RECORDER), None)
        if held is not None and principal.may_act_on(held):
            return held
    return principal.tenant or "*"


def ensure_reviewer(principal: Principal, site: str) -> None:
    """403 unless the caller may decide a fact of ``site``: a reviewer holding the role there, or a key of that site.

    The app's tenancy bounds both (``ensure_tenant``); a staff reviewer must also hold
    ``credit_reviewer`` over the site (a township's reviewer decides its own township's records).
    """
    ensure_tenant(principal, site)
    ensure_role(principal, REVIEWER, site)


