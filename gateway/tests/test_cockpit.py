"""The cockpit fans out to every service at once and marks the ones that did not answer as missing."""

from __future__ import annotations

import time
from typing import Any

from bianmin.gateway.api.cockpit import warnings_of
from bianmin.gateway.settings import GatewaySettings
from bianmin.kit.stats import Overview, Period


async def test_the_cockpit_returns_every_answer_and_marks_down_and_slow_services_missing(
        settings: GatewaySettings, start_upstream: Any, open_gateway: Any, make_key: Any) -> None:
    _, catalog = start_upstream("catalog")
    _, queue = start_upstream("queue")
    slow, consult = start_upstream("consult")
    slow.stats_delay = 60.0
    # Long enough for a loaded machine's fast upstreams; the slow one is far beyond it.
    configured = settings.model_copy(update={"catalog_url": catalog.url, "queue_url": queue.url,
                                             "consult_url": consult.url, "cockpit_timeout_seconds": 3.0})
    async with open_gateway(configured) as (app, client):
        key = await make_key(app, ["cockpit:read"])
        await client.get("/healthz")  # the app's first request builds its routes; keep that out of the timing
        started = time.perf_counter()
        response = await client.get("/cockpit/v1/overview", params={"from": "2026-01-01", "to": "2026-01-31"},
                                    headers={"Authorization": f"Bearer {key}"})
        elapsed = time.perf_counter() - started
    assert response.status_code == 200
    body = response.json()
    assert body["period"] == {"start": "2026-01-01", "end": "2026-01-31"}
    assert sorted(part["service"] for part in body["parts"]) == ["catalog", "queue"]
    assert body["parts"][0]["figures"][0]["name"] == "requests"
    assert body["parts"][0]["period"] == {"start": "2026-01-01", "end": "2026-01-31"}
    assert body["missing"] == ["bidding", "consult", "credit", "guarantee", "webhooks"]
    assert body["reasons"]["consult"] == "timeout"
    assert body["reasons"]["credit"] == "unreachable"
    assert elapsed < slow.stats_delay  # the cockpit answered without waiting for the slow service


async def test_a_service_that_refuses_is_missing_too(
        settings: GatewaySettings, start_upstream: Any, open_gateway: Any, make_key: Any) -> None:
    _, catalog = start_upstream("catalog")
    _, misconfigured = start_upstream("queue", secret="a-different-internal-secret-0123456789abcdef")
    configured = settings.model_copy(update={"catalog_url": catalog.url, "queue_url": misconfigured.url})
    async with open_gateway(configured) as (app, client):
        reader = await make_key(app, ["cockpit:read"])
        response = await client.get("/cockpit/v1/overview", headers={"Authorization": f"Bearer {reader}"})
        reversed_period = await client.get("/cockpit/v1/overview", params={"from": "2026-02-01", "to": "2026-01-01"},
                                           headers={"Authorization": f"Bearer {reader}"})
    assert response.status_code == 200
    assert [p["service"] for p in response.json()["parts"]] == ["catalog"]
    assert response.json()["reasons"]["queue"] == "status_401"
    assert reversed_period.status_code == 422
    assert reversed_period.json()["errors"][0]["field"] == "to"


def test_the_services_warnings_are_shown_once_each_naming_who_raised_them() -> None:
    period = Period(start=None, end=None)
    text = "the working-day calendar ends on 2031-12-31: load the State Council's notice for 2032"
    parts = [Overview(service=name, period=period, figures=[], warnings=warnings)
             for name, warnings in (("queue", [text]), ("catalog", [text]), ("credit", []))]
    (warning,) = warnings_of(parts)
    assert warning.text == text
    assert warning.services == ["catalog", "queue"]
