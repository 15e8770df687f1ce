"""Pushing to the provincial platform: signed, retried with backoff until a 2xx, every attempt logged."""

import base64
import threading
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from fastapi import FastAPI
from guarantee_factories import BIDDER, NOW, PICC, STAFF, application, seed_issuer, seed_project

from bianmin.guarantee.app import create_app
from bianmin.guarantee.domain.delivery import backoff, push_url_problem
from bianmin.guarantee.settings import GuaranteeSettings
from bianmin.guarantee.verifier.notes import parse_verifier_key
from bianmin.kit.clock import FixedClock
from bianmin.kit.identity import ANONYMOUS
from bianmin.testing.client import client_for, running
from bianmin.testing.events import eventually


@dataclass
class Receiver:
    """A local HTTP endpoint standing in for the provincial platform; fails its first ``failures`` calls."""

    failures: int
    received: list[tuple[bytes, dict[str, str]]] = field(default_factory=list)
    calls: int = 0
    url: str = ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(failures=2)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.calls += 1
            if state.calls <= state.failures:
                self.send_response(503)
                self.end_headers()
                self.wfile.write(b"busy")
                return
            state.received.append((body, dict(self.headers)))
            self.send_response(202)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/guarantees"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def test_backoff_doubles_up_to_the_cap() -> None:
    assert [backoff(n, base=2, cap=30).total_seconds() for n in (1, 2, 3, 4, 5, 6)] == [2, 4, 8, 16, 30, 30]


def test_only_https_or_loopback_http_is_accepted() -> None:
    assert push_url_problem("https://gp.zj.gov.cn/api/guarantees") is None
    assert push_url_problem("http://127.0.0.1:9000/x") is None
    assert push_url_problem("http://gp.zj.gov.cn/api") is not None
    assert push_url_problem("ftp://x") is not None


async def test_an_issued_guarantee_is_pushed_signed_and_retried_until_acknowledged(
        settings: GuaranteeSettings, receiver: Receiver, db_backend: str) -> None:
    clock = FixedClock(NOW)
    settings = settings.model_copy(update={"push_url": receiver.url, "push_poll_seconds": 0.05,
                                           "push_backoff_base_seconds": 0.0, "push_backoff_max_seconds": 0.0})
    app: FastAPI = create_app(settings, clock=clock)
    async with running(app):
        async with client_for(app, STAFF) as staff, client_for(app, BIDDER) as bidder, client_for(app, PICC) as picc:
            await seed_issuer(staff)
            await seed_project(app)
            number = (await bidder.post("/v1/guarantees", json=application())).json()["number"]
            await picc.post(f"/v1/guarantees/{number}/underwrite")
            await picc.post(f"/v1/guarantees/{number}/issue")

            async def delivered() -> bool:
                return len(receiver.received) == 1

            await eventually(delivered)

            async def logged() -> bool:
                page = (await staff.get("/v1/deliveries")).json()
                return page["items"][0]["status"] == "delivered"

            await eventually(logged)
            log = (await staff.get("/v1/deliveries", params={"number": number})).json()["items"][0]
            refused = await bidder.get("/v1/deliveries")
        async with client_for(app, ANONYMOUS) as public:
            log_key = parse_verifier_key((await public.get("/v1/ledger/key")).json()["verifier_key"])
    body, headers = receiver.received[0]
    assert log["attempts"] == 3
    assert [a["status_code"] for a in log["log"]] == [503, 503, 202]
    assert log["log"][0]["error"].startswith("HTTP 503")
    assert refused.status_code == 403
    assert headers["Idempotency-Key"] == f"delivery-{log['id']}"
    signature = headers["X-Bianmin-Signature"].split("signature=")[1]
    assert log_key.verify(body, base64.b64decode(signature))
    assert number.encode() in body


async def test_a_failed_delivery_waits_for_its_backoff(settings: GuaranteeSettings, receiver: Receiver,
                                                      db_backend: str) -> None:
    from bianmin.guarantee.domain import delivery
    from bianmin.guarantee.domain.keys import key_password

    receiver.failures = 100
    clock = FixedClock(NOW)
    app = create_app(settings, clock=clock)
    async with running(app):
        async with client_for(app, STAFF) as staff, client_for(app, BIDDER) as bidder, client_for(app, PICC) as picc:
            await seed_issuer(staff)
            await seed_project(app)
            number = (await bidder.post("/v1/guarantees", json=application())).json()["number"]
            await picc.post(f"/v1/guarantees/{number}/underwrite")
            await picc.post(f"/v1/guarantees/{number}/issue")
        async with httpx.AsyncClient(timeout=5) as client:
            def round_() -> Awaitable[int]:
                return delivery.send_round(app.state.db.sessionmaker, client, url=receiver.url, origin="o",
                                           password=key_password(settings), clock=clock, base=10, cap=3600, limit=10)

            await round_()
            await round_()
            assert receiver.calls == 1
            clock.advance(timedelta(seconds=11))
            await round_()
            assert receiver.calls == 2
            clock.advance(timedelta(seconds=11))
            await round_()
            assert receiver.calls == 2
            clock.advance(timedelta(seconds=10))
            await round_()
            assert receiver.calls == 3
