"""The platform as it runs: nats-server, the services and the gateway as real processes.

A key is made through the gateway's command line; every service answers through the gateway;
nothing answers without credentials or around the gateway; a stopped service is a quick 503.
NATS admits only the services, each by its own NKEY: no one connects without one, a service cannot
publish another's event, and an event still reaches every consumer.
"""

import asyncio
import contextlib
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import nats
import pytest
from nats.js.errors import NotFoundError

from bianmin.contracts.events.guarantee import GuaranteeStatusChanged
from bianmin.contracts.registry import durable_name
from bianmin.kit.events.access import OPS_USER, consumed_streams, inbox_prefix
from bianmin.testing.events import envelope
from bianmin.testing.localrun import SERVICES, Platform, create_key, private_platform

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    with private_platform(Path(tmp_path_factory.mktemp("platform"))) as running:
        yield running


@pytest.fixture(scope="module")
def admin_key(platform: Platform) -> str:
    return create_key(platform.layout, name="e2e admin", tenant="*", scopes=["admin"])


def test_every_service_answers_through_the_gateway(platform: Platform, admin_key: str) -> None:
    gateway = platform.layout.url("gateway")
    with httpx.Client(base_url=gateway, headers={"Authorization": f"Bearer {admin_key}"}, timeout=10) as client:
        for service in SERVICES:
            response = client.get(f"/{service}/v1/stats/overview")
            assert response.status_code == 200, (service, response.text)
            assert response.json()["service"] == service
            assert response.headers["x-request-id"]


def test_a_private_route_without_credentials_is_401(platform: Platform) -> None:
    response = httpx.get(f"{platform.layout.url('gateway')}/queue/v1/stats/overview", timeout=10)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_service_called_directly_without_the_internal_token_is_401(platform: Platform) -> None:
    for service in SERVICES:
        response = httpx.get(f"{platform.layout.url(service)}/v1/stats/overview", timeout=10)
        assert response.status_code == 401, service
        assert response.json()["code"] == "identity_missing"


def test_the_merged_openapi_document_covers_every_service(platform: Platform) -> None:
    # A part missing from the first merge (a busy service answering late) is fetched again soon.
    deadline = time.monotonic() + 30
    while True:
        document = httpx.get(f"{platform.layout.url('gateway')}/openapi.json", timeout=10).json()
        if not document.get("x-bianmin-missing") or time.monotonic() > deadline:
            break
        time.sleep(1)
    for service in SERVICES:
        assert f"/{service}/v1/stats/overview" in document["paths"], service


def test_a_stopped_service_is_a_503_within_two_seconds(platform: Platform, admin_key: str) -> None:
    platform.stop("credit")
    try:
        started = time.monotonic()
        response = httpx.get(f"{platform.layout.url('gateway')}/credit/v1/stats/overview",
                             headers={"Authorization": f"Bearer {admin_key}"}, timeout=10)
        elapsed = time.monotonic() - started
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("application/problem+json")
        assert elapsed < 2.0
        other = httpx.get(f"{platform.layout.url('gateway')}/queue/v1/stats/overview",
                          headers={"Authorization": f"Bearer {admin_key}"}, timeout=10)
        assert other.status_code == 200
    finally:
        platform.start("credit")


def read_calls(response: httpx.Response, count: int) -> list[dict]:
    """The first ``count`` call events of an open event stream, with their ids."""
    import json

    calls: list[dict] = []
    event: dict = {}
    for line in response.iter_lines():
        if line.startswith("id: "):
            event["id"] = line[4:]
        elif line.startswith("data: "):
            event["data"] = json.loads(line[6:])
        elif line == "" and "data" in event:
            calls.append(event)
            event = {}
            if len(calls) == count:
                break
    return calls


