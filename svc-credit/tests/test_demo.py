"""The demo loader: through the public API, safe to run twice, every color present.

Issue 19: the records' recorder cannot confirm them, so the demo's decisions come from a second key.
"""

from fastapi import FastAPI
from sqlalchemy import func, select

from bianmin.credit.demo import COUNT, demo_code, load_demo
from bianmin.credit.models import BadRecord, BonusItem, Enterprise
from bianmin.kit.identity import Principal
from bianmin.testing.client import client_for

REVIEWER = Principal(key_id="demo-reviewer", tenant="*", scopes=frozenset({"admin"}))


async def test_the_demo_loads_once_with_every_color(app: FastAPI, db_backend: str) -> None:
    async with client_for(app) as client, client_for(app, REVIEWER) as reviewer:
        await load_demo(client, reviewer)
        await load_demo(client, reviewer)
        stats = (await client.get("/v1/stats")).json()
        red = (await client.get(f"/v1/enterprises/{demo_code(10)}/color")).json()
    async with app.state.db.sessionmaker() as session:
        enterprises = await session.scalar(select(func.count()).select_from(Enterprise))
        records = await session.scalar(select(func.count()).select_from(BadRecord))
        bonuses = await session.scalar(select(func.count()).select_from(BonusItem))
    assert (enterprises, records, bonuses) == (COUNT, 20 * 1 + 20 * 2 + 20 * 2 + 20 + 20, 20)
    distribution = next(f for f in stats["figures"] if f["name"] == "color_distribution")["breakdown"]
    assert all(distribution[color] > 0 for color in ("green", "blue", "yellow", "orange", "red"))
    assert distribution["red"] == 20
    assert red["color"] == "red"
