"""Test data of the credit service: the demo numbering's credit codes, the usual callers, and enterprises
with records made through the public API (so each helper also proves its route answers as documented)."""

from fastapi import FastAPI

from bianmin.kit.identifiers import with_uscc_check
from bianmin.kit.identity import Principal
from bianmin.testing.client import client_for

CLERK = Principal(key_id="clerk", tenant="*", scopes=frozenset({"credit:write"}))
REVIEWER = Principal(key_id="reviewer", tenant="*", scopes=frozenset({"credit:review"}))


def code(n: int) -> str:
    """The demo numbering's credit code of enterprise ``n``."""
    return with_uscc_check(f"91330199MA{n:07d}")


async def register(app: FastAPI, n: int = 1) -> str:
    """Register enterprise ``n`` as a district clerk; its credit code."""
    async with client_for(app, CLERK) as client:
        response = await client.post("/v1/enterprises", json={"credit_code": code(n), "name": f"便民区{n}号建设有限公司"})
    assert response.status_code == 201, response.text
    return code(n)


async def record(app: FastAPI, credit_code: str, kind: str, **extra: object) -> int:
    """Record a bad behaviour of ``kind`` (pending) as a district clerk; the record's id."""
    async with client_for(app, CLERK) as client:
        response = await client.post(f"/v1/enterprises/{credit_code}/records",
                                     json={"kind": kind, "occurred_on": "2026-02-20", "evidence": "监督检查通报", **extra})
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "pending"
    return response.json()["id"]


async def confirm(app: FastAPI, record_id: int) -> dict:
    """Confirm a record as a district reviewer; the record's answer."""
    async with client_for(app, REVIEWER) as client:
        response = await client.post(f"/v1/records/{record_id}/confirm", json={"note": "核实"})
    assert response.status_code == 200, response.text
    return response.json()


async def color_of(app: FastAPI, credit_code: str, **params: str) -> dict:
    """An enterprise's color with its explanation (``as_of=`` for a past date)."""
    async with client_for(app, CLERK) as client:
        response = await client.get(f"/v1/enterprises/{credit_code}/color", params=params)
    assert response.status_code == 200, response.text
    return response.json()
