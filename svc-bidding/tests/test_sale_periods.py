"""The periods of sales: a land announcement 20 days ahead and a listing of 10 days (国土资源部令第39号 §8,
§19), a state-property disclosure of 20 working days (国资委 财政部令第32号 §13; issue 21)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from bidding_factories import CLERK, T0, project_body
from fastapi import FastAPI
from pydantic import ValidationError

from bianmin.bidding.app import create_app
from bianmin.bidding.settings import BiddingSettings
from bianmin.kit.calendar import set_override
from bianmin.kit.clock import FixedClock
from bianmin.kit.workdays import SHANGHAI
from bianmin.testing.client import client_for, running

LAND = "BM-LAND-101"
PROPERTY = "BM-SP-101"
RESERVE = "800000.00"
# T0 is Monday 2 March 2026, 09:00 in Shanghai: 20 days after it is 22 March; 20 working days (weekends
# off, no holiday in March 2026) after it is Monday 30 March.
TWENTIETH_WORKDAY = datetime(2026, 3, 30, tzinfo=SHANGHAI)


def _land(code: str = LAND) -> dict[str, Any]:
    registration_ends = (T0 + timedelta(days=10)).isoformat()  # registration may close before the sale starts
    return project_body(code, category="land_use", budget=RESERVE, bid_deadline=registration_ends,
                        opening_at=registration_ends, sections=[
        {"code": "S1", "name": "地块", "budget": RESERVE, "bid_bond_amount": "160000.00"}])


def _property(code: str, deadline: datetime) -> dict[str, Any]:
    return project_body(code, category="state_property", budget=RESERVE, name="便民区国有资产经营公司持有的股权",
                        bid_deadline=deadline.isoformat(), opening_at=deadline.isoformat(),
                        sections=[{"code": "S1", "name": "股权", "budget": RESERVE, "bid_bond_amount": "80000.00"}])


def _auction(starts_at: datetime, ends_at: datetime, **more: Any) -> dict[str, Any]:
    return {"reserve_price": RESERVE, "increment": "10000.00", "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(), **more}


def _refusal(response: Any) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body.get("code", ""), body["errors"][0]["field"] if body.get("errors") else ""


async def test_a_land_listing_is_announced_20_days_ahead_and_runs_10_days(app: FastAPI) -> None:
    start = T0 + timedelta(days=20)
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post("/v1/projects", json=_land())).status_code == 201
        soon = await clerk.post(f"/v1/projects/{LAND}/auction",
                                json=_auction(T0 + timedelta(days=15), T0 + timedelta(days=30)))
        short = await clerk.post(f"/v1/projects/{LAND}/auction", json=_auction(start, start + timedelta(days=3)))
        nine = await clerk.post(f"/v1/projects/{LAND}/auction", json=_auction(start, start + timedelta(days=9)))
        lawful = await clerk.post(f"/v1/projects/{LAND}/auction", json=_auction(start, start + timedelta(days=10)))
    assert _refusal(soon) == (422, "sale_period_too_short", "starts_at")
    assert "§8" in soon.json()["errors"][0]["reason"]
    assert _refusal(short) == (422, "sale_period_too_short", "ends_at")
    assert "§19" in short.json()["errors"][0]["reason"]
    assert _refusal(nine)[2] == "ends_at"
    assert lawful.status_code == 201, lawful.text
    assert lawful.json()["sale_method"] == "listing"


async def test_a_land_auction_has_no_listing_period_but_is_announced_20_days_ahead(app: FastAPI) -> None:
    """拍卖出让 has no listing to run; its announcement still comes 20 days before it starts (§8)."""
    start = T0 + timedelta(days=20)
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post("/v1/projects", json=_land())).status_code == 201
        soon = await clerk.post(f"/v1/projects/{LAND}/auction", json=_auction(
            T0 + timedelta(days=19), T0 + timedelta(days=19, hours=1), sale_method="auction"))
        hour = await clerk.post(f"/v1/projects/{LAND}/auction", json=_auction(
            start, start + timedelta(hours=1), sale_method="auction"))
    assert _refusal(soon)[2] == "starts_at"
    assert hour.status_code == 201, hour.text
    assert hour.json()["sale_method"] == "auction"


async def test_a_land_announcement_runs_from_publication(app: FastAPI, clock: FixedClock) -> None:
    start = T0 + timedelta(days=20)
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post("/v1/projects", json=_land())).status_code == 201
        assert (await clerk.post(f"/v1/projects/{LAND}/auction",
                                 json=_auction(start, start + timedelta(days=10)))).status_code == 201
        clock.advance(timedelta(days=2))
        late = await clerk.post(f"/v1/projects/{LAND}/publish")
        still = (await clerk.get(f"/v1/projects/{LAND}")).json()
        # sold by tender (招标出让), without an auction: bids are taken from the announcement, so the
        # deadline comes 20 days after it
        assert (await clerk.post("/v1/projects", json=_land("BM-LAND-102"))).status_code == 201
        tender = await clerk.post("/v1/projects/BM-LAND-102/publish")
    assert _refusal(late) == (422, "sale_period_too_short", "starts_at")
    assert still["status"] == "draft"
    assert _refusal(tender) == (422, "sale_period_too_short", "bid_deadline")


async def test_a_state_property_disclosure_runs_20_working_days(app: FastAPI, clock: FixedClock) -> None:
    async with client_for(app, CLERK) as clerk:
        calendar_days = await clerk.post("/v1/projects", json=_property(PROPERTY, T0 + timedelta(days=20)))
        day_before = await clerk.post("/v1/projects", json=_property(PROPERTY, TWENTIETH_WORKDAY - timedelta(seconds=1)))
        lawful = await clerk.post("/v1/projects", json=_property(PROPERTY, TWENTIETH_WORKDAY + timedelta(hours=17)))
        clock.advance(timedelta(days=1))
        late = await clerk.post(f"/v1/projects/{PROPERTY}/publish")
        still = (await clerk.get(f"/v1/projects/{PROPERTY}")).json()
    assert _refusal(calendar_days) == (422, "sale_period_too_short", "bid_deadline")
    assert "§13" in calendar_days.json()["errors"][0]["reason"]
    assert "working days" in calendar_days.json()["errors"][0]["reason"]
    assert _refusal(day_before)[2] == "bid_deadline"
    assert lawful.status_code == 201, lawful.text
    assert _refusal(late) == (422, "sale_period_too_short", "bid_deadline")
    assert still["status"] == "draft"


async def test_the_disclosure_counts_the_districts_calendar(app: FastAPI) -> None:
    """Holidays of the calendar do not count: an operator's week off (16–20 March) and 清明 (6 April 2026)."""
    async with app.state.db.sessionmaker() as session:
        for n in range(16, 21):
            await set_override(session, date(2026, 3, n), False, "test week off", now=T0)
        await session.commit()
    async with client_for(app, CLERK) as clerk:
        by_weekends = await clerk.post("/v1/projects", json=_property(PROPERTY, TWENTIETH_WORKDAY + timedelta(hours=17)))
        after_holidays = await clerk.post("/v1/projects", json=_property(
            PROPERTY, TWENTIETH_WORKDAY + timedelta(days=8, hours=17)))
    assert _refusal(by_weekends)[2] == "bid_deadline"
    assert after_holidays.status_code == 201, after_holidays.text


