"""Rule versions, the batch recompute and the once-a-day run."""

import asyncio
from datetime import time, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update

from bianmin.credit.app import create_app
from bianmin.credit.domain.recompute import claim_day, recompute_all, request_rules_run, run_day, run_rule_edits
from bianmin.credit.domain.rules import DEFAULT_RULES
from bianmin.credit.models import ColorChange, Enterprise, RecomputeRun
from bianmin.credit.settings import CreditSettings
from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import Principal
from bianmin.kit.tables import outbox_event
from bianmin.testing.client import client_for, running
from bianmin.testing.events import eventually

from .credit_factories import CLERK, code, confirm, record, register

ADMIN = Principal(key_id="operator", tenant="*", scopes=frozenset({"credit:admin"}))


async def test_an_operator_adds_a_rule_version_and_old_dates_keep_the_old_rules(
        app: FastAPI, clock: FixedClock, db_backend: str) -> None:
    credit_code = await register(app)
    await confirm(app, await record(app, credit_code, "refused_to_sign"))
    body = DEFAULT_RULES.model_dump(mode="json")
    body["bands"][1]["min_score"] = "92"  # blue from 92: 90 becomes yellow
    clock.advance(timedelta(days=2))
    async with client_for(app, CLERK) as client:
        refused = await client.post("/v1/rules", json={"body": body})
    async with client_for(app, ADMIN) as client:
        added = await client.post("/v1/rules", json={"body": body, "note": "stricter blue"})
        current = await client.get("/v1/rules")
        versions = await client.get("/v1/rules/versions")
        first = await client.get("/v1/rules/1")
        missing = await client.get("/v1/rules/9")
        recomputed = await client.post("/v1/recomputations")
    assert refused.status_code == 403
    assert added.status_code == 201, added.text
    assert current.json()["version"] == 2
    assert [v["version"] for v in versions.json()] == [2, 1]
    assert first.json()["body"]["bands"][1]["min_score"] == "85"
    assert missing.status_code == 404
    assert recomputed.json()["changes"] == 1
    async with client_for(app, CLERK) as client:
        now = (await client.get(f"/v1/enterprises/{credit_code}/color")).json()
        before = (await client.get(f"/v1/enterprises/{credit_code}/color", params={"as_of": "2026-03-03"})).json()
        enterprise = (await client.get(f"/v1/enterprises/{credit_code}")).json()
    assert (now["color"], now["rule_version"]) == ("yellow", 2)
    assert (before["color"], before["rule_version"]) == ("blue", 1)
    assert (enterprise["color"], enterprise["rule_version"]) == ("yellow", 2)


async def test_rules_that_break_a_bound_are_refused_naming_the_field(app: FastAPI, db_backend: str) -> None:
    body = DEFAULT_RULES.model_dump(mode="json")
    body["kinds"]["site_safety"]["publication_months"] = 6
    bands = DEFAULT_RULES.model_dump(mode="json")
    bands["bands"][0]["min_score"] = "50"
    repair = DEFAULT_RULES.model_dump(mode="json")
    repair["repair_min_months"]["serious"] = 1
    async with client_for(app, ADMIN) as client:
        responses = [await client.post("/v1/rules", json={"body": b}) for b in (body, bands, repair, {"bands": []})]
    assert [r.status_code for r in responses] == [422, 422, 422, 422]
    assert responses[0].json()["errors"][0]["field"] == "body.kinds.site_safety"
    assert "minor record is published 1 to 3 months" in responses[0].json()["detail"]
    assert "strictly higher" in responses[1].json()["detail"]
    assert "repair_min_months.serious" in responses[2].json()["detail"]


async def test_the_daily_recompute_announces_expired_records_and_writes_only_changes(
        app: FastAPI, clock: FixedClock, db_backend: str) -> None:
    codes = [await register(app, n) for n in range(1, 6)]
    await confirm(app, await record(app, codes[0], "late_performance", publication_months=1))
    await confirm(app, await record(app, codes[1], "collusion"))
    sessions = app.state.db.sessionmaker
    clock.advance(timedelta(days=31))
    first = await run_day(sessions, clock, owner="replica-a")
    assert first is not None
    assert (first.enterprises, first.changes, first.rescored) == (5, 0, 1)  # green 97 -> green 100 is a quiet rescore
    async with sessions() as session:
        enterprise = await session.scalar(select(Enterprise).where(Enterprise.credit_code == codes[0]))
        assert enterprise.score == 100
    clock.advance(timedelta(days=730))
    second = await run_day(sessions, clock, owner="replica-a")
    assert second is not None
    assert second.changes == 1
    async with sessions() as session:
        change = (await session.scalars(select(ColorChange).where(ColorChange.trigger == "daily"))).one()
        events = await session.scalar(select(func.count()).select_from(outbox_event))
    assert (change.old_color, change.new_color) == ("red", "green")
    assert change.reason.startswith("daily recompute: green")
    assert events == 5 + 1 + 1


