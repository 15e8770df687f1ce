"""The credit service's own dependencies and the helpers its routers share."""

from __future__ import annotations

from bianmin.credit.settings import CreditSettings
from bianmin.kit.identity import Principal
from bianmin.kit.settings import settings_dependency

SettingsDep = settings_dependency(CreditSettings)


def actor(principal: Principal) -> str:
    """How the audit trail names a caller: its key id."""
    return principal.key_id or "anonymous"


def site_of(principal: Principal) -> str:
    """The site a caller records for: its tenant, ``*`` for district-wide keys."""
    return principal.tenant or "*"
