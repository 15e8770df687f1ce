"""The dependencies the guarantee routers share: the settings, and what signing needs from them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from bianmin.guarantee.domain.keys import KeyRing, key_password
from bianmin.guarantee.settings import GuaranteeSettings
from bianmin.kit.policy import app, citizen, custodian, enterprise, expert, issuer, operator, policy, staff, supervisor
from bianmin.kit.settings import settings_dependency

SettingsDep = settings_dependency(GuaranteeSettings)

# Who may call each kind of route (bianmin.kit.policy). app() keeps the keys of today working, bounded by
# their scopes and party scopes as before; which guarantee a caller may touch is domain/access.py's.
CENTRE_STAFF = staff("tender_agent", "trading_officer")
EVERYONE = policy(app(), citizen(), staff(), enterprise(), expert(), custodian(), issuer(), supervisor(), operator())
PARTIES = policy(app(), CENTRE_STAFF, supervisor(), operator(), issuer(), enterprise())
CENTRE = policy(app(), CENTRE_STAFF, supervisor(), operator())
APPLICANT = policy(enterprise(), app())
ISSUER = policy(issuer(), app())
# Paying or refusing a demand moves money: the issuer's officer signs in with a second factor.
ISSUER_DECIDES = policy(issuer(second_factor=True), app())
ISSUER_OR_CENTRE = policy(issuer(), CENTRE_STAFF, operator(), app())
BENEFICIARY_OR_CENTRE = policy(enterprise(), CENTRE_STAFF, app())
REGISTRAR = policy(CENTRE_STAFF, operator(), app())
WITNESS = policy(app())


async def get_password(settings: SettingsDep) -> bytes:
    """The passphrase of the stored private keys."""
    return key_password(settings)


PasswordDep = Annotated[bytes, Depends(get_password)]


async def get_keyring(settings: SettingsDep) -> KeyRing:
    """The ledger's origin and the passphrase of the stored keys, for routes that sign."""
    return KeyRing.from_settings(settings)


KeyRingDep = Annotated[KeyRing, Depends(get_keyring)]
