"""Dependencies the consult routers share, named once as ``Annotated`` aliases, and the routes' policies.

Every route declares who may call it (:mod:`bianmin.kit.policy`, issue 19): department staff are
``consult_agent`` subjects or the ``consult:dept:<d>`` keys acting alone; administration is an
operator's or a ``consult:admin`` key's; asking, following and rating are everyone's (the access
code is the asker's secret), a citizen's own question excepted (:func:`ensure_asker`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from bianmin.consult.domain.access import AGENT, Staff, asker_of, staff_of
from bianmin.consult.domain.deadlines import Policy
from bianmin.consult.domain.errors import NotTheAsker
from bianmin.consult.models import Consultation
from bianmin.consult.settings import ConsultSettings
from bianmin.kit import subjects
from bianmin.kit.errors import ScopeMissing
from bianmin.kit.identity import Principal
from bianmin.kit.policy import (
    app,
    citizen,
    custodian,
    enterprise,
    expert,
    issuer,
    operator,
    policy,
    staff,
    supervisor,
)
from bianmin.kit.settings import settings_dependency

SettingsDep = settings_dependency(ConsultSettings)
# What citizens and the public reach without an account: anyone, as before.
ANYONE = policy(app(), citizen(), staff(), enterprise(), expert(), custodian(), issuer(), supervisor(), operator())
STAFF_POLICY = policy(staff(AGENT), operator(), app())
ADMIN_POLICY = policy(operator(), app())


async def require_staff(principal: Annotated[Principal, STAFF_POLICY]) -> Staff:
    """Department staff (``consult:answer``) or administrators (``consult:admin``); 403 for others."""
    if not (principal.has_scope("consult:answer") or principal.has_scope("consult:admin")):
        raise ScopeMissing("This key lacks the scope consult:answer.")
    return staff_of(principal)


async def require_admin(principal: Annotated[Principal, ADMIN_POLICY]) -> Staff:
    """District administrators of the consult service (``consult:admin``); 403 for others."""
    if not principal.has_scope("consult:admin"):
        raise ScopeMissing("This key lacks the scope consult:admin.")
    return staff_of(principal)


def ensure_asker(who: Principal, consultation: Consultation) -> None:
    """403 ``not_the_asker`` for staff (they never rate an answer) and, on a citizen's question, for anyone but that citizen.

    The access code is the asker's secret; a question a citizen asked signed in is followed by them signed in.
    """
    if who.is_a(subjects.STAFF) or (consultation.asker is not None and consultation.asker.startswith("citizen:")
                                    and asker_of(who) != consultation.asker):
        raise NotTheAsker("Only who asked this question may do this.")


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
