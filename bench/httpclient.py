"""A lean HTTP/1.1 keep-alive client for the load process.

The load process shares two cores with the platform, so its own cost per request must stay small
and steady; httpx's async client spends several times more CPU per request than this. One
:class:`Connection` carries one request at a time; the load runner opens one per virtual client.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

import httptools


@dataclass
class Response:
    """Status, lower-cased headers and body of one answer."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


class _Parser:
    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self.chunks: list[bytes] = []
        self.done = False
        self._name = b""

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        self.done = True


class Connection:
    """One keep-alive connection to ``host:port``, reconnecting when the server closed it."""

    def __init__(self, host: str, port: int, *, timeout: float = 60.0) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._host_header = f"{host}:{port}".encode()

    async def _connect(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        """Close the socket."""
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()
        self._reader = self._writer = None

    def _encode(self, method: str, path: str, headers: dict[str, str] | None, body: bytes | None) -> bytes:
        lines = [f"{method} {path} HTTP/1.1".encode(), b"Host: " + self._host_header]
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}".encode())
        if body is not None:
            lines.append(f"Content-Length: {len(body)}".encode())
        return b"\r\n".join(lines) + b"\r\n\r\n" + (body or b"")

    async def request(self, method: str, path: str, *, headers: dict[str, str] | None = None,
                      body: bytes | None = None, json_body: Any = None) -> Response:
        """Send one request and read the whole answer (one retry on a connection closed while idle)."""
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False).encode()
            headers = {"Content-Type": "application/json", **(headers or {})}
        raw = self._encode(method, path, headers, body)
        for attempt in (0, 1):
            if self._writer is None:
                await self._connect()
            try:
                async with asyncio.timeout(self.timeout):
                    return await self._exchange(raw)
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                await self.close()
                if attempt == 1:
                    raise ConnectionError(f"{method} {path}: {exc}") from exc
            except TimeoutError:
                await self.close()
                raise
        raise AssertionError("unreachable")

    async def _exchange(self, raw: bytes) -> Response:
        assert self._reader is not None
        assert self._writer is not None
        self._writer.write(raw)
        state = _Parser()
        parser = httptools.HttpResponseParser(state)
        while not state.done:
            data = await self._reader.read(65536)
            if not data:
                raise ConnectionError("connection closed by the server")
            parser.feed_data(data)
        response = Response(parser.get_status_code(), state.headers, b"".join(state.chunks))
        if not parser.should_keep_alive():
            await self.close()
        return response
