"""Helpers of the webhooks tests: township keys, registering endpoints, fanning events out."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from bianmin.contracts.envelope import CloudEvent
from bianmin.kit.identity import Principal
from bianmin.webhooks.domain.deliveries import fan_out

TOWNSHIP_A = "330199001"
TOWNSHIP_B = "330199002"


def township(code: str, *scopes: str) -> Principal:
    """A township hall's integration key with the given scopes; by default ``webhooks:write`` and ``queue:read``,
    so that its endpoints receive the hall's ticket events (an endpoint gets only what its owner may read)."""
    return Principal(key_id=f"key-{code}", tenant=code, scopes=frozenset(scopes or {"webhooks:write", "queue:read"}),
                     name=code)


async def register(client: httpx.AsyncClient, url: str, **fields: Any) -> dict[str, Any]:
    """Register an endpoint and return the answer (with its secret)."""
    body = {"url": url, "event_types": [">"], **fields}
    response = await client.post("/v1/endpoints", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def deliver_event(app: FastAPI, event: CloudEvent) -> int:
    """Fan an event out as the consumer would, in its own transaction; the number of deliveries."""
    async with app.state.db.sessionmaker() as session:
        created = await fan_out(session, event, now=app.state.clock.now())
        await session.commit()
    return created
