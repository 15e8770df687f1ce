"""``make run``: the whole platform on this machine under honcho, data kept in ``var/``.

Generates the local secrets once, picks NATS (``BIANMIN_NATS_URL`` if set; else the bundled
nats-server on 4222, or on a free port when something already listens there), migrates every
database, creates and prints an admin key on the first run, writes ``var/Procfile`` and
``var/run.env``, and hands over to honcho. Ctrl-C stops everything; the next run keeps the data.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from bianmin.kit.localrun import PROCESSES, SERVICES, command, create_key, default_layout, local_nats, migrate
from bianmin.kit.testing.nats import free_port, port_open

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var"


def choose_nats(var: Path) -> tuple[str, str | None]:
    """The NATS URL to use and, when the bundled server is to run, its command line."""
    configured = os.environ.get("BIANMIN_NATS_URL")
    if configured:
        return configured, None
    port = 4222 if not port_open(4222) else free_port()
    server = local_nats(var, port)  # admits the services by their NKEYs only, as production does
    return server.url, shlex.join(server.command())


def main() -> None:
    """Prepare ``var/`` and run the platform in the foreground."""
    VAR.mkdir(exist_ok=True)
    nats_url, nats_line = choose_nats(VAR)
    layout = default_layout(VAR, nats_url=nats_url)
    layout.nats_credentials = nats_line is not None
    busy = [f"{name}:{port}" for name, port in layout.ports.items() if port_open(port)]
    if busy:
        sys.exit(f"These ports are taken: {', '.join(busy)}. Stop what uses them, or set BIANMIN_PORT_BASE "
                 "to another base port (the gateway takes the base, the services the next seven).")

    for name in PROCESSES:
        migrate(layout, name)
    admin_marker = VAR / "admin-key-created"
    admin_key = None
    if not admin_marker.exists():
        admin_key = create_key(layout, name="local admin", tenant="*", scopes=["admin"])
        admin_marker.write_text("An admin key was printed on the first `make run`; create more with "
                                "`.venv/bin/bianmin-gateway keys create`.\n")

    procfile = []
    if nats_line:
        procfile.append(f"nats: {nats_line}")
    for name in (*SERVICES, "gateway"):
        procfile.append(f"{name}: {shlex.quote(command(name))} serve --no-migrate")
    (VAR / "Procfile").write_text("\n".join(procfile) + "\n")
    # Every variable is prefixed by its process but the shared secret and NATS URL: one file serves all.
    env = {k: v for name in PROCESSES for k, v in layout.env(name).items()}
    env_file = VAR / "run.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in sorted(env.items())))
    env_file.chmod(0o600)

    gateway = layout.url("gateway")
    print(f"\nBianmin is starting.\n  gateway:  {gateway}\n  API docs: {gateway}/docs\n"
          f"  NATS:     {nats_url}{' (bundled, store in var/nats)' if nats_line else ' (from BIANMIN_NATS_URL)'}\n"
          f"  data:     {VAR}\n")
    if admin_key:
        print(f"  admin key (shown once, keep it): {admin_key}\n")
    print("Ctrl-C stops everything; `make run` again keeps the data.\n", flush=True)
    honcho = str(Path(sys.executable).parent / "honcho")
    os.execv(honcho, [honcho, "start", "-f", str(VAR / "Procfile"), "-e", str(env_file), "-d", str(ROOT),
                         "--no-colour"])


if __name__ == "__main__":
    main()
