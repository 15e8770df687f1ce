"""The deliverer reaches public addresses only, unless an operator allows a range, and tells registrants little.

With real sockets: a receiver on 127.0.0.1 stands for every internal service an endpoint URL could
aim at. It is refused at registration and at connect time unless loopback is allowed explicitly;
numeric spellings of link-local addresses are refused at registration; a name whose resolver answer
is forbidden is refused when connecting, before any byte is sent; and the registrant sees a status
code and a reason from a fixed vocabulary, never the answer's body or a socket error's text.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from webhooks_factories import TOWNSHIP_A, deliver_event, register, township

from bianmin.contracts.envelope import CloudEvent
from bianmin.kit.migrations import upgrade
from bianmin.testing.client import client_for, running
from bianmin.testing.events import eventually
from bianmin.testing.receiver import Receiver
from bianmin.webhooks.app import create_app
from bianmin.webhooks.domain.claims import Claim, Outcome, is_reason
from bianmin.webhooks.egress import http_client, send, system_resolver
from bianmin.webhooks.models import Attempt, Delivery
from bianmin.webhooks.settings import WebhooksSettings

MIGRATIONS = "bianmin.webhooks.migrations"
LOOPBACK = [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")]
BANNER = b"SSH-2.0-OpenSSH_9.6 internal-db.bianmin.local redis_version:7.2.4"


def fixed(answers: dict[str, list[list[str]]]) -> Callable[[str, int], Awaitable[list[str]]]:
    """A resolver this test controls: each name answers its lists in turn (the last one repeats); others fail."""
    calls: dict[str, int] = {}

    async def resolve(host: str, port: int) -> list[str]:
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "not in this test's zone")
        n = calls[host] = calls.get(host, 0) + 1
        return answers[host][min(n, len(answers[host])) - 1]

    return resolve


def claim_for(url: str) -> Claim:
    return Claim(delivery_id=1, endpoint_id=1, webhook_id="msg_egress", url=url, secret_ciphertexts=(),
                 body='{"id": "e1"}', token="t")


async def post(settings: WebhooksSettings, url: str, *, allowed: list[ipaddress.IPv4Network | ipaddress.IPv6Network],
               resolver: Callable[[str, int], Awaitable[list[str]]] = system_resolver, times: int = 1) -> list[Outcome]:
    """Send ``times`` attempts to ``url`` through the deliverer's own client, allowing ``allowed``."""
    configured = settings.model_copy(update={"allowed_networks": allowed, "connect_timeout_seconds": 2.0,
                                             "read_timeout_seconds": 2.0})
    async with http_client(configured, resolver) as client:
        return [await send(client, claim_for(url), ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"], timestamp=1,
                           total_seconds=4.0) for _ in range(times)]


async def test_a_receiver_on_loopback_is_refused_unless_an_operator_allows_loopback(
        settings: WebhooksSettings, receiver: Receiver) -> None:
    [refused] = await post(settings, receiver.url(), allowed=[])
    [by_name] = await post(settings, f"http://localhost:{receiver.port}/hook", allowed=[])
    assert (refused.status_code, refused.error) == (None, "address_not_allowed")
    assert (by_name.status_code, by_name.error) == (None, "address_not_allowed")
    assert receiver.received() == []
    [allowed] = await post(settings, receiver.url(), allowed=LOOPBACK)
    assert (allowed.status_code, allowed.error) == (200, None)
    assert len(receiver.received()) == 1


async def test_registration_refuses_loopback_and_plain_http_without_the_allowance(
        settings: WebhooksSettings, receiver: Receiver) -> None:
    for allowed, expected in (([], 422), (LOOPBACK, 201)):
        app = create_app(settings.model_copy(update={"allowed_networks": allowed}))
        async with running(app), client_for(app, township(TOWNSHIP_A)) as client:
            answer = await client.post("/v1/endpoints", json={"url": receiver.url(), "event_types": [">"]})
        assert answer.status_code == expected, answer.text
        if expected == 422:
            assert [e["field"] for e in answer.json()["errors"]] == ["url"]


