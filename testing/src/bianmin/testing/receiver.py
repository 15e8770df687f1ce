"""A real HTTP receiver for tests of outgoing calls (webhooks, pushes): a threaded ``http.server``
on a free loopback port.

Each path answers by a behaviour ``(n) -> (status, delay_seconds)`` where ``n`` counts the requests
to that path (1 for the first), so a test says "500 twice, then 200" or "hang on the first". A path
can also be held (:meth:`Receiver.hold`): its requests arrive and wait until the test lets them go,
so a test proves what happens meanwhile by order, not by timing.
Every request is recorded with its headers and body, for signature checks.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Behaviour = Callable[[int], tuple[int, float]]
HOLD_LIMIT_SECONDS = 30.0  # a held request is let go at the latest after this, so a failing test cannot hang


@dataclass(frozen=True)
class Received:
    """One request as the receiver saw it."""

    path: str
    headers: dict[str, str]
    body: bytes
    at: float
    answered: int


class Receiver:
    """Records requests and answers each path by its behaviour (200 at once unless told otherwise)."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.behaviours: dict[str, Behaviour] = {}
        self.bodies: dict[str, bytes] = {}
        self.gates: dict[str, threading.Event] = {}
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with receiver._lock:
                    n = receiver._counts[self.path] = receiver._counts.get(self.path, 0) + 1
                    behaviour = receiver.behaviours.get(self.path, lambda _n: (200, 0.0))
                    gate = receiver.gates.get(self.path)
                status, delay = behaviour(n)
                if gate is not None:
                    gate.wait(timeout=HOLD_LIMIT_SECONDS)
                if delay:
                    time.sleep(delay)
                with receiver._lock:
                    receiver.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()},
                                                      body, time.monotonic(), status))
                answer = receiver.bodies.get(self.path, b"ok")
                try:
                    self.send_response(status)
                    self.send_header("content-length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:
                    pass  # the client gave up (a timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False  # type: ignore[attr-defined]
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str = "/hook") -> str:
        """The URL of a path on this receiver."""
        return f"http://127.0.0.1:{self.port}{path}"

    def respond(self, path: str, behaviour: Behaviour, body: bytes = b"ok") -> None:
        """Answer requests to ``path`` by ``behaviour``, with ``body`` as the answer's content."""
        self.behaviours[path] = behaviour
        self.bodies[path] = body

    def hold(self, path: str) -> threading.Event:
        """Hold every request to ``path`` until the returned event is set (at most ``HOLD_LIMIT_SECONDS``)."""
        gate = self.gates[path] = threading.Event()
        return gate

    def arrived(self, path: str) -> int:
        """How many requests reached ``path`` so far, answered or still held."""
        with self._lock:
            return self._counts.get(path, 0)

    def received(self, path: str | None = None, *, answered_ok: bool = False) -> list[Received]:
        """The requests so far (to one path), optionally only those answered 2xx."""
        with self._lock:
            found = [r for r in self.requests if path is None or r.path == path]
        return [r for r in found if 200 <= r.answered < 300] if answered_ok else found


def signature_valid(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Whether a request carries a valid Standard Webhooks signature for ``secret`` (``whsec_<base64>``).

    Written from the specification with the standard library only, independently of the platform's
    signing code, so a test that uses it checks the platform against the standard, not against itself.
    """
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(expected, part.removeprefix("v1,"))
               for part in headers.get("webhook-signature", "").split() if part.startswith("v1,"))
