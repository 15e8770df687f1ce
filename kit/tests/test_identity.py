"""The internal identity token: minted by the gateway, verified by every service."""

import secrets
import time
from pathlib import Path

import pytest
from fastapi import FastAPI

from bianmin.kit.app import ServiceSpec, create_service_app
from bianmin.kit.errors import Unauthorized
from bianmin.kit.identity import (
    ANONYMOUS,
    InsecureSecret,
    Principal,
    audience_of,
    check_internal_secret,
    mint_token,
    verify_token,
)
from bianmin.kit.settings import ServiceSettings
from bianmin.testing.client import TEST_SECRET, client_for, running

SECRET = "a-secret-shared-by-gateway-and-services-only-0123"
QUEUE = audience_of("queue")
CLERK = Principal(key_id="k-7", tenant="330199001", scopes=frozenset({"queue:write"}), name="township clerk")


def test_a_minted_principal_round_trips() -> None:
    assert verify_token(mint_token(CLERK, SECRET, audience=QUEUE), SECRET, audience=QUEUE) == CLERK


def test_the_anonymous_principal_round_trips_as_anonymous() -> None:
    principal = verify_token(mint_token(ANONYMOUS, SECRET, audience=QUEUE), SECRET, audience=QUEUE)
    assert principal.anonymous
    assert principal == ANONYMOUS


def test_a_token_signed_with_another_secret_is_refused() -> None:
    with pytest.raises(Unauthorized) as refused:
        verify_token(mint_token(CLERK, "another-secret-entirely-0000000000000", audience=QUEUE), SECRET, audience=QUEUE)
    assert refused.value.code == "identity_invalid"


def test_an_expired_token_is_refused() -> None:
    old = mint_token(CLERK, SECRET, audience=QUEUE, ttl_seconds=60, now=time.time() - 600)
    with pytest.raises(Unauthorized) as refused:
        verify_token(old, SECRET, audience=QUEUE)
    assert refused.value.code == "identity_expired"


def test_a_token_for_another_service_is_refused() -> None:
    with pytest.raises(Unauthorized) as refused:
        verify_token(mint_token(CLERK, SECRET, audience=audience_of("bidding")), SECRET, audience=QUEUE)
    assert refused.value.code == "identity_wrong_audience"


@pytest.mark.parametrize(("behind", "accepted"), [(6, True), (14, True), (16, False), (-14, True), (-40, False)])
def test_a_clock_within_the_leeway_of_the_gateways_accepts_tokens(behind: float, accepted: bool) -> None:
    """A host ``behind`` seconds behind the gateway (negative: ahead), 15 s leeway, 15 s tokens."""
    from bianmin.kit.identity import ClockSkew

    signed = time.time()
    token = mint_token(CLERK, SECRET, audience=QUEUE, ttl_seconds=15, now=signed)
    skew = ClockSkew()
    if accepted:
        assert verify_token(token, SECRET, audience=QUEUE, leeway_seconds=15, now=signed - behind, skew=skew) == CLERK
    else:
        with pytest.raises(Unauthorized) as refused:
            verify_token(token, SECRET, audience=QUEUE, leeway_seconds=15, now=signed - behind, skew=skew)
        assert refused.value.code == ("identity_not_yet_valid" if behind > 0 else "identity_expired")
    assert skew.seconds is not None
    assert abs(skew.seconds - behind) <= 1


def test_a_token_lives_its_ttl_plus_the_leeway_and_no_longer() -> None:
    signed = float(int(time.time()))
    token = mint_token(CLERK, SECRET, audience=QUEUE, ttl_seconds=15, now=signed)
    assert verify_token(token, SECRET, audience=QUEUE, leeway_seconds=15, now=signed + 30) == CLERK
    with pytest.raises(Unauthorized):
        verify_token(token, SECRET, audience=QUEUE, leeway_seconds=15, now=signed + 31)


