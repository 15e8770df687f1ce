"""``make run`` survives a crashed process: it is restarted with back-off and the others keep serving.

Issue 17, finding 9: after ``kill -9`` of credit, honcho shut the whole platform down and nothing
restarted it. Here ``tools/run.py`` (what ``make run`` runs) starts on free ports with its data in a
temporary folder; credit's process is killed with SIGKILL; the gateway and another service go on
answering, the runner says it restarts credit, and credit answers again. Ctrl-C then stops every
process. The same run shows that the data folder and its secrets are this user's alone (finding 11).
"""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyotp
import pytest

from bianmin.testing.localrun import SERVICES
from bianmin.testing.nats import free_port, port_open

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[1]
STARTED = re.compile(r"(?P<name>[a-z]+) started \(pid=(?P<pid>\d+)\)")


def _free_port_base(count: int) -> int:
    """A base port with ``count`` ports above it that nothing listens on now (the runner checks again)."""
    for _ in range(50):
        base = free_port()
        if base + count < 65535 and not any(port_open(base + n) for n in range(count)):
            return base
    raise RuntimeError("no free run of ports")


class Run:
    """``tools/run.py`` as a child process, its output collected line by line."""

    def __init__(self, var: Path) -> None:
        self.var = var
        self.base = _free_port_base(1 + len(SERVICES))
        self.ports = {"gateway": self.base} | {svc: self.base + 1 + i for i, svc in enumerate(SERVICES)}
        env = os.environ | {"BIANMIN_VAR": str(var), "BIANMIN_PORT_BASE": str(self.base),
                            "BIANMIN_NATS_PORT": str(free_port()), "PYTHONUNBUFFERED": "1"}
        env.pop("BIANMIN_NATS_URL", None)
        self.process = subprocess.Popen([sys.executable, str(ROOT / "tools" / "run.py")], cwd=ROOT, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        start_new_session=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def output(self) -> str:
        return "\n".join(self.lines)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def pids(self, name: str) -> list[int]:
        """Every pid the runner said it started ``name`` with, oldest first."""
        return [int(m["pid"]) for line in self.lines if (m := STARTED.search(line)) and m["name"] == name]

    def wait(self, what: str, check, timeout: float) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while not check():
            if self.process.poll() is not None:
                raise AssertionError(f"make run exited ({self.process.returncode}) waiting for {what}:\n{self.output()[-6000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no {what} within {timeout} s:\n{self.output()[-6000:]}")
            time.sleep(0.1)

    def answers(self, url: str) -> bool:
        try:
            return httpx.get(url, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> int:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._reader.join(timeout=5)
        return self.process.returncode


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Run]:
    running = Run(tmp_path / "var")
    try:
        yield running
    finally:
        running.stop()
        # Nothing may outlive the runner: every process it started is gone.
        for name in ("gateway", *SERVICES):
            for pid in running.pids(name):
                if Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text().lower():
                    os.kill(pid, signal.SIGKILL)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_killed_service_is_restarted_while_the_others_keep_serving(run: Run) -> None:
    run.wait("healthy gateway", lambda: run.answers(f"{run.url('gateway')}/healthz"), timeout=120)
    run.wait("healthy services", lambda: all(run.answers(f"{run.url(s)}/healthz") for s in SERVICES), timeout=60)
    (credit,) = run.pids("credit")

    # Issue 19: the first run prints an operator account, which signs in with its password and TOTP code.
    password = re.search(r"^\s+password: (\S+)$", run.output(), re.MULTILINE)
    totp = re.search(r"TOTP .*: (otpauth://\S+)$", run.output(), re.MULTILINE)
    assert password, run.output()[-3000:]
    assert totp, run.output()[-3000:]
    signed_in = httpx.post(f"{run.url('gateway')}/auth/login", timeout=10, json={
        "username": "operator", "password": password[1], "totp": pyotp.parse_uri(totp[1]).now()})
    assert signed_in.status_code == 200, signed_in.text

    os.kill(credit, signal.SIGKILL)
    run.wait("credit down", lambda: not run.answers(f"{run.url('credit')}/healthz"), timeout=10)
    # The others go on serving: the gateway itself, a public route through it, another service directly.
    assert run.answers(f"{run.url('gateway')}/healthz")
    assert run.answers(f"{run.url('gateway')}/catalog/v1/calendar?from=2026-01-01&to=2026-01-07")
    assert run.answers(f"{run.url('queue')}/healthz")

    run.wait("credit restarted", lambda: len(run.pids("credit")) == 2, timeout=15)
    run.wait("credit answering again", lambda: run.answers(f"{run.url('credit')}/healthz"), timeout=30)
    assert run.pids("credit")[1] != credit
    assert re.search(r"credit exited \(killed by SIGKILL\).*restart(ing)? .*in \d", run.output()), run.output()[-3000:]
    assert run.answers(f"{run.url('gateway')}/healthz")

    # Finding 11: the data folder, the databases and the secrets are readable by this user only.
    assert _mode(run.var) == 0o700
    for secret in (run.var / "secrets.env", run.var / "nats" / "nats.conf"):
        assert _mode(secret) == 0o600, secret
    databases = sorted(run.var.glob("*.db"))
    assert {p.name for p in databases} >= {f"{name}.db" for name in ("gateway", *SERVICES)}
    assert {p.name: _mode(p) for p in databases} == {p.name: 0o600 for p in databases}

    # Ctrl-C stops everything cleanly.
    assert run.stop() == 0
    assert "stopping" in run.output()
    for name in ("gateway", *SERVICES):
        assert not port_open(run.ports[name]), f"{name} still listens after Ctrl-C"
