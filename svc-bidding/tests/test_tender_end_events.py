"""A tender's end is announced, so the guarantee service returns the bid bonds (招标投标法实施条例 §57).

A cancelled tender (``bidding.project.cancelled``) ends every section; a signed contract
(``bidding.contract.signed``) ends the winner's bid bond. Both are written to the outbox in the
transaction that makes the change.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from bidding_factories import CLERK, project_body, publicised_tender
from fastapi import FastAPI
from sqlalchemy import select

from bianmin.kit.clock import FixedClock
from bianmin.kit.tables import outbox_event
from bianmin.testing.client import client_for

CODE = "BM-2026-001"


async def announced(app: FastAPI, subject: str) -> list[dict[str, Any]]:
    """The payloads of the outbox's events on ``subject``, oldest first."""
    async with app.state.db.sessionmaker() as session:
        bodies = (await session.execute(select(outbox_event.c.body).where(outbox_event.c.subject == subject)
                                        .order_by(outbox_event.c.seq))).scalars().all()
    return [json.loads(body)["data"] for body in bodies]


async def test_a_cancelled_tender_is_announced_with_its_reason(app: FastAPI) -> None:
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post("/v1/projects", json=project_body(CODE))).status_code == 201
        assert (await clerk.post(f"/v1/projects/{CODE}/publish")).status_code == 200
        before = await announced(app, "bidding.project.cancelled")
        cancelled = await clerk.post(f"/v1/projects/{CODE}/cancel", json={"reason": "预算调整"})
    (event,) = await announced(app, "bidding.project.cancelled")
    assert before == []
    assert cancelled.status_code == 200, cancelled.text
    assert (event["code"], event["status"], event["reason"]) == (CODE, "cancelled", "预算调整")


async def test_a_signed_contract_is_announced_naming_the_winner(app: FastAPI, clock: FixedClock) -> None:
    await publicised_tender(app, clock)
    clock.advance(timedelta(days=3))
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{CODE}/award")).status_code == 200
        unsigned = await announced(app, "bidding.contract.signed")
        signed = await clerk.post(f"/v1/projects/{CODE}/sections/S1/contract")
        again = await clerk.post(f"/v1/projects/{CODE}/sections/S1/contract")
    (award,) = await announced(app, "bidding.project.awarded")
    (event,) = await announced(app, "bidding.contract.signed")
    assert unsigned == []
    assert signed.status_code == 200, signed.text
    assert again.status_code == 409
    assert (event["project_code"], event["section_code"]) == (CODE, "S1")
    assert event["winner_credit_code"] == award["sections"][0]["winner_credit_code"]
