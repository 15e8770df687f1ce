"""Dependencies and small helpers the catalog's routers share."""

from __future__ import annotations

from fastapi import Depends

from bianmin.kit.errors import Forbidden
from bianmin.kit.identity import Principal, PrincipalDep, require_scopes

ADMIN = require_scopes("catalog:admin")
WRITE = require_scopes("catalog:write")


def actor(who: Principal) -> str:
    """How a principal is recorded in histories: its key id."""
    return who.key_id or "anonymous"


def require_district(who: Principal) -> None:
    """403 unless the principal acts district-wide (the catalog itself is the district's)."""
    if not who.district_wide:
        raise Forbidden("Only a district-wide key may change the district catalog.", code="district_only")


async def reader(who: PrincipalDep) -> Principal:
    """403 unless the principal may read applications (``catalog:read`` or ``catalog:write``)."""
    if not (who.has_scope("catalog:read") or who.has_scope("catalog:write")):
        raise Forbidden("This key lacks the scope catalog:read.", code="scope_missing")
    return who


READ = Depends(reader)
