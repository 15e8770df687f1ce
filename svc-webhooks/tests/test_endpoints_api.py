"""The endpoints API: registration, the secret shown once, bad input refused unchanged, tenancy, the log."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy import func, select
from webhooks_factories import TOWNSHIP_A, TOWNSHIP_B, deliver_event, register, township

from bianmin.contracts.envelope import CloudEvent
from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import Principal
from bianmin.kit.pagination import encode_cursor
from bianmin.testing.client import client_for
from bianmin.webhooks.domain.deliveries import purge_finished
from bianmin.webhooks.models import Attempt, Delivery, Endpoint

HOOK = "https://hooks.example.com/in"


def event(subject: str, *, tenant: str, data: dict[str, object] | None = None, about: str | None = None) -> CloudEvent:
    return CloudEvent(source=f"/bianmin/{subject.split('.')[0]}", type=f"bianmin.{subject}.v1", tenant=tenant,
                      subject=about, data=data or {})


async def count(app: FastAPI, model: type) -> int:
    async with app.state.db.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_registered_endpoint_shows_its_secret_once_and_stores_it_sealed(app: FastAPI) -> None:
    async with client_for(app, township(TOWNSHIP_A)) as client:
        created = await register(client, HOOK, event_types=["bidding.project.*", "*.ticket.called", "bidding.project.*"],
                                 description="乡镇招投标系统")
        read = await client.get(f"/v1/endpoints/{created['id']}")
        listed = await client.get("/v1/endpoints")
    assert created["secret"].startswith("whsec_")
    assert created["tenant"] == TOWNSHIP_A
    assert created["status"] == "active"
    assert created["event_types"] == ["bidding.project.*", "*.ticket.called"]
    assert read.status_code == 200
    assert "secret" not in read.json()
    assert [e["id"] for e in listed.json()["items"]] == [created["id"]]
    assert created["secret"] not in read.text + listed.text
    async with app.state.db.sessionmaker() as session:
        stored = await session.get(Endpoint, created["id"])
    assert stored is not None
    assert created["secret"] not in stored.secret_ciphertext
    assert app.state.secret_box.open(stored.secret_ciphertext) == created["secret"]


async def test_an_idempotent_replay_of_a_create_does_not_show_the_secret_again(app: FastAPI) -> None:
    headers = {"Idempotency-Key": "register-once"}
    async with client_for(app, township(TOWNSHIP_A)) as client:
        first = await client.post("/v1/endpoints", json={"url": HOOK, "event_types": [">"]}, headers=headers)
        again = await client.post("/v1/endpoints", json={"url": HOOK, "event_types": [">"]}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["secret"].startswith("whsec_")
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["secret"] is None
    assert await count(app, Endpoint) == 1


async def test_rotating_the_secret_shows_a_new_one_once(app: FastAPI) -> None:
    async with client_for(app, township(TOWNSHIP_A)) as client:
        created = await register(client, HOOK)
        rotated = await client.post(f"/v1/endpoints/{created['id']}/rotate-secret")
    assert rotated.status_code == 200
    assert rotated.json()["secret"].startswith("whsec_")
    assert rotated.json()["secret"] != created["secret"]
    async with app.state.db.sessionmaker() as session:
        stored = await session.get(Endpoint, created["id"])
    assert stored is not None
    assert app.state.secret_box.open(stored.secret_ciphertext) == rotated.json()["secret"]


async def test_bad_input_is_a_problem_naming_the_field_and_changes_nothing(app: FastAPI) -> None:
    bad_bodies = [
        ({"url": "http://hooks.example.com/in", "event_types": [">"]}, "url"),
        ({"url": "https://u:p@hooks.example.com/", "event_types": [">"]}, "url"),
        ({"url": HOOK, "event_types": ["biding.>"]}, "event_types.0"),
        ({"url": HOOK, "event_types": ["bidding.project.*", "x.>.y"]}, "event_types.1"),
        ({"url": HOOK, "event_types": []}, "event_types"),
        ({"url": HOOK, "event_types": [">"], "site_codes": ["330 199"]}, "site_codes.0"),
        ({"url": HOOK, "event_types": [">"], "site_codes": ["hall-7"]}, "site_codes.0"),
        ({"url": HOOK, "event_types": [">"], "description": "乡镇\x00系统"}, "description"),
        ({"url": HOOK, "event_types": [">"], "secret": "whsec_mine"}, "secret"),
    ]
    async with client_for(app, township(TOWNSHIP_A)) as client:
        for body, field in bad_bodies:
            response = await client.post("/v1/endpoints", json=body)
            assert response.status_code == 422, body
            assert response.headers["content-type"] == "application/problem+json"
            assert field in [e["field"] for e in response.json()["errors"]], response.json()
        created = await register(client, HOOK)
        for change, field in [({"url": "http://example.com/"}, "url"), ({"event_types": ["nothing.at.all"]}, "event_types.0"),
                              ({}, "body"), ({"url": None}, "body"), ({"enabled": "perhaps"}, "enabled")]:
            response = await client.patch(f"/v1/endpoints/{created['id']}", json=change)
            assert response.status_code == 422, change
            assert response.headers["content-type"] == "application/problem+json"
            assert field in [e["field"] for e in response.json()["errors"]], response.json()
        after = await client.get(f"/v1/endpoints/{created['id']}")
        replay = await client.post(f"/v1/endpoints/{created['id']}/replay",
                                   json={"from": "2026-03-02T00:00:00+00:00", "to": "2026-03-01T00:00:00+00:00"})
    assert replay.status_code == 422
    assert {k: after.json()[k] for k in ("url", "event_types")} == {"url": HOOK, "event_types": [">"]}
    assert await count(app, Endpoint) == 1


async def test_site_codes_are_kept_in_the_platforms_one_spelling(app: FastAPI) -> None:
    async with client_for(app, township(TOWNSHIP_A)) as client:
        created = await register(client, HOOK, site_codes=[" 330199b01", TOWNSHIP_A])
        changed = await client.patch(f"/v1/endpoints/{created['id']}", json={"site_codes": ["330199001t01 "]})
    assert created["site_codes"] == ["330199B01", TOWNSHIP_A]
    assert changed.json()["site_codes"] == ["330199001T01"]


async def test_reading_needs_webhooks_read_or_write_and_changing_needs_write(app: FastAPI) -> None:
    async with client_for(app, township(TOWNSHIP_A)) as writer:
        created = await register(writer, HOOK)
    reader = township(TOWNSHIP_A, "webhooks:read")
    async with client_for(app, reader) as client:
        assert (await client.get(f"/v1/endpoints/{created['id']}")).status_code == 200
        refused = await client.patch(f"/v1/endpoints/{created['id']}", json={"description": "x"})
        assert refused.status_code == 403
        assert refused.json()["code"] == "scope_missing"
    async with client_for(app, township(TOWNSHIP_A, "queue:write")) as client:
        assert (await client.get("/v1/endpoints")).status_code == 403


async def test_a_township_never_sees_edits_or_replays_another_townships_endpoint(app: FastAPI) -> None:
    async with client_for(app, township(TOWNSHIP_A)) as a, client_for(app, township(TOWNSHIP_B)) as b:
        mine = await register(a, HOOK)
        theirs = await register(b, "https://b.example.com/in")
        await deliver_event(app, event("queue.ticket.called", tenant=TOWNSHIP_A))
        delivery_id = (await a.get(f"/v1/endpoints/{mine['id']}/deliveries")).json()["items"][0]["id"]
        answers = [
            await b.get(f"/v1/endpoints/{mine['id']}"),
            await b.patch(f"/v1/endpoints/{mine['id']}", json={"url": "https://evil.example.com/"}),
            await b.post(f"/v1/endpoints/{mine['id']}/rotate-secret"),
            await b.post(f"/v1/endpoints/{mine['id']}/test"),
            await b.post(f"/v1/endpoints/{mine['id']}/replay", json={"from": "2026-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z"}),
            await b.get(f"/v1/endpoints/{mine['id']}/deliveries"),
            await b.get(f"/v1/deliveries/{delivery_id}"),
            await b.post(f"/v1/deliveries/{delivery_id}/replay"),
            await b.delete(f"/v1/endpoints/{mine['id']}"),
        ]
        listed_by_b = (await b.get("/v1/endpoints")).json()["items"]
        still = await a.get(f"/v1/endpoints/{mine['id']}")
    assert [r.status_code for r in answers] == [404] * len(answers)
    assert [e["id"] for e in listed_by_b] == [theirs["id"]]
    assert still.json()["url"] == HOOK
    async with client_for(app) as district:
        # The district tenant holds many organisations' keys: a district key manages only what it registered.
        assert (await district.get("/v1/endpoints")).json()["items"] == []
        assert (await district.get(f"/v1/endpoints/{mine['id']}")).status_code == 404


async def test_fan_out_respects_tenancy_patterns_and_filters(app: FastAPI) -> None:
    async with client_for(app, township(TOWNSHIP_A)) as a, client_for(app, township(TOWNSHIP_B)) as b, \
            client_for(app) as district:
        a_all = await register(a, HOOK)
        a_district = await register(a, HOOK, district_events=True, event_types=["catalog.>"])
        b_all = await register(b, HOOK)
        d_projects = await register(district, HOOK, event_types=["bidding.project.*"], project_codes=["BM-2026-001"])
        d_site = await register(district, HOOK, event_types=["*.ticket.called"], site_codes=[TOWNSHIP_B])
    assert await deliver_event(app, event("queue.ticket.called", tenant=TOWNSHIP_A)) == 1  # a_all only
    assert await deliver_event(app, event("queue.ticket.called", tenant=TOWNSHIP_B)) == 2  # b_all, d_site
    assert await deliver_event(app, event("catalog.calendar.changed", tenant="*")) == 1  # a_district only
    assert await deliver_event(app, event("bidding.project.awarded", tenant=TOWNSHIP_B,
                                          data={"project_code": "BM-2026-001", "site_code": TOWNSHIP_B})) == 2
    assert await deliver_event(app, event("bidding.project.awarded", tenant=TOWNSHIP_B, about="BM-2026-002")) == 1
    async with app.state.db.sessionmaker() as session:
        rows = (await session.execute(select(Delivery.endpoint_id, Delivery.tenant))).all()
    by_endpoint: dict[int, list[str]] = {}
    for endpoint_id, tenant in rows:
        by_endpoint.setdefault(endpoint_id, []).append(tenant)
    assert by_endpoint[a_all["id"]] == [TOWNSHIP_A]
    assert by_endpoint[a_district["id"]] == ["*"]
    assert by_endpoint[b_all["id"]] == [TOWNSHIP_B] * 3
    assert by_endpoint[d_projects["id"]] == [TOWNSHIP_B]
    assert by_endpoint[d_site["id"]] == [TOWNSHIP_B]


async def test_a_disabled_endpoint_gets_no_new_deliveries_until_enabled(app: FastAPI) -> None:
    async with client_for(app, township(TOWNSHIP_A)) as client:
        created = await register(client, HOOK)
        paused = await client.patch(f"/v1/endpoints/{created['id']}", json={"enabled": False})
        assert await deliver_event(app, event("queue.ticket.called", tenant=TOWNSHIP_A)) == 0
        test_refused = await client.post(f"/v1/endpoints/{created['id']}/test")
        ping_headers = {"Idempotency-Key": "ping-1"}
        await client.patch(f"/v1/endpoints/{created['id']}", json={"enabled": True})
        ping = await client.post(f"/v1/endpoints/{created['id']}/test", headers=ping_headers)
        ping_again = await client.post(f"/v1/endpoints/{created['id']}/test", headers=ping_headers)
        enabled = await client.get(f"/v1/endpoints/{created['id']}")
        assert await deliver_event(app, event("queue.ticket.called", tenant=TOWNSHIP_A)) == 1
    assert ping.status_code == ping_again.status_code == 202
    assert ping_again.json()["id"] == ping.json()["id"]
    assert await count(app, Delivery) == 2
    assert paused.json()["status"] == "disabled"
    assert paused.json()["disabled_reason"] == "disabled by its owner"
    assert test_refused.status_code == 409
    assert enabled.json()["status"] == "active"
    assert enabled.json()["disabled_at"] is None


async def test_the_delivery_log_pages_filters_and_replays_by_range(app: FastAPI, clock: FixedClock) -> None:
    async with client_for(app, township(TOWNSHIP_A)) as client:
        created = await register(client, HOOK)
        for n in range(5):
            subject = "queue.ticket.called" if n % 2 == 0 else "queue.ticket.issued"
            await deliver_event(app, event(subject, tenant=TOWNSHIP_A))
            clock.advance(timedelta(minutes=10))
        base = f"/v1/endpoints/{created['id']}/deliveries"
        first = (await client.get(base, params={"limit": 2})).json()
        second = (await client.get(base, params={"limit": 2, "cursor": first["next_cursor"]})).json()
        called = (await client.get(base, params={"event_type": "bianmin.queue.ticket.called.v1"})).json()["items"]
        pending = (await client.get(base, params={"status": "pending"})).json()["items"]
        bad_status = await client.get(base, params={"status": "lost"})
        third = (await client.get(base, params={"limit": 2, "cursor": second["next_cursor"]})).json()
        bad_cursor = await client.get(base, params={"cursor": "bm90LWEtbGlzdA"})
        text_cursor = await client.get(base, params={"cursor": encode_cursor(["2026-03-02T02:00:00+00:00"])})
        ids = [d["id"] for d in first["items"] + second["items"]]
        replayed = await client.post(f"/v1/endpoints/{created['id']}/replay", json={
            "from": "2026-03-02T02:05:00+00:00", "to": "2026-03-02T02:25:00+00:00"})
        detail = await client.get(f"/v1/deliveries/{ids[0]}")
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == 4
    assert len(called) == 3
    assert len(pending) == 5
    assert bad_status.status_code == 422
    assert len(third["items"]) == 1
    assert third["next_cursor"] is None
    assert bad_cursor.status_code == text_cursor.status_code == 422
    assert replayed.status_code == 202
    assert replayed.json()["queued"] == 2
    assert detail.json()["attempt_log"] == []
    assert detail.json()["webhook_id"].startswith("msg_")
    assert detail.json()["body"].startswith("{")
    assert detail.json()["status"] == "pending"


async def test_the_endpoint_list_pages_oldest_first_and_refuses_a_foreign_cursor(app: FastAPI) -> None:
    async with client_for(app, township(TOWNSHIP_A)) as client:
        created = [(await register(client, f"https://hooks.example.com/in/{n}"))["id"] for n in range(3)]
        first = (await client.get("/v1/endpoints", params={"limit": 2})).json()
        second = (await client.get("/v1/endpoints", params={"limit": 2, "cursor": first["next_cursor"]})).json()
        exact = (await client.get("/v1/endpoints", params={"limit": 3})).json()
        foreign = [await client.get("/v1/endpoints", params={"cursor": cursor})
                   for cursor in ("bm90LWEtbGlzdA", encode_cursor(["1"]), encode_cursor([1, 2]), encode_cursor([True]))]
    assert [e["id"] for e in first["items"] + second["items"]] == created
    assert second["next_cursor"] is None
    assert exact["next_cursor"] is None
    assert [response.status_code for response in foreign] == [422] * 4
    assert all(response.json()["errors"][0]["field"] == "cursor" for response in foreign)


async def test_stats_count_endpoints_and_deliveries(app: FastAPI) -> None:
    async with client_for(app, township(TOWNSHIP_A)) as client:
        await register(client, HOOK)
    await deliver_event(app, event("queue.ticket.called", tenant=TOWNSHIP_A))
    cockpit = Principal(key_id="k-cockpit", tenant="*", scopes=frozenset({"cockpit:read"}))
    async with client_for(app, cockpit) as client:
        figures = {f["name"]: f for f in (await client.get("/v1/stats/overview")).json()["figures"]}
    assert figures["endpoints"]["breakdown"] == {"active": 1, "failing": 0, "disabled": 0}
    assert figures["deliveries"]["breakdown"]["pending"] == 1
    assert figures["delivery_success_rate"]["value"] is None


async def test_deleting_an_endpoint_removes_it_with_its_log(app: FastAPI) -> None:
    async with client_for(app, township(TOWNSHIP_A)) as client:
        created = await register(client, HOOK)
        await deliver_event(app, event("queue.ticket.called", tenant=TOWNSHIP_A))
        deleted = await client.delete(f"/v1/endpoints/{created['id']}")
        gone = await client.get(f"/v1/endpoints/{created['id']}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert gone.status_code == 404
    assert await count(app, Delivery) == 0


async def test_the_log_keeps_pending_and_recent_deliveries_and_purges_old_finished_ones(app: FastAPI, clock: FixedClock) -> None:
    async with client_for(app, township(TOWNSHIP_A)) as client:
        await register(client, HOOK)
    for _ in range(3):
        await deliver_event(app, event("queue.ticket.called", tenant=TOWNSHIP_A))
    async with app.state.db.sessionmaker() as session:
        old_done, old_pending, recent_done = (await session.scalars(select(Delivery).order_by(Delivery.id))).all()
        old_done.status = "succeeded"
        recent_done.status = "failed"
        recent_done.created_at = clock.now() + timedelta(days=2)
        session.add(Attempt(delivery_id=old_done.id, attempted_at=clock.now(), status_code=200, latency_ms=5))
        await session.commit()
    async with app.state.db.sessionmaker() as session:
        purged = await purge_finished(session, before=clock.now() + timedelta(days=1))
        await session.commit()
        left = (await session.scalars(select(Delivery.id).order_by(Delivery.id))).all()
    assert purged == 1
    assert list(left) == [old_pending.id, recent_done.id]
    assert await count(app, Attempt) == 0
