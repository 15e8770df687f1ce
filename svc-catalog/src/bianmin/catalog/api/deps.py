"""Dependencies and small helpers the catalog's routers share."""

from __future__ import annotations

from fastapi import Depends

from bianmin.catalog.settings import CatalogSettings
from bianmin.kit.errors import ScopeMissing
from bianmin.kit.identity import Principal, PrincipalDep, district_only, require_scopes
from bianmin.kit.settings import settings_dependency

ADMIN = require_scopes("catalog:admin")
DISTRICT = district_only()  # the catalog, its calendar and its policies are the district's
WRITE = require_scopes("catalog:write")
SettingsDep = settings_dependency(CatalogSettings)


def actor(who: Principal) -> str:
    """How a principal is recorded in histories: its key id."""
    return who.key_id or "anonymous"


async def reader(who: PrincipalDep) -> Principal:
    """403 unless the principal may read applications (``catalog:read`` or ``catalog:write``)."""
    if not (who.has_scope("catalog:read") or who.has_scope("catalog:write")):
        raise ScopeMissing("This key lacks the scope catalog:read.")
    return who


READ = Depends(reader)