@pytest.mark.parametrize("url", [
    "https://2852039166/", "https://0xa9fea9fe/", "https://169.254.43518/", "https://0251.0376.0251.0376/",
    "https://0xa9.0xfe.0xa9.0xfe/", "https://169.254.169.254/", "https://100.100.100.200/", "https://100.64.0.1/",
    "https://[::ffff:169.254.169.254]/", "https://[::ffff:a9fe:a9fe]/", "https://[64:ff9b::a9fe:a9fe]/",
    "https://[2002:a9fe:a9fe::1]/", "https://[fe80::1]/", "https://10.0.0.5/", "https://192.168.1.1/",
    "https://172.16.0.1/", "https://0/", "https://[::]/", "https://[fc00::1]/", "https://2130706433/",
])
async def test_every_spelling_of_a_forbidden_address_is_refused_at_registration_even_with_loopback_allowed(
        app: FastAPI, url: str) -> None:
    app.state.settings = app.state.settings.model_copy(update={"allowed_networks": LOOPBACK})
    async with client_for(app, township(TOWNSHIP_A)) as client:
        answer = await client.post("/v1/endpoints", json={"url": url, "event_types": [">"]})
    assert answer.status_code == 422, (url, answer.text)
    assert [e["field"] for e in answer.json()["errors"]] == ["url"]


async def test_a_name_that_resolves_to_a_forbidden_address_is_refused_when_connecting(
        settings: WebhooksSettings, receiver: Receiver) -> None:
    resolver = fixed({"hooks.example.com": [["127.0.0.1"]], "mapped.example.com": [["::ffff:127.0.0.1"]],
                      "mixed.example.com": [["93.184.215.14", "127.0.0.1"]]})
    outcomes = [
        *await post(settings, f"https://hooks.example.com:{receiver.port}/hook", allowed=[], resolver=resolver),
        *await post(settings, f"https://mapped.example.com:{receiver.port}/hook", allowed=[], resolver=resolver),
        # One forbidden answer refuses the name: the public one is not tried either, nothing leaves this machine.
        *await post(settings, f"https://mixed.example.com:{receiver.port}/hook", allowed=[], resolver=resolver),
        *await post(settings, f"https://unknown.example.com:{receiver.port}/hook", allowed=[], resolver=resolver),
    ]
    assert [o.error for o in outcomes] == ["address_not_allowed"] * 3 + ["dns_error"]
    assert receiver.received() == []


async def test_the_connection_goes_to_the_checked_address_and_a_rebound_name_is_refused_on_the_next_attempt(
        settings: WebhooksSettings, receiver: Receiver) -> None:
    # The name is in no DNS this machine can reach: a delivery that arrives went to the address the check saw.
    resolver = fixed({"hooks.example.com": [["127.0.0.1"], ["127.0.0.2"]]})
    first, second = await post(settings, f"http://hooks.example.com:{receiver.port}/hook",
                               allowed=[ipaddress.ip_network("127.0.0.1/32")], resolver=resolver, times=2)
    assert (first.status_code, first.error) == (200, None)
    assert (second.status_code, second.error) == (None, "address_not_allowed")
    [request] = receiver.received()
    assert request.headers["host"] == f"hooks.example.com:{receiver.port}"


