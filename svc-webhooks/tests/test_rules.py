"""The rules without HTTP: signatures per Standard Webhooks, secrets at rest, backoff, patterns, URLs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import random
from datetime import UTC, datetime, timedelta

import pytest

from bianmin.testing.receiver import signature_valid
from bianmin.webhooks.domain.patterns import FORWARDED, matches, pattern_problem
from bianmin.webhooks.domain.retry import backoff_seconds, next_attempt
from bianmin.webhooks.domain.signing import PREFIX, SecretBox, new_secret, secret_key_bytes, sign
from bianmin.webhooks.domain.urls import url_problem

# The example of the Standard Webhooks specification (its reference libraries' test vector).
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_signature_matches_the_specifications_example() -> None:
    assert sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE


def test_the_signature_is_hmac_sha256_over_id_timestamp_and_body_with_the_decoded_secret() -> None:
    secret = new_secret()
    body = '{"specversion":"1.0","data":{"name":"便民"}}'.encode()
    signature = sign(secret, "msg_1", 1_700_000_000, body)
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = hmac.new(key, b"msg_1.1700000000." + body, hashlib.sha256).digest()
    assert signature == "v1," + base64.b64encode(expected).decode()
    assert signature_valid(secret, {"webhook-id": "msg_1", "webhook-timestamp": "1700000000", "webhook-signature": signature}, body)
    assert not signature_valid(secret, {"webhook-id": "msg_1", "webhook-timestamp": "1700000001", "webhook-signature": signature}, body)
    assert not signature_valid(secret, {"webhook-id": "msg_1", "webhook-timestamp": "1700000000", "webhook-signature": signature},
                      body + b" ")


def test_a_secret_is_whsec_and_32_random_bytes() -> None:
    first, second = new_secret(), new_secret()
    assert first.startswith(PREFIX)
    assert first != second
    assert len(secret_key_bytes(first)) == 32


def test_a_sealed_secret_opens_only_under_its_key_and_unaltered() -> None:
    box = SecretBox(b"one key material")
    secret = new_secret()
    sealed = box.seal(secret)
    assert secret not in sealed
    assert secret.removeprefix(PREFIX) not in sealed
    assert box.open(sealed) == secret
    assert box.seal(secret) != sealed  # a fresh nonce every time
    with pytest.raises(ValueError, match="another key"):
        SecretBox(b"another key material").open(sealed)
    raw = bytearray(base64.b64decode(sealed.split(":", 1)[1]))
    raw[-1] ^= 1
    with pytest.raises(ValueError, match="altered"):
        box.open("v1:" + base64.b64encode(bytes(raw)).decode())


@pytest.mark.parametrize("retry", [1, 2, 3, 5, 10, 40, 200])
def test_backoff_stays_between_half_and_all_of_the_capped_nominal_delay(retry: int) -> None:
    rng = random.Random(retry)
    nominal = min(60.0, 2.0 * 2 ** (retry - 1))
    delays = [backoff_seconds(retry, base=2.0, cap=60.0, rng=rng) for _ in range(200)]
    assert all(nominal / 2 <= d <= nominal for d in delays)
    assert len(set(delays)) > 100  # jittered, not one value


def test_retries_stop_when_the_next_one_would_fall_outside_the_retry_period() -> None:
    start = datetime(2026, 3, 2, tzinfo=UTC)
    rng = random.Random(7)
    assert next_attempt(failures=1, window_started_at=start, now=start, base=1.0, cap=10.0, period=60.0, rng=rng) is not None
    late = start + timedelta(seconds=59.9)
    assert next_attempt(failures=9, window_started_at=start, now=late, base=1.0, cap=10.0, period=60.0, rng=rng) is None


@pytest.mark.parametrize(("pattern", "subject", "expected"), [
    ("bidding.project.awarded", "bidding.project.awarded", True),
    ("bidding.project.*", "bidding.project.awarded", True),
    ("bidding.project.*", "bidding.bid.submitted", False),
    ("*.ticket.called", "queue.ticket.called", True),
    ("*.ticket.called", "queue.ticket.issued", False),
    ("bidding.>", "bidding.collusion.confirmed", True),
    ("bidding.>", "guarantee.guarantee.issued", False),
    (">", "credit.enterprise.color_changed", True),
    ("bidding.project", "bidding.project.awarded", False),
    ("bidding.project.awarded.x", "bidding.project.awarded", False),
    ("bidding.project.awarded.>", "bidding.project.awarded", False),
])
def test_patterns_follow_nats_subject_wildcards(pattern: str, subject: str, expected: bool) -> None:
    assert matches(pattern, subject) is expected


@pytest.mark.parametrize(("pattern", "reason"), [
    ("biding.>", "matches no event"),
    ("bidding.project.launched", "matches no event"),
    ("webhooks.endpoint.disabled", "matches no event"),
    ("bidding.>.awarded", "last token"),
    ("Bidding.project.*", "lower snake case"),
    ("bidding..awarded", "lower snake case"),
    ("", "1 to 200"),
])
def test_a_pattern_that_can_never_match_is_refused(pattern: str, reason: str) -> None:
    assert reason in (pattern_problem(pattern) or "")


def test_every_forwarded_subject_is_published_by_another_service() -> None:
    assert "bidding.project.awarded" in FORWARDED
    assert "queue.ticket.called" in FORWARDED
    assert not any(subject.startswith("webhooks.") for subject in FORWARDED)
    assert all(pattern_problem(subject) is None for subject in FORWARDED)


LOOPBACK = [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")]
EXTRANET = [ipaddress.ip_network("10.0.0.0/8")]


@pytest.mark.parametrize("url", ["https://hooks.example.com/bianmin", "https://203.0.112.9:8443/in?x=1",
                                 "https://[2606:4700::1]/in", "https://8.8.8.8/"])
def test_https_to_public_hosts_is_accepted(url: str) -> None:
    assert url_problem(url) is None


@pytest.mark.parametrize(("url", "allowed"), [
    ("http://127.0.0.1:9000/hook", LOOPBACK), ("http://localhost/hook", LOOPBACK), ("http://[::1]:8080/", LOOPBACK),
    ("https://127.0.0.1:9000/hook", LOOPBACK), ("https://10.0.0.5:8443/in", EXTRANET), ("http://10.0.0.5/in", EXTRANET),
])
def test_loopback_and_private_addresses_and_plain_http_are_accepted_only_where_an_operator_allowed_them(
        url: str, allowed: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> None:
    assert url_problem(url, allowed) is None
    assert url_problem(url) is not None


@pytest.mark.parametrize(("url", "reason"), [
    ("http://hooks.example.com/in", "https"), ("http://127.0.0.2/in", "may not reach"), ("ftp://example.com/x", "https"),
    ("https://user:pw@example.com/", "credentials"), ("https:///nohost", "host"), ("https://example.com/#x", "fragment"),
    ("https://example.com:99999/", "not a valid URL"), ("https://exa mple.com/", "spaces"), ("not a url", "spaces"),
    ("hooks.example.com", "https"), ("https://169.254.169.254/latest/meta-data/", "link-local"),
    ("https://[fe80::1]/in", "link-local"), ("https://0.0.0.0/in", "may not reach"), ("https://224.0.0.1/in", "may not reach"),
    ("https://240.0.0.1/in", "reserved"), ("https://10.0.0.5:8443/in", "private"), ("https://127.0.0.1/in", "loopback"),
    ("http://hooks.example.com:80/in", "https"),
])
def test_other_urls_are_refused_with_a_reason(url: str, reason: str) -> None:
    assert reason in (url_problem(url) or "")
