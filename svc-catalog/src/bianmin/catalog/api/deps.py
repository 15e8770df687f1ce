"""Dependencies and small helpers the catalog's routers share."""

from __future__ import annotations

from fastapi import Depends

from bianmin.catalog.domain.people import holds_for_department
from bianmin.catalog.settings import CatalogSettings
from bianmin.kit.errors import ScopeMissing
from bianmin.kit.identity import Principal, PrincipalDep, district_only, require_scopes
from bianmin.kit.policy import (
    RoleMissing,
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

ADMIN = require_scopes("catalog:admin")
DISTRICT = district_only()  # the catalog, its calendar and its policies are the district's
WRITE = require_scopes("catalog:write")
SettingsDep = settings_dependency(CatalogSettings)
# Public reads: anyone, signed in or not (the anonymous principal is an app without a subject).
EVERYONE = policy(app(), citizen(), staff(), enterprise(), expert(), custodian(), issuer(), supervisor(), operator())
# The catalog's items, sites and map: an item editor (department-scoped) or an app acting alone (a district key
# where the route is district_only); the district's calendar, departments and agreements: an operator or a key.
EDITORS = policy(staff("item_editor"), app())
OPERATORS = policy(operator(), app())


def ensure_edits(who: Principal, *departments: str | None) -> None:
    """403 ``role_missing`` unless a staff subject holds item_editor for each of ``departments`` (None: every one).

    Apps acting alone are bounded by their scopes and ``district_only``, as before subjects existed.
    """
    if who.subject is None:
        return
    for department in departments:
        if not holds_for_department(who, "item_editor", department):
            raise RoleMissing(f"This change needs the role item_editor for department {department or 'every department'}.")



async def reader(who: PrincipalDep) -> Principal:
    """403 unless the principal may read applications (``catalog:read`` or ``catalog:write``)."""
    if not (who.has_scope("catalog:read") or who.has_scope("catalog:write")):
        raise ScopeMissing("This key lacks the scope catalog:read.")
    return who


READ = Depends(reader)
