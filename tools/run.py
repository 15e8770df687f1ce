"""``make run``: the whole platform on this machine under the kit's supervisor, data kept in ``var/``.

Generates the local secrets once (the internal secret, the gateway's token signing secret and an
NKEY seed per NATS user), picks NATS (``BIANMIN_NATS_URL`` if set; else the bundled nats-server on
``BIANMIN_NATS_PORT``, 4222 by default, or on a free port when something already listens there),
migrates every database, creates and prints an admin key and an operator account (its password and
TOTP URI, for ``POST /auth/login``) on the first run, and runs nats-server,
the seven services and the gateway under :mod:`bianmin.testing.supervisor`: a process that crashes is
restarted with back-off while the others keep serving, and Ctrl-C stops everything. The next run
keeps the data.

Everything it writes is this user's alone (umask 077): ``var/`` is 0700, the databases and the
secrets 0600. ``BIANMIN_VAR`` puts the data elsewhere (the tests do), ``BIANMIN_PORT_BASE`` moves
the gateway and the services.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from bianmin.kit.migrations import upgrade
from bianmin.testing.localrun import (
    PROCESSES,
    SERVICES,
    command,
    create_key,
    create_operator,
    default_layout,
    local_nats,
)
from bianmin.testing.nats import NatsServer, free_port, port_open
from bianmin.testing.supervisor import Program, supervise

ROOT = Path(__file__).resolve().parents[1]


def var_folder() -> Path:
    """Where the data lives (``BIANMIN_VAR``, else ``var/`` of the checkout), created or narrowed to 0700."""
    var = Path(os.environ.get("BIANMIN_VAR") or ROOT / "var").resolve()
    var.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = var.stat()
    # Narrowing a shared folder such as /tmp (sticky, or someone else's) would break it for everyone.
    if info.st_mode & stat.S_ISVTX or info.st_uid != os.getuid():
        sys.exit(f"{var} is a shared folder or not yours: point BIANMIN_VAR at a folder of its own")
    var.chmod(0o700)
    return var


def choose_nats(var: Path) -> tuple[str, NatsServer | None]:
    """The NATS URL to use and, when the bundled server is to run, that server (not started yet)."""
    configured = os.environ.get("BIANMIN_NATS_URL")
    if configured:
        return configured, None
    wanted = int(os.environ.get("BIANMIN_NATS_PORT", "4222"))
    port = wanted if not port_open(wanted) else free_port()
    server = local_nats(var, port)  # admits the services by their NKEYs only, as production does
    return server.url, server


def main() -> None:
    """Prepare the data folder and run the platform in the foreground until Ctrl-C."""
    os.umask(0o077)
    var = var_folder()
    for stale in ("Procfile", "run.env"):  # honcho's files from before: run.env held every secret at once
        (var / stale).unlink(missing_ok=True)
    nats_url, nats = choose_nats(var)
    layout = default_layout(var, nats_url=nats_url)
    layout.nats_credentials = nats is not None
    busy = [f"{name}:{port}" for name, port in layout.ports.items() if port_open(port)]
    if busy:
        sys.exit(f"These ports are taken: {', '.join(busy)}. Stop what uses them, or set BIANMIN_PORT_BASE "
                 "to another base port (the gateway takes the base, the services the next seven).")

    # In this process, one after the other: one import of SQLAlchemy and Alembic instead of one per
    # database (a fresh interpreter per migration took most of the start-up time on a busy machine).
    for name in PROCESSES:
        upgrade(f"bianmin.{name}.migrations", layout.database_url(name))
    admin_marker = var / "admin-key-created"
    admin_key = None
    if not admin_marker.exists():
        admin_key = create_key(layout, name="local admin", tenant="*", scopes=["admin"])
        admin_marker.write_text("An admin key was printed on the first `make run`; create more with "
                                "`.venv/bin/bianmin-gateway keys create`.\n")
    operator_marker = var / "operator-account-created"
    operator = None
    if not operator_marker.exists():
        operator = create_operator(layout)
        operator_marker.write_text("An operator account was printed on the first `make run`; reset its password with "
                                   "`.venv/bin/bianmin-gateway accounts password operator`.\n")

    programs = [Program("nats", nats.command(), cwd=ROOT)] if nats is not None else []
    # Each process gets its own variables only: a service sees its own NATS seed, no other's.
    programs += [Program(name, [command(name), "serve", "--no-migrate"], env=os.environ | layout.env(name), cwd=ROOT)
                 for name in (*SERVICES, "gateway")]

    gateway = layout.url("gateway")
    print(f"\nBianmin is starting.\n  gateway:  {gateway}\n  API docs: {gateway}/docs\n"
          f"  NATS:     {nats_url}{' (bundled, store in ' + str(var / 'nats') + ')' if nats else ' (from BIANMIN_NATS_URL)'}\n"
          f"  data:     {var}\n")
    if admin_key:
        print(f"  admin key (shown once, keep it): {admin_key}\n")
    if operator:
        print(f"  operator account (shown once, keep it): username {operator['username']}\n"
              f"    password: {operator['password']}\n"
              f"    TOTP (scan into an authenticator app): {operator['otpauth_uri']}\n")
    print("A process that crashes is restarted. Ctrl-C stops everything; `make run` again keeps the data.\n", flush=True)
    sys.exit(supervise(programs))


if __name__ == "__main__":
    main()
