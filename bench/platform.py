"""The platform under test: nats-server, six services, the gateway and the trivial app, on free ports.

Everything is started through :mod:`bianmin.testing.localrun`, as ``make run`` and the end-to-end tests
do. With ``BENCH_DATABASE=postgres`` each process gets a fresh database on the local PostgreSQL
(created here, dropped at the end). The gateway's rate limits are lifted for the run: the harness
measures the platform's capacity, not the limits an operator configures.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from bianmin.kit.identity import IDENTITY_HEADER, Principal, audience_of, mint_token
from bianmin.testing.localrun import PROCESSES, SERVICES, Layout, Platform, create_key, free_layout, local_nats
from bianmin.testing.nats import free_port, port_open
from bianmin.testing.sites import demo_sites_csv, import_sites, wait_until_registries_agree

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
NO_LIMIT = "1000000/second"


class Skip(Exception):
    """A scenario cannot run on this tree; the message says what it needs."""


def peak_rss_bytes(pid: int) -> int | None:
    """A process's peak resident set (VmHWM in /proc/<pid>/status), or None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


async def _postgres(statements: list[str]) -> None:
    import asyncpg

    conn = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


class BenchPlatform:
    """Starts and stops the processes; knows their URLs, keys and pids."""

    def __init__(self, database: str = "sqlite", *, keep: bool = False) -> None:
        if database not in ("sqlite", "postgres"):
            raise ValueError("BENCH_DATABASE must be sqlite or postgres")
        self.database = database
        self.keep = keep
        self.var = Path(tempfile.mkdtemp(prefix="bianmin-bench-"))
        self.nats = local_nats(self.var)
        self.layout: Layout | None = None
        self.platform: Platform | None = None
        self.trivial: subprocess.Popen[bytes] | None = None
        self.trivial_port = free_port()
        self.admin_key = ""
        self._pg_names: list[str] = []
        self._openapi: dict[str, dict[str, Any]] = {}

    # -- life cycle -----------------------------------------------------------------------------

    def start(self) -> None:
        """Start NATS, the services (each migrates its database as it starts), the gateway and the trivial app; create the admin key."""
        self.nats.start()
        layout = free_layout(self.var, self.nats.url)
        layout.extra_env.update({
            "BIANMIN_GATEWAY_DEFAULT_RATE_LIMIT": NO_LIMIT, "BIANMIN_GATEWAY_ANONYMOUS_RATE_LIMIT": NO_LIMIT,
            "BIANMIN_GATEWAY_TOKEN_RATE_LIMIT": NO_LIMIT,
            # Every load connection comes from 127.0.0.1: one address, far past a real client's cap.
            "BIANMIN_GATEWAY_HTTP_MAX_CONNECTIONS_PER_CLIENT": "4096",
        })
        if self.database == "postgres":
            tag = uuid.uuid4().hex[:8]
            self._pg_names = [f"bench_{tag}_{name}" for name in PROCESSES]
            asyncio.run(_postgres([f'CREATE DATABASE "{n}"' for n in self._pg_names]))
            base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
            layout.database_urls = {name: f"{base}/{db}" for name, db in zip(PROCESSES, self._pg_names, strict=True)}
        self.layout = layout
        self.platform = Platform(layout, nats=self.nats)
        for name in SERVICES:
            self.platform.start(name, wait=False, extra_env={f"BIANMIN_{name.upper()}_LOG_LEVEL": "WARNING"})
        self._start_trivial()
        for name in SERVICES:
            self.platform.wait_healthy(name, timeout=60)
        self.platform.start("gateway", extra_env={"BIANMIN_GATEWAY_LOG_LEVEL": "WARNING"})
        self.admin_key = create_key(layout, name="bench admin", tenant="*", scopes=["admin"])
        import_sites(layout.url("gateway"), self.admin_key, demo_sites_csv())
        wait_until_registries_agree(layout.url("gateway"))
        self._wait_trivial()

    def _start_trivial(self) -> None:
        assert self.layout is not None
        env = os.environ | {"BIANMIN_INTERNAL_SECRET": self.secret, "BENCH_TRIVIAL_PORT": str(self.trivial_port),
                            "BENCH_TRIVIAL_DB": str(self.var / "trivial.db")}
        log = open(self.var / "logs" / "trivial.log", "ab")  # noqa: SIM115 - the child owns it
        self.trivial = subprocess.Popen([sys.executable, "-m", "bench.trivial"], cwd=ROOT, env=env, stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        log.close()

    def _wait_trivial(self) -> None:
        deadline = time.monotonic() + 30
        while not port_open(self.trivial_port):
            if self.trivial is None or self.trivial.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the trivial app did not start: " + (self.var / "logs" / "trivial.log").read_text())
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop every process, drop the PostgreSQL databases, remove the var folder unless kept."""
        if self.trivial is not None and self.trivial.poll() is None:
            self.trivial.terminate()
            try:
                self.trivial.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.trivial.kill()
        if self.platform is not None:
            self.platform.stop_all()
        self.nats.stop()
        if self._pg_names:
            asyncio.run(_postgres([f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in self._pg_names]))
        if not self.keep:
            shutil.rmtree(self.var, ignore_errors=True)

    # -- what scenarios need --------------------------------------------------------------------

    @property
    def secret(self) -> str:
        """The internal secret shared by the gateway and the services."""
        assert self.layout is not None
        return self.layout.secrets["BIANMIN_INTERNAL_SECRET"]

    def port(self, name: str) -> int:
        """The port of a process (``trivial`` for the trivial app)."""
        assert self.layout is not None
        return self.trivial_port if name == "trivial" else self.layout.ports[name]

    def gateway_headers(self) -> dict[str, str]:
        """Headers of a request through the gateway with the admin key."""
        return {"X-API-Key": self.admin_key}

    def direct_headers(self, service: str, scopes: tuple[str, ...] = ("admin",), tenant: str = "*") -> dict[str, str]:
        """Headers of a request straight to ``service``, with an internal token for it valid for the run."""
        token = mint_token(Principal(key_id="bench-direct", tenant=tenant, scopes=frozenset(scopes), name="bench"),
                           self.secret, audience=audience_of(service), ttl_seconds=6 * 3600)
        return {IDENTITY_HEADER: token}

    def client(self, timeout: float = 120.0) -> httpx.Client:
        """A synchronous client on the gateway with the admin key, for set-up steps."""
        assert self.layout is not None
        return httpx.Client(base_url=self.layout.url("gateway"), headers=self.gateway_headers(), timeout=timeout)

    def direct_client(self, service: str, timeout: float = 600.0) -> httpx.Client:
        """A synchronous client straight to a service, with an internal admin token."""
        assert self.layout is not None
        return httpx.Client(base_url=self.layout.url(service), headers=self.direct_headers(service), timeout=timeout)

    def database_url(self, service: str) -> str:
        """A service's database URL."""
        assert self.layout is not None
        return self.layout.database_url(service)

    def routes(self, service: str) -> dict[str, Any]:
        """The paths the running service declares in its OpenAPI document."""
        if service not in self._openapi:
            assert self.layout is not None
            answer = httpx.get(f"{self.layout.url(service)}/openapi.json", timeout=30)
            answer.raise_for_status()
            self._openapi[service] = answer.json().get("paths", {})
        return self._openapi[service]

    def require(self, service: str, *routes: str) -> None:
        """Skip the scenario unless the service has each route (``"POST /v1/tickets"``)."""
        paths = self.routes(service)
        for route in routes:
            method, path = route.split(" ", 1)
            if method.lower() not in paths.get(path, {}):
                raise Skip(f"needs {method} /{service}{path}")

    def pids(self) -> dict[str, int]:
        """The pid of every process of the platform."""
        out: dict[str, int] = {}
        if self.nats.process is not None:
            out["nats-server"] = self.nats.process.pid
        if self.platform is not None:
            out.update({name: p.pid for name, p in self.platform.processes.items()})
        if self.trivial is not None:
            out["trivial"] = self.trivial.pid
        return out

    def wait_quiet(self, *, settle: float = 2.0, limit: float = 120.0) -> float:
        """Wait until no service consumes or publishes events for ``settle`` seconds; the seconds waited."""
        assert self.layout is not None
        started = time.monotonic()
        last, since = None, time.monotonic()
        with httpx.Client(timeout=10) as client:
            while time.monotonic() - started < limit:
                total = 0.0
                for name in SERVICES:
                    try:
                        text = client.get(f"{self.layout.url(name)}/metrics").text
                    except httpx.HTTPError:
                        continue
                    for line in text.splitlines():
                        if line.startswith(("bianmin_events_consumed_total", "bianmin_events_published_total")):
                            total += float(line.rsplit(" ", 1)[1])
                if total != last:
                    last, since = total, time.monotonic()
                elif time.monotonic() - since >= settle:
                    break
                time.sleep(0.5)
        return time.monotonic() - started
