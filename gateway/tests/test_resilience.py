"""Down, broken and slow services: retries for idempotent methods only, the breaker, 503 and 504 quickly."""

from __future__ import annotations

import time
from typing import Any

import pytest

from bianmin.gateway.domain.breaker import CircuitBreaker, CircuitOpen, State
from bianmin.gateway.settings import GatewaySettings
from bianmin.testing.nats import free_port


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_breaker_opens_after_consecutive_failures_and_closes_after_a_good_trial() -> None:
    clock = FakeClock()
    changes: list[State] = []
    breaker = CircuitBreaker("queue", threshold=3, reset_seconds=10, clock=clock,
                             on_change=lambda _, state: changes.append(state))
    for _ in range(2):
        breaker.before_call()
        breaker.record_failure()
    breaker.before_call()
    breaker.record_success()
    assert breaker.state is State.CLOSED
    assert breaker.failures == 0
    for _ in range(3):
        breaker.before_call()
        breaker.record_failure()
    assert breaker.state is State.OPEN
    with pytest.raises(CircuitOpen) as refused:
        breaker.before_call()
    assert refused.value.retry_after == pytest.approx(10)
    clock.now += 10
    assert breaker.state is State.HALF_OPEN
    breaker.before_call()
    with pytest.raises(CircuitOpen):
        breaker.before_call()  # one trial at a time
    breaker.record_success()
    assert breaker.state is State.CLOSED
    assert changes == [State.OPEN, State.HALF_OPEN, State.CLOSED]


def test_a_failed_trial_opens_the_circuit_again_and_a_lost_trial_frees_its_slot() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker("queue", threshold=1, reset_seconds=5, clock=clock)
    breaker.before_call()
    breaker.record_failure()
    clock.now += 5
    breaker.before_call()
    breaker.record_failure()
    assert breaker.state is State.OPEN
    clock.now += 5
    breaker.before_call()
    breaker.release_trial()
    breaker.before_call()
    assert breaker.state is State.HALF_OPEN


async def test_idempotent_requests_are_retried_on_connection_errors_and_posts_never(
        settings: GatewaySettings, dropping: Any, open_gateway: Any) -> None:
    broken = settings.model_copy(update={"catalog_url": dropping.url, "retry_attempts": 2, "retry_backoff_seconds": 0.01})
    async with open_gateway(broken) as (_, client):
        get = await client.get("/catalog/v1/public/echo")
        after_get = dropping.hits
        put = await client.put("/catalog/v1/public/echo", content=b"{}")
        after_put = dropping.hits
        post = await client.post("/catalog/v1/public/echo", content=b"{}")
        after_post = dropping.hits
        patch = await client.patch("/catalog/v1/public/echo", content=b"{}")
    assert get.status_code == post.status_code == put.status_code == patch.status_code == 503
    assert get.json()["code"] == "upstream_unavailable"
    assert after_get == 3
    assert after_put - after_get == 3
    assert after_post - after_put == 1
    assert dropping.hits - after_post == 1


async def test_a_stopped_service_answers_503_within_two_seconds(
        settings: GatewaySettings, start_upstream: Any, open_gateway: Any) -> None:
    _, catalog = start_upstream("catalog")
    async with open_gateway(settings.model_copy(update={"catalog_url": catalog.url})) as (_, client):
        assert (await client.get("/catalog/v1/public/echo")).status_code == 200
        catalog.stop()
        started = time.perf_counter()
        response = await client.get("/catalog/v1/public/echo")
        elapsed = time.perf_counter() - started
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "1"
    assert elapsed < 2.0


async def test_a_slow_service_answers_504(settings: GatewaySettings, start_upstream: Any, open_gateway: Any) -> None:
    _, catalog = start_upstream("catalog")
    impatient = settings.model_copy(update={"catalog_url": catalog.url, "read_timeout_seconds": 0.2})
    async with open_gateway(impatient) as (_, client):
        quick = await client.get("/catalog/v1/slow", params={"seconds": 0})
        started = time.perf_counter()
        response = await client.get("/catalog/v1/slow", params={"seconds": 1.5})
        elapsed = time.perf_counter() - started
    assert quick.status_code == 200
    assert response.status_code == 504
    assert response.json()["code"] == "upstream_timeout"
    assert elapsed < 1.2


async def test_the_circuit_opens_refuses_fast_then_half_opens_and_closes(
        settings: GatewaySettings, start_upstream: Any, open_gateway: Any, make_key: Any) -> None:
    port = free_port()
    flaky = settings.model_copy(update={"catalog_url": f"http://127.0.0.1:{port}", "retry_attempts": 0,
                                        "breaker_failure_threshold": 2, "breaker_reset_seconds": 30})
    async with open_gateway(flaky) as (app, client):
        scraper = {"Authorization": f"Bearer {await make_key(app, ['metrics:read'])}"}
        # The breaker's own clock, moved by hand: the cool-down passes when the test says so,
        # however long a loaded machine takes to start the upstream.
        breaker = app.state.upstreams["catalog"].breaker
        moment = [1000.0]
        breaker.clock = lambda: moment[0]
        for _ in range(2):
            failed = await client.get("/catalog/v1/public/echo")
            assert failed.json()["code"] == "upstream_unavailable"
        upstream, _ = start_upstream("catalog", port)
        refused = await client.get("/catalog/v1/public/echo")
        assert upstream.hits == 0  # refused without trying, though the service is back
        assert refused.status_code == 503
        assert refused.json()["code"] == "upstream_circuit_open"
        assert int(refused.headers["retry-after"]) >= 1
        assert 'bianmin_gateway_circuit_state{upstream="catalog"} 2.0' in (await client.get("/metrics", headers=scraper)).text

        moment[0] += 30
        assert breaker.state is State.HALF_OPEN
        trial = await client.get("/catalog/v1/public/echo")
        assert trial.status_code == 200
        assert breaker.state is State.CLOSED
        metrics = (await client.get("/metrics", headers=scraper)).text
    assert upstream.hits == 1
    assert 'bianmin_gateway_circuit_state{upstream="catalog"} 0.0' in metrics
    assert "bianmin_gateway_upstream_seconds_count" in metrics


async def test_the_transport_can_be_swapped(settings: GatewaySettings, open_gateway: Any) -> None:
    from bianmin.gateway.app import create_app
    from bianmin.gateway.transport import UpstreamRequest
    from bianmin.testing.client import running

    seen: list[UpstreamRequest] = []

    class Canned:
        def __init__(self) -> None:
            self.status_code = 200
            self.raw_headers = [(b"content-type", b"text/plain")]

        async def stream(self) -> Any:
            yield b"canned"

        async def read(self) -> bytes:
            return b"canned"

        async def aclose(self) -> None:
            return None

    class CannedTransport:
        async def send(self, request: UpstreamRequest) -> Any:
            seen.append(request)
            return Canned()

        async def aclose(self) -> None:
            return None

    import httpx

    app = create_app(settings, transport_factory=lambda url, s: CannedTransport())
    async with running(app), httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://g") as client:
        response = await client.get("/credit/v1/enterprises?color=red")
    assert response.text == "canned"
    assert seen[0].target == "/v1/enterprises?color=red"
