"""The opening's windows and the publicity count in the operator's minute and day (drills and e2e tests)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from bidding_factories import CLERK, bidder_key, enterprise, open_tender
from fastapi import FastAPI

from bianmin.bidding.app import create_app
from bianmin.bidding.settings import BiddingSettings
from bianmin.kit.clock import FixedClock
from bianmin.testing.client import client_for, running

CODE = "BM-2026-001"


@pytest.fixture
async def drill_app(settings: BiddingSettings, clock: FixedClock) -> AsyncIterator[FastAPI]:
    """The service with a one-second minute and a ten-second day."""
    application = create_app(settings.model_copy(update={"minute_seconds": 1.0, "day_seconds": 10.0}), clock=clock)
    async with running(application):
        yield application


async def test_short_units_close_the_windows_and_the_publicity_in_seconds(drill_app: FastAPI,
                                                                         clock: FixedClock) -> None:
    bids = await open_tender(drill_app, clock, CODE)
    for n in (1, 2, 3):
        bid_id, secret = bids[n]
        async with client_for(drill_app, bidder_key(n)) as bidder:
            assert (await bidder.post(f"/v1/projects/{CODE}/bids/{bid_id}/reveal",
                                      json=secret.as_reveal())).status_code == 200
    async with client_for(drill_app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{CODE}/opening/finish")).json()["status"] == "opened"
        assert (await clerk.post(f"/v1/projects/{CODE}/evaluation/start")).json()["code"] == "window_open"
        clock.advance(timedelta(seconds=15))
        assert (await clerk.post(f"/v1/projects/{CODE}/evaluation/start")).json()["status"] == "evaluating"
        publicised = (await clerk.post(f"/v1/projects/{CODE}/evaluation/publicise")).json()
        assert publicised["publicity_days"] == 3
        clock.advance(timedelta(seconds=29))
        assert (await clerk.post(f"/v1/projects/{CODE}/award")).json()["code"] == "publicity_running"
        clock.advance(timedelta(seconds=1))
        assert (await clerk.post(f"/v1/projects/{CODE}/award")).json()["status"] == "awarded"


async def test_an_unrevealed_bid_is_void_once_the_short_window_closes(drill_app: FastAPI, clock: FixedClock) -> None:
    bids = await open_tender(drill_app, clock, CODE, prices={1: "900000.00", 2: "910000.00", 3: "920000.00",
                                                             4: "930000.00"})
    for n in (1, 2, 3):
        bid_id, secret = bids[n]
        async with client_for(drill_app, bidder_key(n)) as bidder:
            await bidder.post(f"/v1/projects/{CODE}/bids/{bid_id}/reveal", json=secret.as_reveal())
    async with client_for(drill_app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{CODE}/opening/finish")).json()["code"] == "window_open"
        clock.advance(timedelta(seconds=30))
        assert (await clerk.post(f"/v1/projects/{CODE}/opening/finish")).json()["status"] == "opened"
        rows = {r["credit_code"]: r["validity"] for r in (await clerk.get(f"/v1/projects/{CODE}/opening")).json()}
    assert rows[enterprise(4)] == "void"