async def test_the_registrant_sees_a_status_code_and_a_bounded_reason_never_the_answer_or_a_socket_error(
        fast: WebhooksSettings, receiver: Receiver) -> None:
    receiver.respond("/banner", lambda n: (500, 0.0), body=BANNER)
    app = create_app(fast.model_copy(update={"backoff_base_seconds": 5.0}))
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, not listening: refuses for as long as it is held
        async with running(app), client_for(app, township(TOWNSHIP_A)) as client:
            answering = await register(client, receiver.url("/banner"))
            refusing = await register(client, f"http://127.0.0.1:{closed.getsockname()[1]}/")
            await deliver_event(app, CloudEvent(source="/bianmin/queue", type="bianmin.queue.ticket.called.v1",
                                                tenant=TOWNSHIP_A, subject="A001", data={"number": "A001"}))
            await eventually(lambda: _attempted(app, 2))
            details = []
            for endpoint in (answering, refusing):
                [row] = (await client.get(f"/v1/endpoints/{endpoint['id']}/deliveries")).json()["items"]
                details.append((await client.get(f"/v1/deliveries/{row['id']}")).json())
    by_status = {d["attempt_log"][0]["status_code"]: d for d in details}
    assert by_status[500]["attempt_log"][0]["error"] == "http_500"
    assert by_status[500]["last_error"] == "http_500"
    assert by_status[None]["attempt_log"][0]["error"] == "connection_refused"
    text = json.dumps(details)
    for leak in ("OpenSSH", "redis", "Errno", "Connection refused"):
        assert leak not in text
    assert all("response_excerpt" not in d["attempt_log"][0] for d in details)
    async with app.state.db.sessionmaker() as session:
        stored = [*(await session.scalars(select(Attempt.error))).all(),
                  *(await session.scalars(select(Delivery.last_error))).all()]
    assert stored
    assert all(is_reason(reason) for reason in stored), stored


async def _attempted(app: FastAPI, n: int) -> bool:
    async with app.state.db.sessionmaker() as session:
        return len((await session.scalars(select(Attempt.id))).all()) >= n


def test_the_migration_drops_stored_answers_and_rewrites_stored_errors_as_reasons(tmp_path: Path) -> None:
    database = tmp_path / "before.db"
    url = f"sqlite+aiosqlite:///{database}"
    upgrade(MIGRATIONS, url, "webhooks_0004")
    with sqlite3.connect(database) as db:
        db.execute("INSERT INTO endpoint (id, tenant, url, description, event_types, site_codes, project_codes, "
                   "district_events, secret_ciphertext, created_at, created_by, updated_at) VALUES "
                   "(1, ?, 'https://hooks.example.com/', '', '[]', '[]', '[]', 0, 'x', ?, 'k', ?)",
                   (TOWNSHIP_A, "2026-03-02 02:00:00", "2026-03-02 02:00:00"))
        old = [("ConnectError: [Errno 111] Connection refused", None, None), ("timeout", None, None),
               ("redirect to http://10.0.0.7:6379/ not followed", 302, "HTTP/1.1 302"), (None, 500, BANNER.decode()),
               ("secret unreadable: InvalidTag", None, None), (None, 200, "ok")]
        for n, (error, status, excerpt) in enumerate(old, start=1):
            db.execute("INSERT INTO delivery (id, endpoint_id, webhook_id, event_id, event_type, event_time, tenant, "
                       "body, status, attempts, window_failures, next_attempt_at, window_started_at, last_status_code, "
                       "last_error, created_at) VALUES (?, 1, ?, ?, 't', ?, ?, '{}', 'pending', 1, 0, ?, ?, ?, ?, ?)",
                       (n, f"msg_{n}", f"e{n}", "2026-03-02 02:00:00", TOWNSHIP_A, "2026-03-02 02:00:00",
                        "2026-03-02 02:00:00", status, error, "2026-03-02 02:00:00"))
            db.execute("INSERT INTO attempt (delivery_id, attempted_at, status_code, latency_ms, error, response_excerpt) "
                       "VALUES (?, ?, ?, 5, ?, ?)", (n, "2026-03-02 02:00:00", status, error, excerpt))
    upgrade(MIGRATIONS, url)
    with sqlite3.connect(database) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(attempt)")]
        errors = [row[0] for row in db.execute("SELECT error FROM attempt ORDER BY delivery_id")]
        last = [row[0] for row in db.execute("SELECT last_error FROM delivery ORDER BY id")]
    assert "response_excerpt" not in columns
    assert errors == last == ["connection_failed", "timeout", "http_302", "http_500", "secret_unreadable", None]
