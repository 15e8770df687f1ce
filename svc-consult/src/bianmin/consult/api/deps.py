"""Dependencies the consult routers share, named once as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from bianmin.consult.domain.access import Staff, staff_of
from bianmin.consult.domain.deadlines import Policy
from bianmin.consult.settings import ConsultSettings
from bianmin.kit.errors import ScopeMissing
from bianmin.kit.identity import PrincipalDep
from bianmin.kit.settings import settings_dependency

SettingsDep = settings_dependency(ConsultSettings)


async def require_staff(principal: PrincipalDep) -> Staff:
    """Department staff (``consult:answer``) or administrators (``consult:admin``); 403 for others."""
    if not (principal.has_scope("consult:answer") or principal.has_scope("consult:admin")):
        raise ScopeMissing("This key lacks the scope consult:answer.")
    return staff_of(principal)


async def require_admin(principal: PrincipalDep) -> Staff:
    """District administrators of the consult service (``consult:admin``); 403 for others."""
    if not principal.has_scope("consult:admin"):
        raise ScopeMissing("This key lacks the scope consult:admin.")
    return staff_of(principal)


async def get_policy(request: Request, settings: SettingsDep) -> Policy:
    """The deadline and escalation rules from the service's settings, built once per application."""
    policy = getattr(request.app.state, "consult_policy", None)
    if policy is None:
        policy = Policy.from_settings(settings)
        request.app.state.consult_policy = policy
    return policy


StaffDep = Annotated[Staff, Depends(require_staff)]
AdminDep = Annotated[Staff, Depends(require_admin)]
PolicyDep = Annotated[Policy, Depends(get_policy)]
IdPath = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="An identifier this API issued.")]