def test_the_hall_stream_passes_through_the_gateway_and_resumes_without_losing_a_call(
        platform: Platform, admin_key: str) -> None:
    gateway = platform.layout.url("gateway")
    with httpx.Client(base_url=f"{gateway}/queue/v1", headers={"Authorization": f"Bearer {admin_key}"},
                      timeout=10) as staff:
        assert staff.post("/halls", json={"code": "330199007", "name": "七号镇便民服务中心"}).status_code == 201
        assert staff.post("/halls/330199007/lines", json={"prefix": "A", "name": "综合受理"}).status_code == 201
        counters = [staff.post("/halls/330199007/counters",
                               json={"number": n, "state": "open", "lines": [{"line": "A"}]}).json()["id"]
                    for n in (5, 6, 7)]
        for _ in range(3):
            assert staff.post("/tickets", json={"hall_code": "330199007", "line": "A"}).status_code == 201

        with httpx.Client(base_url=gateway, timeout=httpx.Timeout(10, read=10)) as board:
            with board.stream("GET", "/queue/v1/halls/330199007/stream") as stream:
                assert stream.status_code == 200
                assert stream.headers["content-type"].startswith("text/event-stream")
                assert staff.post(f"/counters/{counters[0]}/call-next").status_code == 200
                first = read_calls(stream, 1)
            # The board was away while two more calls were made; it resumes where it stopped.
            for counter in counters[1:]:
                assert staff.post(f"/counters/{counter}/call-next").status_code == 200
            with board.stream("GET", "/queue/v1/halls/330199007/stream",
                              headers={"Last-Event-ID": first[0]["id"]}) as resumed:
                later = read_calls(resumed, 2)
    numbers = [call["data"]["number"] for call in first + later]
    assert numbers == ["A001", "A002", "A003"]
    assert "请A001号到5号窗口办理" in first[0]["data"]["text"]


# --- NATS runs with authentication, as in production (issue 17, finding 3) -------------------------------------------

async def _connect(platform: Platform, user: str, errors: list[str] | None = None) -> nats.aio.client.Client:
    async def remember(exc: Exception) -> None:
        if errors is not None:
            errors.append(str(exc))

    assert platform.nats is not None
    return await nats.connect(platform.nats.url, nkeys_seed_str=platform.nats.seed(user), inbox_prefix=inbox_prefix(user),
                              allow_reconnect=False, error_cb=remember)


def test_the_platforms_nats_refuses_a_connection_without_credentials(platform: Platform) -> None:
    assert platform.nats is not None
    with pytest.raises(nats.errors.Error):
        asyncio.run(nats.connect(platform.nats.url, allow_reconnect=False, connect_timeout=2))


def test_a_service_cannot_publish_another_services_event_on_the_platform(platform: Platform) -> None:
    async def forge() -> tuple[int, int, list[str]]:
        errors: list[str] = []
        ops, credit = await _connect(platform, OPS_USER), await _connect(platform, "credit", errors)
        try:
            before = (await ops.jetstream().stream_info("GUARANTEE")).state.messages
            forged = envelope("guarantee.guarantee.issued", GuaranteeStatusChanged(
                number="G-FORGED-E2E", type="bid_bond", project_code="P-2026-404", section_code="S1",
                applicant_credit_code="91330199MA0000001X", issuer_code="PICC", amount=Decimal("1000000.00"),
                expires_on=date(2026, 12, 31), occurred_at=datetime(2026, 6, 1, tzinfo=UTC)))
            with pytest.raises(nats.errors.Error):
                await credit.jetstream().publish("guarantee.guarantee.issued", forged.model_dump_json().encode(),
                                                 headers={"Nats-Msg-Id": forged.id}, timeout=2)
            after = (await ops.jetstream().stream_info("GUARANTEE")).state.messages
            return before, after, errors
        finally:
            await credit.close()
            await ops.close()

    before, after, errors = asyncio.run(forge())
    assert after == before, "the forged event must not be stored"
    assert any("permissions violation" in e.lower() and "guarantee.guarantee.issued" in e for e in errors), errors


def test_an_event_reaches_every_consumer_each_on_its_own_credentials(platform: Platform, admin_key: str) -> None:
    consumers = [durable_name(service, "CATALOG") for service in SERVICES
                 if "CATALOG" in consumed_streams(service)]
    assert len(consumers) >= 4
    response = httpx.put(f"{platform.layout.url('gateway')}/catalog/v1/calendar/2031-05-06",
                         json={"workday": False, "note": "e2e"}, headers={"Authorization": f"Bearer {admin_key}"},
                         timeout=10)
    assert response.status_code == 200, response.text

    async def acknowledged() -> dict[str, int]:
        ops = await _connect(platform, OPS_USER)
        try:
            js = ops.jetstream()
            last = (await js.stream_info("CATALOG")).state.last_seq
            deadline = time.monotonic() + 30
            while True:
                floors = {}
                for name in consumers:
                    with contextlib.suppress(NotFoundError):
                        floors[name] = (await js.consumer_info("CATALOG", name)).ack_floor.stream_seq
                if all(floors.get(name, 0) >= last for name in consumers) or time.monotonic() > deadline:
                    return {name: floors.get(name, 0) - last for name in consumers}
                await asyncio.sleep(0.2)
        finally:
            await ops.close()

    behind = asyncio.run(acknowledged())
    assert behind == dict.fromkeys(consumers, 0), f"consumers behind the calendar event: {behind}"