def test_the_skew_estimate_keeps_the_freshest_token_of_the_last_minute() -> None:
    from bianmin.kit.identity import ClockSkew

    now = [0.0]
    skew = ClockSkew(clock=lambda: now[0])
    assert skew.seconds is None
    skew.observe(4.0)
    skew.observe(6.2)
    skew.observe(2.0)
    assert skew.seconds == 6.2
    now[0] = 61.0
    skew.observe(0.5)
    assert skew.seconds == 0.5
    now[0] = 200.0
    skew.observe(-1.0)
    assert skew.seconds == -1.0


def test_a_tampered_token_is_refused() -> None:
    header, payload, signature = mint_token(CLERK, SECRET, audience=QUEUE).split(".")
    forged = ".".join([header, payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB"), signature])
    with pytest.raises(Unauthorized):
        verify_token(forged, SECRET, audience=QUEUE)


def test_a_service_without_a_secret_refuses_everything() -> None:
    with pytest.raises(Unauthorized) as refused:
        verify_token(mint_token(CLERK, SECRET, audience=QUEUE), "", audience=QUEUE)
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


TOWNSHIP_ADMIN = Principal(key_id="ta", tenant="330199001", scopes=frozenset({"admin"}))
OPERATOR = Principal(key_id="op", tenant="*", scopes=frozenset({"admin"}))


def test_a_township_admin_holds_every_scope_on_its_own_sites_only() -> None:
    assert TOWNSHIP_ADMIN.allows("bidding:supervise", "330199001")
    assert not TOWNSHIP_ADMIN.allows("bidding:supervise", "330199002")
    assert not TOWNSHIP_ADMIN.allows("bidding:supervise", "*")
    assert OPERATOR.allows("bidding:supervise", "330199002")
    assert not CLERK.allows("bidding:supervise", "330199001")


def test_only_a_district_operator_is_an_operator() -> None:
    assert OPERATOR.operator
    assert not TOWNSHIP_ADMIN.operator
    assert not Principal(key_id="s", tenant="*", scopes=frozenset({"guarantee:*"})).operator


def test_party_scopes_are_read_literally() -> None:
    bank = Principal(key_id="b", tenant="*", scopes=frozenset({"guarantee:issuer:PICC", "guarantee:*"}))
    assert bank.parties("guarantee:issuer") == {"PICC"}
    assert bank.acts_for("guarantee:issuer", "PICC")
    assert not bank.acts_for("guarantee:issuer", "BOC")
    assert not TOWNSHIP_ADMIN.acts_for("guarantee:issuer", "PICC")
    assert not Principal(key_id="e", tenant="*", scopes=frozenset({"guarantee:issuer:"})).parties("guarantee:issuer")
    assert OPERATOR.acts_for("bidding:bidder", "91330199MA0000001W")


async def test_a_district_only_route_refuses_every_township_key(kit_database_url: str) -> None:
    from fastapi import APIRouter

    from bianmin.kit.app import ServiceSpec, create_service_app
    from bianmin.kit.identity import declares_district_only, district_only
    from bianmin.kit.settings import ServiceSettings
    from bianmin.testing.client import TEST_SECRET, client_for, running

    router = APIRouter()

    @router.post("/shared", dependencies=[district_only()])
    async def change() -> dict[str, str]:
        """A change to what the whole district shares."""
        return {"changed": "yes"}

    @router.post("/own")
    async def own() -> dict[str, str]:
        """A change of one's own."""
        return {"changed": "yes"}

    assert declares_district_only(router.routes[0])
    assert not declares_district_only(router.routes[1])
    settings = ServiceSettings(service_name="test", database_url=kit_database_url, internal_secret=TEST_SECRET,
                               events_enabled=False)
    app = create_service_app(ServiceSpec(name="test", title="t", description="d", routers=[router]), settings)
    async with running(app), client_for(app, TOWNSHIP_ADMIN) as township, client_for(app, OPERATOR) as operator:
        refused = await township.post("/v1/shared")
        assert refused.status_code == 403
        assert refused.json()["code"] == "district_only"
        assert (await township.post("/v1/own")).status_code == 200
        assert (await operator.post("/v1/shared")).status_code == 200


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


def test_a_site_reaches_the_sites_below_it_and_no_other() -> None:
    from bianmin.kit.sites import within

    assert within("330199001001", "330199001")
    assert within("330199001001", "330199")
    assert within("330199B01", "330199")
    assert within("330199001T01", "330199001")
    assert within("330199001", "330199001")
    assert within("330199002", "*")
    assert not within("330199002", "330199001")
    assert not within("330199001", "330199001001")
    assert not within("3301990012", "330199001")
    assert not within("330299001", "330199")
    assert not within(None, "*")
    assert not within("*", "330199")


def test_a_township_key_reaches_its_villages_and_a_village_key_only_itself() -> None:
    township = Principal(key_id="t", tenant="330199001", scopes=frozenset({"queue:write"}))
    village = Principal(key_id="v", tenant="330199001001", scopes=frozenset({"queue:write"}))
    assert township.may_act_on("330199001001")
    assert not village.may_act_on("330199001")
    assert village.may_act_on("330199001001")
    assert not village.may_act_on("330199001002")


def test_a_subject_round_trips_and_holds_its_roles_below_its_sites() -> None:
    from bianmin.kit.subjects import Role, Subject

    clerk = Principal(key_id="app", tenant="*", scopes=frozenset({"queue:write"}), subject=Subject(
        kind="staff", id="acct_1", name="王芳", roles=(Role("clerk", "330199001"), Role("approver", "330199", "SCJ")),
        second_factor=True))
    assert verify_token(mint_token(clerk, SECRET, audience=QUEUE), SECRET, audience=QUEUE) == clerk
    assert clerk.has_role("clerk", "330199001001")
    assert not clerk.has_role("clerk", "330199002")
    assert clerk.has_role("approver", "330199002", "SCJ")
    assert not clerk.has_role("approver", "330199002", "GAJ")
    township_app = Principal(key_id="app", tenant="330199002", scopes=frozenset(), subject=clerk.subject)
    assert not township_app.has_role("approver", "330199001", "SCJ"), "a subject never reaches past its app's tenancy"


def test_a_subject_speaks_for_the_parties_its_account_holds_and_the_apps_scopes_then_count_for_nothing() -> None:
    from bianmin.kit.subjects import Subject

    code, other = "91330199MA0000001W", "91330199MA0000002U"
    app = Principal(key_id="bidder-app", tenant="*", scopes=frozenset({"bidding:bid", f"bidding:bidder:{other}"}))
    signed_in = Principal(key_id="bidder-app", tenant="*", scopes=app.scopes,
                          subject=Subject(kind="enterprise", id="acct_e1", parties=frozenset({code})))
    assert app.acts_for("bidding:bidder", other)
    assert signed_in.acts_for("bidding:bidder", code)
    assert not signed_in.acts_for("bidding:bidder", other)
    staff = Principal(key_id="k", tenant="*", scopes=frozenset({"admin"}), subject=Subject(kind="staff", id="acct_s"))
    assert not staff.acts_for("bidding:bidder", code), "an operator's app with a staff member signed in is that member"


@pytest.mark.parametrize("subj", [
    {"kind": "wizard", "id": "x"}, {"kind": "staff"}, {"kind": "staff", "id": "x", "roles": [["clerk"]]},
    {"kind": "staff", "id": "x", "roles": "clerk"}, {"kind": "staff", "id": "x", "parties": [1]},
])
def test_a_malformed_subject_claim_is_refused(subj: dict[str, object]) -> None:
    import jwt

    claims = {"iss": "bianmin-gateway", "aud": QUEUE, "iat": int(time.time()), "exp": int(time.time()) + 15,
              "sub": "k", "tenant": "*", "scopes": [], "subj": subj}
    with pytest.raises(Unauthorized) as refused:
        verify_token(jwt.encode(claims, SECRET, algorithm="HS256"), SECRET, audience=QUEUE)
    assert refused.value.code == "identity_invalid"
