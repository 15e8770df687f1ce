"""Issue 17, finding 11, at the gateway: ``/metrics`` is not public, and per-replica rate limits are said aloud.

Prometheus scrapes the gateway with a key holding ``metrics:read`` (or ``admin``). Rate limits
counted in memory are counted per replica: with two replicas each key gets twice its limit, which
the gateway says in a warning at start and in ``/readyz`` (``rate_limits``, and ``degraded`` when
more than one replica is declared).
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bianmin.gateway.settings import GatewaySettings


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_gateway_metrics_need_a_key_with_metrics_read(
        settings: GatewaySettings, open_gateway: Any, make_key: Any) -> None:
    async with open_gateway(settings) as (app, client):
        scraper, admin, other = (await make_key(app, ["metrics:read"]), await make_key(app, ["admin"]),
                                 await make_key(app, ["cockpit:read"]))
        anonymous = await client.get("/metrics")
        unscoped = await client.get("/metrics", headers=bearer(other))
        scraped = await client.get("/metrics", headers=bearer(scraper))
        by_admin = await client.get("/metrics", headers=bearer(admin))
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
    assert "bianmin_http_requests_total" not in anonymous.text
    assert unscoped.status_code == 403
    assert scraped.status_code == 200
    assert "bianmin_http_requests_total" in scraped.text
    assert by_admin.status_code == 200


async def test_memory_rate_limits_with_two_replicas_are_warned_and_degraded_but_ready(
        settings: GatewaySettings, open_gateway: Any, caplog: pytest.LogCaptureFixture) -> None:
    two = settings.model_copy(update={"rate_limit_storage_url": "memory://", "replicas": 2})
    with caplog.at_level(logging.WARNING, logger="bianmin.gateway"):
        async with open_gateway(two) as (_, client):
            ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    assert ready.json()["rate_limits"] == "per-replica (memory)"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "rate limit" in r.getMessage()]
    assert any("2 replicas" in message for message in warnings), warnings


async def test_memory_rate_limits_with_one_replica_are_reported_and_shared_ones_are_not_warned(
        settings: GatewaySettings, open_gateway: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="bianmin.gateway"):
        async with open_gateway(settings.model_copy(update={"rate_limit_storage_url": "memory://"})) as (_, client):
            alone = (await client.get("/readyz")).json()
    memory_warnings = [r for r in caplog.records if "rate limit" in r.getMessage()]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="bianmin.gateway"):
        shared_settings = settings.model_copy(update={"rate_limit_storage_url": "redis://127.0.0.1:1/0", "replicas": 3})
        async with open_gateway(shared_settings) as (_, client):
            shared = (await client.get("/readyz")).json()
    assert (alone["status"], alone["rate_limits"]) == ("ready", "per-replica (memory)")
    assert memory_warnings, "memory rate limits are named at start even with one replica"
    assert (shared["status"], shared["rate_limits"]) == ("ready", "shared (redis)")
    assert not [r for r in caplog.records if "rate limit" in r.getMessage()]
