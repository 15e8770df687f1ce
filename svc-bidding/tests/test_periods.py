"""The periods the law sets between a tender's documents and its bid deadline (招标投标法 §24, issue 21).

A tender that must be tendered by law (依法必须招标) closes no sooner than 20 days after its
documents are issued; days count from the day after the issue (民法典 §201), in Asia/Shanghai.
Tenders the law does not bind follow the operator's local rule for small and village projects.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from bidding_factories import CLERK, DEADLINE, T0, project_body
from fastapi import FastAPI
from pydantic import ValidationError

from bianmin.bidding.app import create_app
from bianmin.bidding.domain.periods import earliest_deadline
from bianmin.bidding.settings import BiddingSettings
from bianmin.kit.clock import FixedClock
from bianmin.kit.workdays import SHANGHAI
from bianmin.testing.client import client_for, running

BIG = {"budget": "5000000.00", "sections": [{"code": "S1", "name": "施工", "budget": "5000000.00",
                                             "bid_bond_amount": "100000.00"}]}


def _at(deadline: datetime) -> dict[str, str]:
    return {"bid_deadline": deadline.isoformat(), "opening_at": deadline.isoformat()}


def _field(response: Any) -> str:
    return str(response.json()["errors"][0]["field"])


async def test_a_tender_that_must_be_tendered_by_law_cannot_close_one_day_after_issue(app: FastAPI) -> None:
    async with client_for(app, CLERK) as clerk:
        stated = await clerk.post("/v1/projects", json=project_body(mandatory_tender=True, **_at(T0 + timedelta(days=1))))
        derived = await clerk.post("/v1/projects", json=project_body("BM-2026-002", **BIG, **_at(T0 + timedelta(days=1))))
        nothing = await clerk.get("/v1/projects/BM-2026-001")
        lawful = await clerk.post("/v1/projects", json=project_body("BM-2026-003", **BIG))
    assert stated.status_code == 422, stated.text
    assert _field(stated) == "bid_deadline"
    assert stated.json()["code"] == "tender_period_too_short"
    assert "§24" in stated.json()["errors"][0]["reason"]
    assert _field(derived) == "bid_deadline"
    assert nothing.status_code == 404
    assert lawful.status_code == 201, lawful.text
    assert lawful.json()["mandatory_tender"] is True


async def test_the_period_runs_from_publication_so_a_draft_published_late_is_refused(
        app: FastAPI, clock: FixedClock) -> None:
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post("/v1/projects", json=project_body(mandatory_tender=True))).status_code == 201
        clock.advance(timedelta(days=2))
        late = await clerk.post("/v1/projects/BM-2026-001/publish")
        still = (await clerk.get("/v1/projects/BM-2026-001")).json()
    assert late.status_code == 422, late.text
    assert _field(late) == "bid_deadline"
    assert still["status"] == "draft"


async def test_days_count_from_the_day_after_issue_in_shanghai(app: FastAPI, clock: FixedClock) -> None:
    issued = datetime(2026, 3, 2, 15, 0, tzinfo=SHANGHAI)
    clock.at = issued
    async with client_for(app, CLERK) as clerk:
        on_day_20 = await clerk.post("/v1/projects", json=project_body(
            mandatory_tender=True, **_at(datetime(2026, 3, 22, 9, 30, tzinfo=SHANGHAI))))
        on_day_19 = await clerk.post("/v1/projects", json=project_body(
            "BM-2026-002", mandatory_tender=True, **_at(datetime(2026, 3, 21, 23, 59, tzinfo=SHANGHAI))))
    assert on_day_20.status_code == 201, on_day_20.text
    assert _field(on_day_19) == "bid_deadline"
    assert earliest_deadline(issued, 20, 86400.0) == datetime(2026, 3, 22, tzinfo=SHANGHAI)


async def test_a_tender_above_the_thresholds_cannot_state_it_is_not_bound_and_sales_are_not_tenders(
        app: FastAPI) -> None:
    async with client_for(app, CLERK) as clerk:
        evading = await clerk.post("/v1/projects", json=project_body(mandatory_tender=False, **BIG))
        land = await clerk.post("/v1/projects", json=project_body(
            "BM-2026-002", category="land_use", mandatory_tender=True,
            sections=[{"code": "S1", "name": "地块", "budget": "1000000.00", "bid_bond_amount": "200000.00"}]))
        small = await clerk.post("/v1/projects", json=project_body("BM-2026-003", **_at(T0 + timedelta(hours=2))))
    assert evading.status_code == 422
    assert _field(evading) == "mandatory_tender"
    assert _field(land) == "mandatory_tender"
    assert small.status_code == 201, small.text
    assert small.json()["mandatory_tender"] is False


def test_no_setting_may_shorten_the_statutory_period() -> None:
    with pytest.raises(ValidationError, match="tender_period_days"):
        BiddingSettings(tender_period_days={"construction.open": 15})
    with pytest.raises(ValidationError, match="tender_period_days"):
        BiddingSettings(tender_period_days={"construction.negotiated": 20})
    assert BiddingSettings(tender_period_days={"construction.open": 25}).tender_period_days["construction.open"] == 25


@pytest.fixture
async def tuned(settings: BiddingSettings, clock: FixedClock) -> AsyncIterator[FastAPI]:
    """An app whose operator set a 5-day rule for township (small and village) tenders and a 25-day one for open works.

    The settings come from the (synchronous) ``settings`` fixture: preparing a PostgreSQL database runs its own
    event loop, which an async fixture's running loop would refuse.
    """
    application = create_app(settings.model_copy(update={"voluntary_period_days": {"district": 0, "township": 5},
                                                         "tender_period_days": {"construction.open": 25}}), clock=clock)
    async with running(application):
        yield application


async def test_an_operator_sets_the_periods_per_method_category_and_level(tuned: FastAPI) -> None:
    async with client_for(tuned, CLERK) as clerk:
        village = await clerk.post("/v1/projects", json=project_body(
            level="township", site_code="330199001", **_at(T0 + timedelta(days=2))))
        district = await clerk.post("/v1/projects", json=project_body("BM-2026-002", **_at(T0 + timedelta(days=2))))
        works = await clerk.post("/v1/projects", json=project_body("BM-2026-003", **BIG))
        works_later = await clerk.post("/v1/projects", json=project_body(
            "BM-2026-004", **BIG, **_at(DEADLINE + timedelta(days=5))))
    assert _field(village) == "bid_deadline"
    assert "5 days" in village.json()["errors"][0]["reason"]
    assert district.status_code == 201, district.text
    assert _field(works) == "bid_deadline"
    assert works_later.status_code == 201, works_later.text


@pytest.fixture
async def drill(settings: BiddingSettings, clock: FixedClock) -> AsyncIterator[FastAPI]:
    """An app on the drill scale of the end-to-end tests: a day lasts two seconds."""
    application = create_app(settings.model_copy(update={"day_seconds": 2.0}), clock=clock)
    async with running(application):
        yield application


async def test_the_drill_scale_shrinks_the_period_with_its_days(drill: FastAPI) -> None:
    async with client_for(drill, CLERK) as clerk:
        short = await clerk.post("/v1/projects", json=project_body(**BIG, **_at(T0 + timedelta(seconds=39))))
        enough = await clerk.post("/v1/projects", json=project_body("BM-2026-002", **BIG,
                                                                    **_at(T0 + timedelta(seconds=40))))
    assert _field(short) == "bid_deadline"
    assert enough.status_code == 201, enough.text
    assert earliest_deadline(T0, 20, 2.0) == T0 + timedelta(seconds=40)
