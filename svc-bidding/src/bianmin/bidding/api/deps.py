"""Dependencies the bidding routers share: the settings, the scopes and roles the routes declare."""

from __future__ import annotations

from bianmin.bidding.domain.common import get_managed
from bianmin.bidding.models import Project
from bianmin.bidding.settings import BiddingSettings
from bianmin.kit import subjects
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import ScopeMissing
from bianmin.kit.identity import Principal
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

SettingsDep = settings_dependency(BiddingSettings)
WRITE = "bidding:write"
BID = "bidding:bid"
SUPERVISE = "bidding:supervise"
# Roles of bianmin.kit.roles.ROLES the trading centre's routes name.
TENDER_AGENT = "tender_agent"
TRADING_OFFICER = "trading_officer"
SUPERVISOR_ROLE = "supervisor"
EXPERT_ROLE = "expert"
CUSTODIAN_ROLE = "custodian"
# Reads that anyone may make (public routes, or every kind of caller): declared all the same, so the
# access matrix sees every route's policy.
EVERYONE = policy(app(), citizen(), staff(), enterprise(), expert(), custodian(), issuer(), supervisor(), operator())
# app() keeps every key of today working, bounded by its scopes and tenancy as before.
AGENT = policy(staff(TENDER_AGENT), app())
# An enterprise account acts for the credit codes bound to it after proof (principal.parties), never a
# code it names; a bidder app alone, for its party scopes as before (domain/bidders.py).
BIDDER = policy(enterprise(), app())
# A buyer of a sale: an enterprise as above, or a natural person from their own account (state property,
# domain/bidders.py decides who acts for which bidder).
BUYER = policy(enterprise(), citizen(), app())
# Complaints come from bidders and any other interested party (实施条例 §60): an enterprise, a person in
# their own name, or an app acting for an enterprise.
COMPLAINANT = policy(enterprise(), citizen(), app())
WATCH = policy(supervisor(), app())
# Supervision decisions (collusion flags, complaints) need the supervisor's second factor.
SUPERVISE_DECIDE = policy(supervisor(second_factor=True), app())
AGENT_OR_SUPERVISOR = policy(staff(TENDER_AGENT), supervisor(), app())
# The expert pool is the district's (district_only on its changes): its agents, operators, or keys.
POOL = policy(staff(TENDER_AGENT), operator(), app())


def ensure_agent_or_supervisor(who: Principal, project: Project, what: str) -> None:
    """For records kept to the managing site and supervision (the archive, the score history): a key needs
    ``bidding:write`` or ``bidding:supervise`` over the project's site; a person, the tender agent's or
    supervisor's role there. ``what`` names the record in the refusal."""
    if who.subject is None:
        if not (who.allows(SUPERVISE, project.tenant) or who.allows(WRITE, project.tenant)):
            raise ScopeMissing(f"{what} is for the managing site and supervisors.")
        return
    ensure_role(who, TENDER_AGENT if who.is_a(subjects.STAFF) else SUPERVISOR_ROLE, project.site_code)


def supervises(who: Principal, project: Project) -> bool:
    """Whether a caller that passed :func:`ensure_agent_or_supervisor` reads as supervision: a key with
    ``bidding:supervise`` over the project's site, or a supervisor's account (not staff)."""
    if who.subject is None:
        return who.allows(SUPERVISE, project.tenant)
    return not who.is_a(subjects.STAFF)


async def managed(session: SessionDep, code: str, who: Principal, role: str = TENDER_AGENT) -> Project:
    """A project the caller manages: its key's site (``get_managed``) and, for staff, ``role`` held over the project's site."""
    project = await get_managed(session, code, who)
    ensure_role(who, role, project.site_code)
    return project


