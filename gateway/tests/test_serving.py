"""Issue 17, finding 6, from outside: one anonymous client must not stop the gateway.

The gateway is started as ``make run`` starts it (``bianmin-gateway serve`` in its own process,
environment from ``bianmin.testing.localrun``), with a test service behind it on the catalog's port.
The attacker opens hundreds of half-sent requests and idle connections and sends a head far over
the limit; other clients must still be served, the half-sent requests closed after the header
timeout, and nothing oversized forwarded.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bianmin.testing.localrun import Platform, free_layout
from bianmin.testing.serving import close_all, connect, read_until_closed, request, send_partial_head, status_of

HEADER_TIMEOUT = 1.5
PER_CLIENT = 10


@pytest.fixture
def gateway_process(tmp_path: Path, start_upstream: Any) -> Iterator[tuple[int, Any]]:
    """``bianmin-gateway serve`` on free ports, a test catalog behind it; yields the gateway's port and the catalog."""
    layout = free_layout(tmp_path, nats_url="nats://127.0.0.1:1")
    catalog, _ = start_upstream("catalog", layout.ports["catalog"], secret=layout.secrets["BIANMIN_INTERNAL_SECRET"])
    platform = Platform(layout)
    platform.start("gateway", extra_env={
        "BIANMIN_GATEWAY_HTTP_HEADER_TIMEOUT_SECONDS": str(HEADER_TIMEOUT),
        "BIANMIN_GATEWAY_HTTP_MAX_CONNECTIONS_PER_CLIENT": str(PER_CLIENT),
        "BIANMIN_GATEWAY_TRUSTED_PROXIES": "127.0.0.9",
        "BIANMIN_GATEWAY_LOG_LEVEL": "WARNING",
    })
    try:
        yield layout.ports["gateway"], catalog
    finally:
        platform.stop_all()


def test_one_anonymous_client_cannot_stop_the_gateway(gateway_process: tuple[int, Any]) -> None:
    port, catalog = gateway_process
    started = time.monotonic()
    # 300 half-sent requests from 30 addresses (under the per-client cap each).
    slow = [connect(port, f"127.0.1.{1 + n % 30}") for n in range(300)]
    try:
        for sock in slow:
            send_partial_head(sock, "/catalog/v1/public/echo")
        asked = time.monotonic()
        health, _ = request(port, "/healthz")
        answered_in = time.monotonic() - asked
        outcomes = [read_until_closed(sock, timeout=max(0.1, started + HEADER_TIMEOUT + 8 - time.monotonic()))
                    for sock in slow]
    finally:
        close_all(slow)
    assert health == 200
    assert answered_in < 1.0
    assert all(outcome is not None for outcome in outcomes), "half-sent requests outlived the header timeout"
    assert {status_of(outcome) for outcome in outcomes} == {408}
    assert catalog.hits == 0


def test_a_head_over_the_limit_is_431_and_not_forwarded(gateway_process: tuple[int, Any]) -> None:
    port, catalog = gateway_process
    fitting = request(port, "/catalog/v1/public/echo", headers=[("X-Fill", "a" * 8000)])
    hits_after_fitting = catalog.hits
    oversized = request(port, "/catalog/v1/public/echo", headers=[("X-Fill", "a" * 1_000_000)])
    many = request(port, "/catalog/v1/public/echo", headers=[(f"X-N{n}", "1") for n in range(150)])
    assert fitting[0] == 200
    assert hits_after_fitting == 1
    assert [oversized[0], many[0]] == [431, 431]
    assert catalog.hits == 1, "an oversized head reached the service"


def test_idle_connections_past_the_per_client_cap_are_refused_but_not_for_others(
        gateway_process: tuple[int, Any]) -> None:
    port, _ = gateway_process
    held = [connect(port, "127.0.0.20") for _ in range(PER_CLIENT)]
    proxy = [connect(port, "127.0.0.9") for _ in range(PER_CLIENT + 5)]
    try:
        time.sleep(0.2)
        extra = connect(port, "127.0.0.20")
        refused = read_until_closed(extra, timeout=5)
        extra.close()
        other = request(port, "/healthz", source="127.0.0.21")
        proxy_open = [read_until_closed(sock, timeout=0.01) is None for sock in proxy]
    finally:
        close_all(held + proxy)
    assert status_of(refused) == 429
    assert other[0] == 200
    assert all(proxy_open), "a trusted proxy carries many clients: the per-client cap is not its limit"


def test_the_gateway_drops_an_idle_upstream_connection_well_before_the_service_does() -> None:
    """Both transports expire pooled connections at ``KEEPALIVE_SECONDS``; a service closes an idle
    one at its ``http_idle_timeout_seconds``. Were they equal, a forwarded request could be written
    into a connection the service is closing and come back as a reset."""
    from bianmin.gateway.transport import KEEPALIVE_SECONDS, HttpxTransport
    from bianmin.kit.settings import ServiceSettings

    assert ServiceSettings.model_fields["http_idle_timeout_seconds"].default >= KEEPALIVE_SECONDS * 2
    transport = HttpxTransport("http://127.0.0.1:1", connect_timeout=1, read_timeout=1, write_timeout=1,
                               pool_timeout=1, max_connections=1, max_keepalive_connections=1)
    assert transport.client._transport._pool._keepalive_expiry == KEEPALIVE_SECONDS  # type: ignore[attr-defined]
