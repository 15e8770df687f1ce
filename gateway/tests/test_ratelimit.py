"""Rate limits: per key (default or its own), per client IP for anonymous callers, 429 with Retry-After."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest

from bianmin.gateway.ratelimit import RateLimiter, storage_uri, valid_rate
from bianmin.gateway.settings import GatewaySettings
from bianmin.testing.nats import free_port, port_open


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_key_past_its_own_limit_gets_429_with_retry_after(
        settings: GatewaySettings, start_upstream: Any, open_gateway: Any, make_key: Any) -> None:
    upstream, catalog = start_upstream("catalog")
    limited = settings.model_copy(update={"catalog_url": catalog.url, "default_rate_limit": "100/minute"})
    async with open_gateway(limited) as (app, client):
        tight = await make_key(app, [], rate_limit="2/minute")
        loose = await make_key(app, [])
        scraper = await make_key(app, ["metrics:read"])
        answers = [await client.get("/catalog/v1/public/echo", headers=bearer(tight)) for _ in range(3)]
        other = await client.get("/catalog/v1/public/echo", headers=bearer(loose))
        metrics = (await client.get("/metrics", headers=bearer(scraper))).text
    assert [a.status_code for a in answers] == [200, 200, 429]
    refused = answers[2]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert other.status_code == 200
    assert upstream.hits == 3
    assert 'bianmin_gateway_rate_limited_total{caller="key"} 1.0' in metrics


async def test_the_default_rate_applies_to_keys_without_their_own_and_can_be_changed_per_key(
        settings: GatewaySettings, open_gateway: Any, make_key: Any) -> None:
    async with open_gateway(settings.model_copy(update={"default_rate_limit": "3/minute"})) as (app, client):
        admin = await make_key(app, ["admin"])
        first = [(await client.get("/admin/v1/keys", headers=bearer(admin))).status_code for _ in range(4)]
        other = await make_key(app, ["admin"], rate_limit="50/minute")
        raised = await client.patch(f"/admin/v1/keys/{admin.split('_')[1]}", headers=bearer(other),
                                    json={"rate_limit": "50/minute"})
        again = await client.get("/admin/v1/keys", headers=bearer(admin))
    assert first == [200, 200, 200, 429]
    assert raised.json()["rate_limit"] == "50/minute"
    assert again.status_code == 200


async def test_anonymous_callers_are_limited_per_client_ip_which_they_cannot_spoof(
        settings: GatewaySettings, start_upstream: Any, open_gateway: Any) -> None:
    _, catalog = start_upstream("catalog")
    limited = settings.model_copy(update={"catalog_url": catalog.url, "anonymous_rate_limit": "2/minute"})
    async with open_gateway(limited) as (_, client):
        statuses = [(await client.get("/catalog/v1/public/echo", headers={"X-Forwarded-For": f"10.0.0.{n}"})).status_code
                    for n in range(3)]
    assert statuses == [200, 200, 429]


async def test_behind_a_trusted_proxy_each_client_ip_has_its_own_count(
        settings: GatewaySettings, start_upstream: Any, open_gateway: Any) -> None:
    _, catalog = start_upstream("catalog")
    limited = settings.model_copy(update={"catalog_url": catalog.url, "anonymous_rate_limit": "1/minute",
                                          "trusted_proxies": ["127.0.0.1"]})
    async with open_gateway(limited) as (_, client):
        a = await client.get("/catalog/v1/public/echo", headers={"X-Forwarded-For": "198.51.100.1"})
        b = await client.get("/catalog/v1/public/echo", headers={"X-Forwarded-For": "198.51.100.2"})
        a_again = await client.get("/catalog/v1/public/echo", headers={"X-Forwarded-For": "198.51.100.1"})
    assert [a.status_code, b.status_code, a_again.status_code] == [200, 200, 429]


def test_rates_are_validated_and_redis_urls_use_the_redis_client() -> None:
    assert valid_rate("10/second;1000/hour") == "10/second;1000/hour"
    with pytest.raises(ValueError, match="100/minute"):
        valid_rate("lots")
    assert storage_uri("memory://") == ("async+memory://", {})
    assert storage_uri("redis://cache:6379/2") == ("async+redis://cache:6379/2", {"implementation": "redispy"})


async def test_a_failing_store_lets_requests_through() -> None:
    limiter = RateLimiter("redis://127.0.0.1:1/0", default_rate="1/minute")
    await limiter.hit("key:x")
    await limiter.hit("key:x")
    await limiter.aclose()


@pytest.fixture
def redis_url(tmp_path: Any) -> Iterator[str]:
    """A Redis to count in: BIANMIN_TEST_REDIS_URL, else a redis-server started on a free port, else skip."""
    configured = os.environ.get("BIANMIN_TEST_REDIS_URL")
    if configured:
        yield configured
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("no redis-server on this machine and BIANMIN_TEST_REDIS_URL is not set")
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not port_open(port):
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail("redis-server did not start")
        time.sleep(0.02)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


async def test_with_redis_every_gateway_replica_shares_the_counts(
        settings: GatewaySettings, redis_url: str, start_upstream: Any, open_gateway: Any, make_key: Any) -> None:
    _, catalog = start_upstream("catalog")
    shared = settings.model_copy(update={"catalog_url": catalog.url, "rate_limit_storage_url": redis_url})
    async with open_gateway(shared) as (app_a, replica_a), open_gateway(shared) as (_, replica_b):
        key = await make_key(app_a, [], rate_limit="2/minute")
        statuses = [(await replica.get("/catalog/v1/public/echo", headers=bearer(key))).status_code
                    for replica in (replica_a, replica_b, replica_a)]
    assert statuses == [200, 200, 429]
