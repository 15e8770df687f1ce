"""Test data built through the queue's own API."""

from __future__ import annotations

from typing import Any

import httpx

from bianmin.kit.identifiers import with_resident_id_check

HALL = "330199001"


def resident_id(born: str, serial: str = "123") -> str:
    """A valid resident ID number of someone born on ``born`` (YYYYMMDD) in the district."""
    return with_resident_id_check(f"330199{born}{serial}")


async def make_hall(client: httpx.AsyncClient, code: str = HALL, *, lines: tuple[str, ...] = ("A", "B"),
                    counters: dict[int, list[tuple[str, int]]] | None = None, daily_cap: int = 300,
                    **extra: Any) -> dict[str, Any]:
    """A hall with lines and open counters; the counters' ids by number."""
    response = await client.post("/v1/halls", json={"code": code, "name": f"大厅{code}", **extra})
    assert response.status_code == 201, response.text
    for prefix in lines:
        created = await client.post(f"/v1/halls/{code}/lines",
                                    json={"prefix": prefix, "name": f"业务{prefix}", "daily_cap": daily_cap})
        assert created.status_code == 201, created.text
    ids: dict[int, int] = {}
    for number, served in (counters or {1: [(p, 1) for p in lines]}).items():
        created = await client.post(f"/v1/halls/{code}/counters", json={
            "number": number, "state": "open", "staff_name": "王芳",
            "lines": [{"line": p, "weight": w} for p, w in served]})
        assert created.status_code == 201, created.text
        ids[number] = created.json()["id"]
    return {"code": code, "counters": ids}


async def take(client: httpx.AsyncClient, line: str = "A", hall: str = HALL, **person: Any) -> dict[str, Any]:
    """Take a ticket and return it."""
    response = await client.post("/v1/tickets", json={"hall_code": hall, "line": line, **person})
    assert response.status_code == 201, response.text
    return response.json()


async def call(client: httpx.AsyncClient, counter_id: int) -> dict[str, Any]:
    """Call-next at a counter and return the answer."""
    response = await client.post(f"/v1/counters/{counter_id}/call-next")
    assert response.status_code == 200, response.text
    return response.json()
