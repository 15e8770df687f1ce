"""Dependencies and small helpers the catalog's routers share."""

from __future__ import annotations

from bianmin.kit.errors import Forbidden
from bianmin.kit.identity import Principal, require_scopes

ADMIN = require_scopes("catalog:admin")
WRITE = require_scopes("catalog:write")


def actor(who: Principal) -> str:
    """How a principal is recorded in histories: its key id."""
    return who.key_id or "anonymous"


def require_district(who: Principal) -> None:
    """403 unless the principal acts district-wide (the catalog itself is the district's)."""
    if not who.district_wide:
        raise Forbidden("Only a district-wide key may change the district catalog.", code="district_only")
