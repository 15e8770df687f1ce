"""The gateway reuses a principal's signed identity per service for a quarter of its lifetime, never past it."""

from __future__ import annotations

import time

import jwt

from bianmin.gateway.forward import IdentityTokens
from bianmin.kit.identity import Principal, audience_of, verify_token

SECRET = "internal-secret-for-the-token-cache-tests-0123456789"
TOWNSHIP = Principal(key_id="k-town", tenant="330199001", scopes=frozenset({"queue:write"}), name="town")
NARROWED = Principal(key_id="k-town", tenant="330199001", scopes=frozenset(), name="town")
QUEUE = audience_of("queue")


class Clock:
    def __init__(self) -> None:
        # A whole second a minute back: tokens signed "later" on this clock are neither future-dated nor
        # expired, and their iat (whole seconds) is exactly the clock's start.
        self.now = float(int(time.time()) - 60)

    def __call__(self) -> float:
        return self.now


def test_a_principal_gets_the_same_token_within_a_quarter_of_its_lifetime_and_a_new_one_after() -> None:
    clock = Clock()
    tokens = IdentityTokens(SECRET, 60, clock=clock)
    first = tokens.token(TOWNSHIP, "queue")
    clock.now += 14.9
    assert tokens.token(TOWNSHIP, "queue") == first
    clock.now += 0.2
    renewed = tokens.token(TOWNSHIP, "queue")
    assert renewed != first
    assert verify_token(renewed, SECRET, audience=QUEUE, leeway_seconds=0) == TOWNSHIP


def test_each_principal_has_its_own_token_and_scopes_are_never_borrowed() -> None:
    tokens = IdentityTokens(SECRET, 60, clock=Clock())
    wide, narrow = tokens.token(TOWNSHIP, "queue"), tokens.token(NARROWED, "queue")
    assert wide != narrow
    assert verify_token(narrow, SECRET, audience=QUEUE).scopes == frozenset()


def test_a_reused_token_still_has_three_quarters_of_its_lifetime_left() -> None:
    clock = Clock()
    tokens = IdentityTokens(SECRET, 60, clock=clock)
    tokens.token(TOWNSHIP, "queue")
    clock.now += 14.9
    claims = jwt.decode(tokens.token(TOWNSHIP, "queue"), SECRET, algorithms=["HS256"], audience=QUEUE,
                        options={"verify_exp": False})
    assert claims["exp"] - clock.now >= 45


def test_each_service_gets_a_token_of_its_own() -> None:
    tokens = IdentityTokens(SECRET, 60, clock=Clock())
    queue, bidding = tokens.token(TOWNSHIP, "queue"), tokens.token(TOWNSHIP, "bidding")
    assert queue != bidding
    assert verify_token(bidding, SECRET, audience=audience_of("bidding")) == TOWNSHIP
    assert verify_token(queue, SECRET, audience=QUEUE) == TOWNSHIP
