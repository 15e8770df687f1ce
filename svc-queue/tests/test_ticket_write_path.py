"""Taking a ticket is one short transaction: the SQLite write lock is queued for once per ticket, not twice."""

from typing import Any

import pytest
from fastapi import FastAPI
from queue_factories import HALL, make_hall
from sqlalchemy import event

from bianmin.testing.client import client_for


async def test_taking_a_ticket_with_an_idempotency_key_is_one_transaction(app: FastAPI, db_backend: str) -> None:
    engine = app.state.db.engine.sync_engine
    begins: list[object] = []
    statements: list[str] = []

    def on_begin(connection: object) -> None:
        begins.append(connection)

    def on_statement(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(statement)

    async with client_for(app) as client:
        await make_hall(client)
        event.listen(engine, "begin", on_begin)
        event.listen(engine, "before_cursor_execute", on_statement)
        try:
            taken = await client.post("/v1/tickets", json={"hall_code": HALL, "line": "A"},
                                      headers={"Idempotency-Key": "kiosk-7-0001"})
        finally:
            event.remove(engine, "begin", on_begin)
            event.remove(engine, "before_cursor_execute", on_statement)
    assert taken.status_code == 201
    assert taken.json()["line"] == taken.json()["original_line"] == "A"
    assert len(begins) == 1
    # The answer names the line's prefix without reading the line table a second time.
    assert sum(1 for s in statements if s.lstrip().upper().startswith("SELECT") and "FROM line " in s) == 1


async def test_taking_a_ticket_hands_no_dependency_to_the_thread_pool(app: FastAPI, db_backend: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import fastapi.dependencies.utils as solving

    handed: list[object] = []
    original = solving.run_in_threadpool

    async def counting(func: Any, *args: Any, **kwargs: Any) -> Any:
        handed.append(func)
        return await original(func, *args, **kwargs)

    async with client_for(app) as client:
        await make_hall(client)
        monkeypatch.setattr(solving, "run_in_threadpool", counting)
        taken = await client.post("/v1/tickets", json={"hall_code": HALL, "line": "A"},
                                  headers={"Idempotency-Key": "kiosk-7-0002"})
    assert taken.status_code == 201
    # Each sync dependency would cost a thread hand-off per request (authenticate, scopes, clock, settings).
    assert handed == []
