"""An app served as the processes serve it (``bianmin.kit.serving``), and raw sockets to attack it with.

Tests of the server's limits need a real listening socket and clients that misbehave below HTTP:
half-sent heads, silent connections, many connections from one address. Linux routes the whole
127.0.0.0/8 block to the loopback interface, so a client socket bound to 127.0.0.2 is another
address to the server, which is how these tests play several clients on one machine.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

import uvicorn
from fastapi import FastAPI

from bianmin.kit.serving import server_config
from bianmin.kit.settings import ServiceSettings
from bianmin.testing.nats import free_port


@contextlib.contextmanager
def served(app: FastAPI, settings: ServiceSettings, *, exempt: Iterable[str] = (),
           max_connections: int | None = None) -> Iterator[int]:
    """Serve ``app`` with the kit's limits on a free loopback port in a thread; yields the port."""
    port = free_port()
    config = server_config(app, settings.model_copy(update={"host": "127.0.0.1", "port": port}), exempt=exempt,
                           max_connections=max_connections, log_level="warning", lifespan="on",
                           timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.01)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        if thread.is_alive():
            server.force_exit = True
            thread.join(timeout=5)


def connect(port: int, source: str = "127.0.0.1", *, timeout: float = 5.0) -> socket.socket:
    """A TCP connection to the loopback server from ``source`` (any 127.x.y.z address)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", port))
    return sock


def read_until_closed(sock: socket.socket, *, timeout: float = 5.0) -> bytes | None:
    """Everything the server sends until it closes the connection; None when it is still open after ``timeout``."""
    sock.settimeout(timeout)
    received = b""
    deadline = time.monotonic() + timeout
    while True:
        sock.settimeout(max(deadline - time.monotonic(), 0.001))
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            return None
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk


def status_of(response: bytes | None) -> int | None:
    """The status code of a raw HTTP/1.1 response, or None when there was none."""
    if not response or not response.startswith(b"HTTP/1."):
        return None
    return int(response.split(b" ", 2)[1])


def request(port: int, path: str = "/healthz", *, source: str = "127.0.0.1", headers: Iterable[tuple[str, str]] = (),
            timeout: float = 5.0) -> tuple[int | None, bytes]:
    """Send one ``GET`` on a fresh connection (``Connection: close``); its status and the raw response."""
    sock = connect(port, source, timeout=timeout)
    with sock:
        lines = [f"GET {path} HTTP/1.1", "Host: test", "Connection: close", *(f"{n}: {v}" for n, v in headers)]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        response = read_until_closed(sock, timeout=timeout) or b""
    return status_of(response), response


def send_partial_head(sock: socket.socket, path: str = "/healthz") -> None:
    """Start a request head and leave it unfinished, as a slow client (or an attacker) does."""
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: test\r\nX-Slow: ".encode())


def close_all(sockets: Iterable[Any]) -> None:
    """Close client sockets, ignoring those already gone."""
    for sock in sockets:
        with contextlib.suppress(OSError):
            sock.close()
