"""Dependencies the consult routers share, named once as ``Annotated`` aliases."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Path, Request

from bianmin.consult.domain.access import Staff, staff_of
from bianmin.consult.domain.deadlines import Policy
from bianmin.kit.errors import ScopeMissing, Unprocessable
from bianmin.kit.identity import PrincipalDep


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


async def get_policy(request: Request) -> Policy:
    """The deadline and escalation rules from the service's settings."""
    policy = getattr(request.app.state, "consult_policy", None)
    if policy is None:
        policy = Policy.from_settings(request.app.state.settings)
        request.app.state.consult_policy = policy
    return policy


StaffDep = Annotated[Staff, Depends(require_staff)]
AdminDep = Annotated[Staff, Depends(require_admin)]
PolicyDep = Annotated[Policy, Depends(get_policy)]
IdPath = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="An identifier this API issued.")]


def time_cursor(after: list[Any] | None) -> tuple[datetime, str] | None:
    """The (time, id) sort key inside a list cursor; 422 when it is not one this API issued."""
    if after is None:
        return None
    try:
        at, last_id = datetime.fromisoformat(str(after[0])), str(after[1])
    except (ValueError, IndexError) as exc:
        raise Unprocessable.field("cursor", "is not a cursor this API issued") from exc
    if at.tzinfo is None or len(after) != 2 or not re.fullmatch(r"[0-9a-f]{32}", last_id):
        raise Unprocessable.field("cursor", "is not a cursor this API issued")
    return at, last_id
