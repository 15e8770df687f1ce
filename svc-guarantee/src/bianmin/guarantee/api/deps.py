"""The dependencies the guarantee routers share: the settings, and what signing needs from them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from bianmin.guarantee.domain.keys import KeyRing, key_password
from bianmin.guarantee.settings import GuaranteeSettings
from bianmin.kit.settings import settings_dependency

SettingsDep = settings_dependency(GuaranteeSettings)


async def get_password(settings: SettingsDep) -> bytes:
    """The passphrase of the stored private keys."""
    return key_password(settings)


PasswordDep = Annotated[bytes, Depends(get_password)]


async def get_keyring(settings: SettingsDep) -> KeyRing:
    """The ledger's origin and the passphrase of the stored keys, for routes that sign."""
    return KeyRing.from_settings(settings)


KeyRingDep = Annotated[KeyRing, Depends(get_keyring)]
