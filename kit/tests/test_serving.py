"""The HTTP server's limits (``bianmin.kit.serving``): slow, silent, oversized and too many clients.

Each test serves a small service app with the kit's own server configuration on a free loopback
port and plays misbehaving clients with raw sockets, from several 127.x addresses.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import APIRouter, FastAPI, Request

from bianmin.kit.app import ServiceSpec, create_service_app
from bianmin.kit.cli import Command, service_main
from bianmin.kit.identity import IDENTITY_HEADER
from bianmin.kit.serving import GuardedProtocol, connection_cap
from bianmin.kit.settings import ServiceSettings
from bianmin.testing.client import TEST_SECRET, identity_headers
from bianmin.testing.serving import (
    close_all,
    connect,
    read_until_closed,
    request,
    send_partial_head,
    served,
    status_of,
)


def trial_app(settings: ServiceSettings) -> FastAPI:
    """A service with one route that reads its whole body."""
    router = APIRouter()

    @router.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    return create_service_app(ServiceSpec(name="trial", title="Trial", description="A trial service.", routers=[router]),
                              settings)


@pytest.fixture
def trial_settings(tmp_path: Path) -> ServiceSettings:
    return ServiceSettings(service_name="trial", database_url=f"sqlite+aiosqlite:///{tmp_path / 'trial.db'}",
                           internal_secret=TEST_SECRET, events_enabled=False)


@pytest.fixture
def serve_trial(trial_settings: ServiceSettings) -> Iterator[Any]:
    """``serve_trial(**settings)``: the trial app served with those limits; yields its port."""
    stack: list[Any] = []

    def start(*, exempt: tuple[str, ...] = (), **limits: Any) -> int:
        settings = trial_settings.model_copy(update=limits)
        context = served(trial_app(settings), settings, exempt=exempt)
        stack.append(context)
        return context.__enter__()

    yield start
    for context in reversed(stack):
        context.__exit__(None, None, None)


def post_head(length: int) -> bytes:
    identity = identity_headers("trial")[IDENTITY_HEADER]
    return (f"POST /v1/echo HTTP/1.1\r\nHost: test\r\nContent-Type: application/octet-stream\r\n"
            f"{IDENTITY_HEADER}: {identity}\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n").encode()


def test_slow_heads_are_closed_after_the_header_timeout_while_fresh_connections_are_served(serve_trial: Any) -> None:
    port = serve_trial(http_header_timeout_seconds=1.0)
    started = time.monotonic()
    slow = [connect(port, f"127.0.0.{2 + n % 4}") for n in range(200)]
    try:
        for sock in slow:
            send_partial_head(sock)
        asked = time.monotonic()
        status, _ = request(port, "/healthz")
        answered_in = time.monotonic() - asked
        still_open = read_until_closed(slow[-1], timeout=0.01) is None
        outcomes = [read_until_closed(sock, timeout=max(0.1, started + 6 - time.monotonic())) for sock in slow]
    finally:
        close_all(slow)
    assert status == 200
    assert answered_in < 1.0
    assert still_open or time.monotonic() - started >= 1.0
    assert all(outcome is not None for outcome in outcomes), "a slow connection outlived the header timeout"
    assert {status_of(outcome) for outcome in outcomes} == {408}


def test_a_head_trickled_byte_by_byte_or_with_blank_lines_still_has_its_deadline(serve_trial: Any) -> None:
    port = serve_trial(http_header_timeout_seconds=0.8, http_idle_timeout_seconds=0.5)
    trickling, blank = connect(port), connect(port)
    head = b"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Slow: " + b"a" * 100
    closed_at: dict[str, float] = {}
    started = time.monotonic()
    try:
        for n in range(40):
            for name, sock, byte in (("trickling", trickling, head[n:n + 1]), ("blank", blank, b"\r\n")):
                if name in closed_at:
                    continue
                try:
                    sock.sendall(byte)
                except OSError:
                    closed_at[name] = time.monotonic() - started
            if len(closed_at) == 2:
                break
            time.sleep(0.1)
        for name, sock in (("trickling", trickling), ("blank", blank)):
            if name not in closed_at and read_until_closed(sock, timeout=1.0) is not None:
                closed_at[name] = time.monotonic() - started
    finally:
        close_all([trickling, blank])
    assert set(closed_at) == {"trickling", "blank"}, "a trickling client kept its connection"
    assert max(closed_at.values()) < 3.0


def test_a_connection_that_sends_nothing_is_closed_after_the_idle_timeout(serve_trial: Any) -> None:
    port = serve_trial(http_idle_timeout_seconds=0.5, http_header_timeout_seconds=30)
    sock = connect(port)
    started = time.monotonic()
    try:
        outcome = read_until_closed(sock, timeout=5)
    finally:
        sock.close()
    assert outcome == b"", "a silent connection gets no answer, only closed"
    assert time.monotonic() - started < 3.0


def test_a_head_past_the_byte_or_line_limit_is_431_and_never_reaches_the_app(serve_trial: Any) -> None:
    port = serve_trial(http_max_header_bytes=4096, http_max_headers=20)
    fits = request(port, "/healthz", headers=[("X-Fill", "a" * 3000)])
    too_big = request(port, "/healthz", headers=[("X-Fill", "a" * 5000)])
    too_many = request(port, "/healthz", headers=[(f"X-N{n}", "1") for n in range(21)])
    sock = connect(port)
    try:
        # A head that never ends is refused once the limit is passed, not when (if ever) it ends.
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Endless: " + b"a" * 200_000)
        endless = read_until_closed(sock, timeout=5)
    finally:
        sock.close()
    metrics = request(port, "/metrics")[1].decode()
    assert fits[0] == 200
    assert [too_big[0], too_many[0], status_of(endless)] == [431, 431, 431]
    body = json.loads(too_big[1].split(b"\r\n\r\n", 1)[1])
    assert body["code"] == "headers_too_large"
    assert b"content-type: application/problem+json" in too_big[1].lower()
    # Only the fitting request and /metrics itself reached the app.
    assert 'route="/healthz",service="trial",status="200"} 1.0' in metrics
    assert 'status="431"' not in metrics


def test_connections_past_the_per_client_cap_are_refused_and_other_addresses_are_served(serve_trial: Any) -> None:
    port = serve_trial(http_max_connections_per_client=5, http_idle_timeout_seconds=30, http_header_timeout_seconds=30)
    held = [connect(port, "127.0.0.2") for _ in range(5)]
    try:
        time.sleep(0.1)
        extra = connect(port, "127.0.0.2")
        refused = read_until_closed(extra, timeout=5)
        extra.close()
        other = request(port, "/healthz", source="127.0.0.3")
        held.pop().close()
        deadline = time.monotonic() + 5  # the server learns of the close a moment later
        again = request(port, "/healthz", source="127.0.0.2")
        while again[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
            again = request(port, "/healthz", source="127.0.0.2")
    finally:
        close_all(held)
    assert status_of(refused) == 429
    assert b"retry-after: 1" in (refused or b"").lower()
    assert other[0] == 200
    assert again[0] == 200, "a closed connection gives its place back"


def test_exempt_addresses_have_only_the_global_cap(serve_trial: Any) -> None:
    port = serve_trial(exempt=("127.0.0.4",), http_max_connections_per_client=2, http_max_connections=6,
                       http_idle_timeout_seconds=30, http_header_timeout_seconds=30)
    held = [connect(port, "127.0.0.4") for _ in range(5)]
    try:
        held.append(connect(port, "127.0.0.5"))
        time.sleep(0.1)
        proxy_sixth = read_until_closed(held[4], timeout=0.2)
        over = request(port, "/healthz", source="127.0.0.6")
    finally:
        close_all(held)
    assert proxy_sixth is None, "an exempt address may hold more than the per-client cap"
    assert over[0] == 503


def test_a_body_that_falls_silent_is_closed_while_a_steady_one_is_read(serve_trial: Any) -> None:
    port = serve_trial(http_body_timeout_seconds=0.6)
    silent = connect(port)
    steady = connect(port)
    try:
        silent.sendall(post_head(100) + b"x" * 10)
        steady.sendall(post_head(50))
        for _ in range(5):
            steady.sendall(b"y" * 10)
            time.sleep(0.2)
        steady_answer = read_until_closed(steady, timeout=5)
        silent_answer = read_until_closed(silent, timeout=5)
    finally:
        close_all([silent, steady])
    assert status_of(steady_answer) == 200
    assert steady_answer is not None
    assert steady_answer.endswith(b'{"bytes":50}')
    assert silent_answer is not None, "a silent body kept its connection"
    assert status_of(silent_answer) != 200


def test_the_open_file_limit_is_raised_and_the_connection_cap_stays_below_it() -> None:
    script = ("import resource; from bianmin.kit.serving import raise_file_limit; "
              "soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE); "
              "resource.setrlimit(resource.RLIMIT_NOFILE, (min(256, hard), hard)); "
              "print(raise_file_limit() == (hard, hard) and resource.getrlimit(resource.RLIMIT_NOFILE)[0] == hard)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert result.stdout.strip() == "True", result.stderr
    assert connection_cap(4096, 1024) == 768
    assert connection_cap(4096, 20_000) == 4096
    assert connection_cap(100, 1024) == 100


def test_every_service_serves_through_the_kit_with_its_own_limits(
        monkeypatch: pytest.MonkeyPatch, trial_settings: ServiceSettings) -> None:
    configs: list[uvicorn.Config] = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: configs.append(self.config))
    monkeypatch.setattr("bianmin.kit.cli.configure_logging", lambda *args, **kwargs: None)  # keep pytest's handlers
    settings = trial_settings.model_copy(update={"http_max_header_bytes": 8192, "http_max_connections_per_client": 7})
    service_main("trial", lambda: settings, trial_app, ["serve", "--no-migrate"])
    (config,) = configs
    config.load()
    protocol = config.http_protocol_class
    assert issubclass(protocol, GuardedProtocol)
    assert protocol.limits.max_header_bytes == 8192
    assert protocol.limits.max_connections_per_client == 7
    assert config.timeout_keep_alive == settings.http_idle_timeout_seconds
    assert config.ws == "none"


def test_a_service_adds_its_own_commands_and_their_failure_is_the_exit_status(
        monkeypatch: pytest.MonkeyPatch, trial_settings: ServiceSettings) -> None:
    monkeypatch.setattr("bianmin.kit.cli.configure_logging", lambda *args, **kwargs: None)  # keep pytest's handlers
    seen: list[tuple[str, str]] = []

    def run(settings: ServiceSettings, args: Any) -> int:
        seen.append((settings.database_url, args.file))
        return 0 if args.file == "good.csv" else 3

    command = Command("things", "import things", lambda parser: parser.add_argument("file"), run)
    service_main("trial", lambda: trial_settings, trial_app, ["things", "good.csv"], [command])
    with pytest.raises(SystemExit) as failed:
        service_main("trial", lambda: trial_settings, trial_app, ["things", "bad.csv"], [command])
    assert seen == [(trial_settings.database_url, "good.csv"), (trial_settings.database_url, "bad.csv")]
    assert failed.value.code == 3


def test_an_idle_connection_outlives_the_keep_alive_of_client_pools() -> None:
    """A pooled client must drop an idle connection before the server does: at the same instant
    (httpx's 5 s against the old 5 s idle timeout) a request already sent meets a reset, which the
    end-to-end tests met as ``Connection reset by peer``."""
    defaults = ServiceSettings.model_fields
    idle = defaults["http_idle_timeout_seconds"].default
    assert idle >= 2 * httpx.Limits().keepalive_expiry
    assert defaults["http_header_timeout_seconds"].default > idle
