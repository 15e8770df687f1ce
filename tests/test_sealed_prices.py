"""Bid prices are unreadable before the bids are revealed: through every GET route and in every table.

Three bids with distinctive prices are sealed and submitted, the deadline passes and the opening
starts (nothing revealed yet). Then every GET operation of the bidding service's OpenAPI document
is called as the district admin, a supervisor, the clerk, a bidder and the anonymous caller, and
every row of every table of the database is read: no price appears anywhere.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI

from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import ANONYMOUS
from bianmin.testing.client import DISTRICT_ADMIN, client_for, running
from bianmin.testing.databases import TestDatabases

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "svc-bidding" / "tests"))

from bidding_factories import CLERK, SUPERVISOR, T0, bidder_key, open_tender
from platform_apps import build_app, operations

PRICES = {1: "987654.32", 2: "912345.67", 3: "876543.21"}
CODE = "BM-2026-042"


@pytest.fixture
def bidding_app(test_databases: TestDatabases) -> FastAPI:
    app = build_app("bidding", test_databases)
    app.state.clock = FixedClock(T0)
    return app


def _needles() -> list[str]:
    found = []
    for price in PRICES.values():
        whole, cents = price.split(".")
        found += [price, whole + cents, f"{int(whole):,}", str(int(whole) * 100 + int(cents))]
    return found


async def test_no_route_and_no_table_shows_a_price_before_the_reveal(bidding_app: FastAPI) -> None:
    app = bidding_app
    leaks: list[str] = []
    async with running(app):
        bids = await open_tender(app, app.state.clock, CODE, PRICES)
        values = {"code": CODE, "section": "S1", "bid_id": next(iter(bids.values()))[0]}
        gets = [op for op in operations("bidding", app) if op.method == "get" and not op.streams]
        for principal in (DISTRICT_ADMIN, SUPERVISOR, CLERK, bidder_key(1), ANONYMOUS):
            async with client_for(app, principal) as client:
                for op in gets:
                    response = await client.get(op.url(values))
                    assert response.status_code < 500, (op.label, response.text[:200])
                    leaks += [f"{op.label} as {principal.key_id}: {needle}" for needle in _needles()
                              if needle in response.text]
    database = app.state.settings.database_url.split("///", 1)[1]
    with sqlite3.connect(database) as connection:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in connection.execute(f'SELECT * FROM "{table}"'):
                text = " ".join(str(v) for v in row)
                leaks += [f"table {table}: {needle}" for needle in _needles() if needle in text]
    assert len(gets) > 20
    assert not leaks, "\n".join(leaks)


async def test_no_route_shows_a_decrypted_price_to_another_while_the_window_is_open(bidding_app: FastAPI) -> None:
    """Not decrypting is no free option: bidders 1 and 2 decrypt, and until the window closes nobody but
    each bidder itself reads their prices, so bidder 3 cannot decide whether to decrypt knowing them."""
    app = bidding_app
    leaks: list[str] = []
    async with running(app):
        bids = await open_tender(app, app.state.clock, CODE, PRICES)
        for n in (1, 2):
            bid_id, secret = bids[n]
            async with client_for(app, bidder_key(n)) as bidder:
                revealed = await bidder.post(f"/v1/projects/{CODE}/bids/{bid_id}/reveal", json=secret.as_reveal())
                assert revealed.status_code == 200, revealed.text
        hidden = [needle for n in (1, 2) for needle in _needles() if needle.startswith(PRICES[n][:3])]
        values = {"code": CODE, "section": "S1", "bid_id": bids[3][0]}
        gets = [op for op in operations("bidding", app) if op.method == "get" and not op.streams]
        for principal in (DISTRICT_ADMIN, SUPERVISOR, CLERK, bidder_key(3), ANONYMOUS):
            async with client_for(app, principal) as client:
                for op in gets:
                    response = await client.get(op.url(values))
                    assert response.status_code < 500, (op.label, response.text[:200])
                    leaks += [f"{op.label} as {principal.key_id}: {needle}" for needle in hidden
                              if needle in response.text]
    assert len(gets) > 20
    assert not leaks, "\n".join(leaks)