async def test_the_daily_run_happens_once_whatever_the_number_of_replicas(
        app: FastAPI, clock: FixedClock, db_backend: str) -> None:
    await register(app)
    sessions = app.state.db.sessionmaker
    results = await asyncio.gather(*(run_day(sessions, clock, owner=f"replica-{i}") for i in range(4)))
    assert sum(r is not None for r in results) == 1
    async with sessions() as session:
        runs = (await session.scalars(select(RecomputeRun))).all()
    assert len(runs) == 1
    assert runs[0].finished_at is not None
    assert not await claim_day(sessions, runs[0].run_date, now=clock.now() + timedelta(hours=2), owner="late")


async def test_a_run_left_by_a_dead_replica_is_taken_over(app: FastAPI, clock: FixedClock, db_backend: str) -> None:
    sessions = app.state.db.sessionmaker
    day = clock.now().date()
    assert await claim_day(sessions, day, now=clock.now(), owner="dies")
    assert not await claim_day(sessions, day, now=clock.now() + timedelta(minutes=5), owner="other")
    assert await claim_day(sessions, day, now=clock.now() + timedelta(minutes=31), owner="other")


async def test_a_batch_over_unchanged_enterprises_writes_nothing(app: FastAPI, db_backend: str) -> None:
    for n in range(1, 4):
        await register(app, n)
    sessions = app.state.db.sessionmaker
    result = await recompute_all(sessions, now=app.state.clock.now())
    assert (result.enterprises, result.changes, result.rescored) == (3, 0, 0)
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(outbox_event)) == 3
        coded = await session.scalar(select(Enterprise.coded_at).where(Enterprise.credit_code == code(1)))
    assert coded == app.state.clock.now()


async def test_a_rule_edit_recomputes_every_color_at_once_in_a_recorded_run(
        settings: CreditSettings, clock: FixedClock, db_backend: str) -> None:
    application = create_app(settings.model_copy(update={"recompute_enabled": True, "recompute_at": time(23, 59),
                                                         "recompute_poll_seconds": 600.0}), clock=clock)
    async with running(application):
        credit_code = await register(application)
        await confirm(application, await record(application, credit_code, "refused_to_sign"))
        body = DEFAULT_RULES.model_dump(mode="json")
        body["bands"][1]["min_score"] = "92"
        async with client_for(application, ADMIN) as client:
            added = await client.post("/v1/rules", json={"body": body, "note": "stricter blue"})
        assert added.status_code == 201, added.text
        sessions = application.state.db.sessionmaker

        async def finished() -> bool:
            async with sessions() as session:
                run = await session.scalar(select(RecomputeRun).where(RecomputeRun.run_key == "rules:v2"))
                return run is not None and run.finished_at is not None

        await eventually(finished)
        async with sessions() as session:
            run = await session.scalar(select(RecomputeRun).where(RecomputeRun.run_key == "rules:v2"))
            change = (await session.scalars(select(ColorChange).where(ColorChange.trigger == "rules"))).one()
            daily = await session.scalar(select(func.count()).select_from(RecomputeRun)
                                         .where(RecomputeRun.trigger == "daily"))
        assert (run.trigger, run.rule_version, run.enterprises, run.changes) == ("rules", 2, 1, 1)
        assert (change.old_color, change.new_color, change.rule_version) == ("blue", "yellow", 2)
        assert daily == 0
        assert not (await run_rule_edits(sessions, clock, owner="another-replica"))


async def test_a_rule_edit_run_left_by_a_dead_replica_is_taken_over(
        app: FastAPI, clock: FixedClock, db_backend: str) -> None:
    sessions = app.state.db.sessionmaker
    async with sessions() as session:
        await request_rules_run(session, version=5, now=clock.now())
        await session.commit()
    async with sessions() as session:
        await session.execute(update(RecomputeRun).values(owner="dies", heartbeat_at=clock.now()))
        await session.commit()
    assert await run_rule_edits(sessions, clock, owner="other") == []
    clock.advance(timedelta(minutes=31))
    assert len(await run_rule_edits(sessions, clock, owner="other")) == 1


async def test_a_run_cancelled_as_its_batch_ends_stops_instead_of_swallowing_the_cancel(
        app: FastAPI, clock: FixedClock, monkeypatch: pytest.MonkeyPatch, db_backend: str) -> None:
    """A shutdown that cancels the worker just as a batch finishes must stop it: a swallowed cancel kept
    the worker looping and the service's shutdown waiting on it for ever."""
    from bianmin.credit.domain import recompute

    finished = recompute_all

    async def ends_as_the_shutdown_comes(*args: object, **kwargs: object) -> recompute.BatchResult:
        result = await finished(*args, **kwargs)
        asyncio.get_running_loop().call_soon(worker.cancel)  # lands while the run stops its heartbeat
        return result

    monkeypatch.setattr(recompute, "recompute_all", ends_as_the_shutdown_comes)
    worker = asyncio.create_task(run_day(app.state.db.sessionmaker, clock, owner="replica-a"))
    with pytest.raises(asyncio.CancelledError):
        await worker
