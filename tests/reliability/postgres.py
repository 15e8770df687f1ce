"""A private PostgreSQL server for the fault suite: its own data directory, a free port, stopped at the end.

The machine's own PostgreSQL (port 5432) serves other work and must never be restarted, so the
suite runs ``initdb`` into a temporary directory and ``pg_ctl`` on a free port, with the newest
binaries under ``/usr/lib/postgresql/*/bin`` (or ``initdb`` on ``PATH``). PostgreSQL refuses to run
as root: when the suite runs as root, each binary runs as the ``postgres`` user through ``runuser``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg

from bianmin.testing.nats import free_port

USER = "postgres"


def find_binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl`` of the newest PostgreSQL installed, or None."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if candidates:
        return candidates[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


class PrivatePostgres:
    """One PostgreSQL cluster of the suite's own; ``restart``/``crash`` are the faults, ``count`` the check."""

    def __init__(self, binaries: Path) -> None:
        self.binaries = binaries
        self.port = free_port()
        # Outside the suite's temporary folder: that one is private to root, and the server runs as postgres.
        self.root = Path(tempfile.mkdtemp(prefix="bianmin-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            os.chmod(self.root, 0o755)
            shutil.chown(self.root, USER, USER)

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", USER, "--"] if self.as_postgres else []
        return subprocess.run([*prefix, str(self.binaries / tool), *args], check=check, capture_output=True, text=True,
                              cwd=self.root, timeout=120)

    def start(self) -> PrivatePostgres:
        """initdb on first use, then start the server and wait until it accepts connections."""
        if not self.data.exists():
            self._run("initdb", "-D", str(self.data), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o",
                  f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c max_connections=200", "start")
        return self

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of one of this server's databases."""
        return f"postgresql+asyncpg://{USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise ValueError(f"not a plain database name: {name}")
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, name)
        return self.url(name)

    def restart(self) -> None:
        """``pg_ctl restart -m fast``: every connection is cut, the server comes back at once."""
        # -l again: without it the new postmaster would keep this call's output pipes open.
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-m", "fast", "restart")

    def crash(self, down_seconds: float = 1.0) -> None:
        """``kill -9`` of the postmaster and its backends (the host or container died), then a start with crash recovery."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True, text=True).stdout.split()
        for pid in [postmaster, *map(int, children)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while _alive(postmaster) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(down_seconds)
        self.start()

    def count(self, database: str, sql: str, params: Sequence[object] = ()) -> int:
        """One integer from a query (``?`` placeholders), on a connection of its own, from sync or async code."""
        numbered = iter(range(1, len(params) + 1))
        statement = re.sub(r"\?", lambda _: f"${next(numbered)}", sql)

        async def query() -> int:
            connection = await asyncpg.connect(host="127.0.0.1", port=self.port, user=USER, database=database)
            try:
                return int(await connection.fetchval(statement, *params))
            finally:
                await connection.close()

        # A thread of its own: the caller may be inside a running event loop.
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, query()).result(timeout=60)

    def stop(self) -> None:
        """Stop the server and remove its data directory."""
        try:
            self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "immediate", "stop", check=False)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
