"""The internal identity token: minted by the gateway, verified by every service."""

import time

import pytest

from bianmin.kit.errors import Unauthorized
from bianmin.kit.identity import ANONYMOUS, Principal, mint_token, verify_token

SECRET = "a-secret-shared-by-gateway-and-services-only-0123"
CLERK = Principal(key_id="k-7", tenant="330199001", scopes=frozenset({"queue:write"}), name="township clerk")


def test_a_minted_principal_round_trips() -> None:
    assert verify_token(mint_token(CLERK, SECRET), SECRET) == CLERK


def test_the_anonymous_principal_round_trips_as_anonymous() -> None:
    principal = verify_token(mint_token(ANONYMOUS, SECRET), SECRET)
    assert principal.anonymous
    assert principal == ANONYMOUS


def test_a_token_signed_with_another_secret_is_refused() -> None:
    with pytest.raises(Unauthorized) as refused:
        verify_token(mint_token(CLERK, "another-secret-entirely-0000000000000"), SECRET)
    assert refused.value.code == "identity_invalid"


def test_an_expired_token_is_refused() -> None:
    old = mint_token(CLERK, SECRET, ttl_seconds=60, now=time.time() - 600)
    with pytest.raises(Unauthorized) as refused:
        verify_token(old, SECRET)
    assert refused.value.code == "identity_expired"


def test_a_tampered_token_is_refused() -> None:
    header, payload, signature = mint_token(CLERK, SECRET).split(".")
    forged = ".".join([header, payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB"), signature])
    with pytest.raises(Unauthorized):
        verify_token(forged, SECRET)


def test_a_service_without_a_secret_refuses_everything() -> None:
    with pytest.raises(Unauthorized) as refused:
        verify_token(mint_token(CLERK, SECRET), "")
    assert refused.value.code == "identity_unconfigured"


@pytest.mark.parametrize(("scopes", "asked", "held"), [
    ({"queue:write"}, "queue:write", True),
    ({"queue:write"}, "queue:admin", False),
    ({"queue:*"}, "queue:admin", True),
    ({"queue:*"}, "bidding:write", False),
    ({"admin"}, "bidding:supervise", True),
    (set(), "queue:write", False),
])
def test_scopes(scopes: set[str], asked: str, held: bool) -> None:
    assert Principal(key_id="k", tenant="*", scopes=frozenset(scopes)).has_scope(asked) is held


def test_tenancy() -> None:
    district = Principal(key_id="d", tenant="*")
    assert district.may_act_on("330199001")
    assert CLERK.may_act_on("330199001")
    assert not CLERK.may_act_on("330199002")
    assert not CLERK.may_act_on(None)
    assert not ANONYMOUS.may_act_on("330199001")


def test_a_route_names_the_scopes_it_requires() -> None:
    from fastapi import APIRouter

    from bianmin.kit.identity import declared_scopes, require_scopes

    router = APIRouter()

    @router.post("/things", dependencies=[require_scopes("queue:write")])
    async def make() -> None:
        """A guarded route."""

    @router.get("/things")
    async def read() -> None:
        """An open route."""

    guarded, unguarded = router.routes
    assert declared_scopes(guarded) == {"queue:write"}
    assert declared_scopes(unguarded) == frozenset()
