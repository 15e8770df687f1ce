"""The internal identity token: minted by the gateway, verified by every service."""

import secrets
import time
from pathlib import Path

import pytest
from fastapi import FastAPI

from bianmin.kit.app import ServiceSpec, create_service_app
from bianmin.kit.errors import Unauthorized
from bianmin.kit.identity import ANONYMOUS, InsecureSecret, Principal, check_internal_secret, mint_token, verify_token
from bianmin.kit.settings import ServiceSettings
from bianmin.kit.testing.client import TEST_SECRET, client_for, running

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


# --- the internal secret is checked when a process starts ---------------------------------------------------

ENV_EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "env.example"


def _env_example_secret() -> str:
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.startswith("BIANMIN_INTERNAL_SECRET="):
            return line.split("=", 1)[1]
    raise AssertionError("deploy/env.example names no BIANMIN_INTERNAL_SECRET")


WEAK_SECRETS = {
    "empty": "",
    "short": "a-random-looking-but-short-k3y",  # 30 characters
    "change-me": "change-me-change-me-change-me-change-me",
    "changeme": "CHANGEME0123456789abcdefghijklmnopq",
    "replace-me": "replace-me-with-a-long-random-secret-please",
    "secret repeated": "secret" * 8,
    "one character": "s" * 40,
    "deploy/env.example": _env_example_secret(),
}


def _service(tmp_path: Path, secret: str) -> FastAPI:
    settings = ServiceSettings(service_name="things", database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
                               internal_secret=secret, events_enabled=False)
    return create_service_app(ServiceSpec(name="things", title="t", description="d"), settings)


@pytest.mark.parametrize("secret", WEAK_SECRETS.values(), ids=WEAK_SECRETS.keys())
def test_a_short_or_placeholder_internal_secret_is_refused(secret: str) -> None:
    with pytest.raises(InsecureSecret, match="BIANMIN_INTERNAL_SECRET"):
        check_internal_secret(secret)


@pytest.mark.parametrize("secret", WEAK_SECRETS.values(), ids=WEAK_SECRETS.keys())
async def test_a_service_refuses_to_start_with_a_weak_internal_secret(tmp_path: Path, secret: str) -> None:
    with pytest.raises(InsecureSecret, match="BIANMIN_INTERNAL_SECRET"):
        async with running(_service(tmp_path, secret)):
            pass


@pytest.mark.parametrize("secret", [TEST_SECRET, secrets.token_urlsafe(48), secrets.token_hex(16), secrets.token_hex(32)],
                         ids=["TEST_SECRET", "token_urlsafe(48)", "32 hex", "64 hex"])
async def test_a_long_random_internal_secret_starts_the_service(tmp_path: Path, secret: str) -> None:
    check_internal_secret(secret)
    async with running(_service(tmp_path, secret)) as app, client_for(app, secret=secret) as client:
        assert (await client.get("/v1/stats/overview")).status_code == 200
