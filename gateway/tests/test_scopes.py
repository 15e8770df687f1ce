"""Scopes a key may carry: the services' own forms, including those naming an issuer or an enterprise."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bianmin.gateway.schemas import KeyCreate


@pytest.mark.parametrize("scope", ["admin", "queue:write", "bidding:*", "guarantee:issuer:PICC",
                                   "guarantee:applicant:91330199MA0000001X"])
def test_a_key_may_carry_the_scopes_the_services_check(scope: str) -> None:
    assert KeyCreate(name="k", tenant="*", scopes=[scope]).scopes == [scope]


@pytest.mark.parametrize("scope", ["Admin", "queue:", "a:b:c:d", "queue write", ":write"])
def test_a_malformed_scope_is_refused(scope: str) -> None:
    with pytest.raises(ValidationError):
        KeyCreate(name="k", tenant="*", scopes=[scope])
