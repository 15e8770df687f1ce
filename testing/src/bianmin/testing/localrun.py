"""The whole platform on one machine: its environment, its ports, and its processes.

``make run``, the end-to-end tests, the benchmarks and the fault suite all start the same eight
processes plus a bundled nats-server in the same way, from here: one place decides the ports, the
database files under ``var/``, the shared internal secret, the NATS URL and each service's NATS
credentials. Nothing here is imported by a service at run time.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bianmin.contracts.services import SERVICES
from bianmin.kit.events.access import NATS_USERS, new_seed, seed_variable
from bianmin.testing.nats import NatsServer, free_ports, port_open
from bianmin.testing.sites import demo_sites_csv, import_sites, wait_until_registries_agree

PROCESSES = (*SERVICES, "gateway")
LOCAL_ALLOWED_NETWORKS = "127.0.0.0/8,::1/128"
DEMO_DISTRICT_HALL = "330199000"
DEMO_DISTRICTS = "330199"
KEY_PATTERN = re.compile(r"\bbm_[A-Za-z0-9_\-]{16,}")


def command(name: str) -> str:
    """The console script of a process, next to the running Python."""
    return str(Path(sys.executable).parent / f"bianmin-{name}")


def load_or_create_secrets(path: Path) -> dict[str, str]:
    """The platform's local secrets, generated once into ``path`` (mode 0600) and kept after.

    The internal secret, the gateway's token signing secret, and an NKEY seed for each NATS user
    (every service, and ``ops`` for the operator's own look at the streams).
    """
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep:
                values[key.strip()] = value.strip()
    wanted: dict[str, Callable[[], str]] = {
        "BIANMIN_INTERNAL_SECRET": lambda: secrets.token_urlsafe(48),
        "BIANMIN_GATEWAY_TOKEN_SIGNING_SECRET": lambda: secrets.token_urlsafe(48),
    } | {seed_variable(user): new_seed for user in NATS_USERS}
    missing = [k for k in wanted if not values.get(k)]
    if missing:
        values.update({k: wanted[k]() for k in missing})
        write_private(path, "".join(f"{k}={v}\n" for k, v in sorted(values.items())))
    elif stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(0o600)
    return values


def write_private(path: Path, text: str) -> None:
    """Write a file that only this user may read (0600), in a folder only this user may enter when it is new."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(text)


def nats_seeds(values: Mapping[str, str]) -> dict[str, str]:
    """The NKEY seed of each NATS user, from the local secrets."""
    return {user: values[seed_variable(user)] for user in NATS_USERS}


def local_nats(var: Path, port: int | None = None) -> NatsServer:
    """The bundled nats-server of a local platform: its store under ``var/nats``, its users those of ``var/secrets.env``."""
    return NatsServer(var / "nats", port, seeds=nats_seeds(load_or_create_secrets(var / "secrets.env")))


@dataclass
class Layout:
    """Where each process listens and keeps its data."""

    var: Path
    ports: dict[str, int]
    nats_url: str
    secrets: dict[str, str]
    database_urls: dict[str, str] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    # Whether the services get their NKEY seeds from the local secrets: yes for the bundled NATS; for
    # one named by BIANMIN_NATS_URL, the seeds its operator gave come from the inherited environment.
    nats_credentials: bool = True

    def database_url(self, name: str) -> str:
        """The database of a process: the configured one, else a SQLite file under ``var/``."""
        return self.database_urls.get(name) or f"sqlite+aiosqlite:///{(self.var / f'{name}.db').resolve()}"

    def url(self, name: str) -> str:
        """The HTTP base URL of a process."""
        return f"http://127.0.0.1:{self.ports[name]}"

    def env(self, name: str) -> dict[str, str]:
        """The environment variables of one process (on top of the inherited ones)."""
        prefix = f"BIANMIN_{name.upper()}_"
        env = {
            "BIANMIN_INTERNAL_SECRET": self.secrets["BIANMIN_INTERNAL_SECRET"],
            "BIANMIN_NATS_URL": self.nats_url,
            f"{prefix}PORT": str(self.ports[name]),
            f"{prefix}HOST": "127.0.0.1",
            f"{prefix}DATABASE_URL": self.database_url(name),
        }
        if name == "webhooks":
            # The local platform is for development and tests, whose receivers listen on this machine: it
            # allows loopback explicitly (a deployment allows nothing but public addresses unless its operator
            # says so). Set BIANMIN_WEBHOOKS_ALLOWED_NETWORKS (empty too) to run it as a deployment would.
            env["BIANMIN_WEBHOOKS_ALLOWED_NETWORKS"] = os.environ.get("BIANMIN_WEBHOOKS_ALLOWED_NETWORKS",
                                                                      LOCAL_ALLOWED_NETWORKS)
        if name == "consult":
            # The local platform serves the demo district: a question that names no site goes to its hall.
            env["BIANMIN_CONSULT_DISTRICT_SITE"] = os.environ.get("BIANMIN_CONSULT_DISTRICT_SITE", DEMO_DISTRICT_HALL)
        if name == "catalog":
            # A deployment names its districts (a catalog naming none adds no site); the local platform serves
            # the demo district unless BIANMIN_CATALOG_DISTRICTS says otherwise.
            env["BIANMIN_CATALOG_DISTRICTS"] = os.environ.get("BIANMIN_CATALOG_DISTRICTS", DEMO_DISTRICTS)
        if name in SERVICES and self.nats_credentials:
            # Each service gets its own seed only: holding another's would let it speak as that service.
            env[seed_variable(name)] = self.secrets[seed_variable(name)]
        if name == "gateway":
            env["BIANMIN_GATEWAY_TOKEN_SIGNING_SECRET"] = self.secrets["BIANMIN_GATEWAY_TOKEN_SIGNING_SECRET"]
            env.update({f"BIANMIN_GATEWAY_{svc.upper()}_URL": self.url(svc) for svc in SERVICES})
        env.update(self.extra_env)
        return env


def default_layout(var: Path, *, port_base: int | None = None, nats_url: str | None = None) -> Layout:
    """The layout of ``make run``: ports from ``BIANMIN_PORT_BASE`` (8000 by default) upwards."""
    base = port_base if port_base is not None else int(os.environ.get("BIANMIN_PORT_BASE", "8000"))
    ports = {"gateway": base} | {svc: base + 1 + i for i, svc in enumerate(SERVICES)}
    return Layout(var=var, ports=ports, nats_url=nats_url or "", secrets=load_or_create_secrets(var / "secrets.env"))


def free_layout(var: Path, nats_url: str) -> Layout:
    """A layout on free ports, for tests and benchmarks that must not collide with anything."""
    return Layout(var=var, ports=dict(zip(PROCESSES, free_ports(len(PROCESSES)), strict=True)), nats_url=nats_url,
                  secrets=load_or_create_secrets(var / "secrets.env"))


def create_key(layout: Layout, *, name: str, tenant: str, scopes: list[str]) -> str:
    """Create an API key through the gateway's command line and return it (it is shown once)."""
    result = subprocess.run(
        [command("gateway"), "keys", "create", "--name", name, "--tenant", tenant, "--scopes", ",".join(scopes)],
        env=os.environ | layout.env("gateway"), check=True, capture_output=True, text=True,
    )
    found = KEY_PATTERN.search(result.stdout)
    if found is None:
        raise RuntimeError(f"the gateway printed no key: {result.stdout!r} {result.stderr!r}")
    return found.group(0)


def create_operator(layout: Layout, *, username: str = "operator") -> dict[str, str] | None:
    """Create an operator account (TOTP enrolled) through the gateway's command line: its password and TOTP URI.

    None when the username is taken already (an earlier run made it); the secrets are shown once only.
    """
    result = subprocess.run(
        [command("gateway"), "accounts", "create", "--username", username, "--kind", "operator",
         "--name", "Local operator", "--role", "operator@*", "--totp", "--json"],
        env=os.environ | layout.env("gateway"), capture_output=True, text=True, check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        return None
    return dict(json.loads(lines[-1]))


class Platform:
    """The eight processes as children of this one, with a bundled nats-server unless given a URL."""

    def __init__(self, layout: Layout, *, nats: NatsServer | None = None) -> None:
        self.layout = layout
        self.nats = nats
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def log_path(self, name: str) -> Path:
        """Where a process's output goes."""
        return self.layout.var / "logs" / f"{name}.log"

    def start(self, name: str, *, wait: bool = True, extra_env: Mapping[str, str] | None = None) -> None:
        """Start one process (migrating first) and wait until it answers ``/healthz``."""
        self.log_path(name).parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path(name), "ab") as log:
            self.processes[name] = subprocess.Popen(
                [command(name), "serve"], env=os.environ | self.layout.env(name) | dict(extra_env or {}),
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        if wait:
            self.wait_healthy(name)

    def wait_healthy(self, name: str, timeout: float = 30.0) -> None:
        """Block until a process answers ``/healthz``; RuntimeError with its log when it dies."""
        deadline = time.monotonic() + timeout
        url = f"{self.layout.url(name)}/healthz"
        while time.monotonic() < deadline:
            process = self.processes[name]
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{self.log_tail(name)}")
            if port_open(self.layout.ports[name]):
                try:
                    if httpx.get(url, timeout=1.0).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
            time.sleep(0.1)
        raise RuntimeError(f"{name} did not become healthy in {timeout} s:\n{self.log_tail(name)}")

    def log_tail(self, name: str, size: int = 4000) -> str:
        """The end of a process's log."""
        path = self.log_path(name)
        return path.read_text(errors="replace")[-size:] if path.exists() else ""

    def stop(self, name: str, *, sig: int = signal.SIGTERM) -> None:
        """Stop one process (SIGKILL to simulate a crash) and wait until its port is free."""
        process = self.processes.pop(name, None)
        if process is None:
            return
        if process.poll() is None:
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        while port_open(self.layout.ports[name]):
            time.sleep(0.05)

    def start_all(self) -> None:
        """Start the services, then the gateway, all healthy."""
        for name in SERVICES:
            self.start(name, wait=False)
        for name in SERVICES:
            self.wait_healthy(name)
        self.start("gateway")

    def stop_all(self) -> None:
        """Stop every process this platform started."""
        for name in list(self.processes):
            self.stop(name)


@contextmanager
def private_platform(var: Path, *, extra_env: Mapping[str, str] | None = None,
                     demo_sites: bool = True) -> Iterator[Platform]:
    """A nats-server of its own and the eight processes on free ports under ``var``, stopped on exit.

    What the end-to-end and browser tests run against: nothing is shared with a platform or a
    nats-server already running on this machine. NATS admits the services by their NKEYs only, with
    the permissions of their contracts, as in production. With ``demo_sites`` the demo district's
    sites are imported into the catalog and every service has learned them before this yields.
    """
    nats = local_nats(var).start()
    layout = free_layout(var, nats.url)
    layout.extra_env.update(extra_env or {})
    running = Platform(layout, nats=nats)
    try:
        running.start_all()
        if demo_sites:
            base = layout.url("gateway")
            import_sites(base, create_key(layout, name="site importer", tenant="*", scopes=["admin"]), demo_sites_csv())
            wait_until_registries_agree(base)
        yield running
    finally:
        running.stop_all()
        nats.stop()