def test_no_setting_may_shorten_a_statutory_sale_period() -> None:
    for name, below in (("land_announcement_days", 19), ("land_listing_days", 9),
                        ("state_property_disclosure_workdays", 19)):
        with pytest.raises(ValidationError, match=name):
            BiddingSettings(**{name: below})
    tuned = BiddingSettings(land_listing_days=15, state_property_disclosure_workdays=25)
    assert (tuned.land_listing_days, tuned.state_property_disclosure_workdays) == (15, 25)


@pytest.fixture
async def drill(settings: BiddingSettings, clock: FixedClock) -> AsyncIterator[FastAPI]:
    """An app on the drill scale of the end-to-end tests: a day lasts two seconds."""
    application = create_app(settings.model_copy(update={"day_seconds": 2.0}), clock=clock)
    async with running(application):
        yield application


async def test_the_drill_scale_shrinks_the_sale_periods_with_its_days(drill: FastAPI) -> None:
    start = T0 + timedelta(seconds=40)
    async with client_for(drill, CLERK) as clerk:
        registration_ends = (T0 + timedelta(seconds=30)).isoformat()
        assert (await clerk.post("/v1/projects", json=_land() | {
            "bid_deadline": registration_ends, "opening_at": registration_ends})).status_code == 201
        early = await clerk.post(f"/v1/projects/{LAND}/auction", json=_auction(start - timedelta(seconds=1),
                                                                                start + timedelta(seconds=20)))
        short = await clerk.post(f"/v1/projects/{LAND}/auction", json=_auction(start, start + timedelta(seconds=19)))
        listing = await clerk.post(f"/v1/projects/{LAND}/auction", json=_auction(start, start + timedelta(seconds=20)))
        published = await clerk.post(f"/v1/projects/{LAND}/publish")
        quick = await clerk.post("/v1/projects", json=_property(PROPERTY, T0 + timedelta(seconds=39)))
        drilled = await clerk.post("/v1/projects", json=_property("BM-SP-102", T0 + timedelta(seconds=40)))
    assert _refusal(early) == (422, "sale_period_too_short", "starts_at")
    assert _refusal(short)[2] == "ends_at"
    assert listing.status_code == 201, listing.text
    assert published.status_code == 200, published.text
    assert _refusal(quick)[2] == "bid_deadline"
    assert drilled.status_code == 201, drilled.text
