"""``make demo``: load one coherent demo data set into the running platform, through its APIs.

Run it while ``make run`` is up. It makes (once) an admin key for itself, kept in
``var/demo-key``, then calls each service's ``load_demo`` through the gateway in dependency order.
Every loader is idempotent, so running it twice changes nothing the second time.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bianmin.testing.localrun import KEY_PATTERN, Layout, command, default_layout

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var"
ORDER = ("catalog", "queue", "consult", "credit", "bidding", "guarantee")
RATE_LIMIT = "200/second"


def create_demo_key(layout: Layout) -> str:
    """An admin key for the loader, with a rate limit above the default's (it sends thousands of requests)."""
    result = subprocess.run(
        [command("gateway"), "keys", "create", "--name", "demo loader", "--tenant", "*", "--scopes", "admin",
         "--rate-limit", RATE_LIMIT],
        env=os.environ | layout.env("gateway"), check=True, capture_output=True, text=True)
    found = KEY_PATTERN.search(result.stdout)
    if found is None:
        raise RuntimeError(f"the gateway printed no key: {result.stdout!r} {result.stderr!r}")
    return found.group(0)


def gateway_url() -> str:
    """The running gateway's URL, from the environment ``make run`` wrote."""
    env_file = VAR / "run.env"
    if not env_file.exists():
        sys.exit("Start the platform with `make run` first (in another terminal).")
    values = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)
    return f"http://127.0.0.1:{values['BIANMIN_GATEWAY_PORT']}"


def demo_key() -> str:
    """The demo loader's admin key, created through the gateway's command line the first time."""
    path = VAR / "demo-key"
    if path.exists():
        return path.read_text().strip()
    key = create_demo_key(default_layout(VAR))
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


async def load_all(base: str, key: str) -> None:
    """Run every service's demo loader in order, through the gateway."""
    for service in ORDER:
        try:
            module = importlib.import_module(f"bianmin.{service}.demo")
        except ModuleNotFoundError:
            print(f"  {service:<10} no demo data yet")
            continue
        started = time.monotonic()
        async with httpx.AsyncClient(base_url=f"{base}/{service}", timeout=60,
                                     headers={"Authorization": f"Bearer {key}"}) as client:
            await module.load_demo(client)
        print(f"  {service:<10} loaded in {time.monotonic() - started:.1f} s", flush=True)


def main() -> None:
    """Load the demo data set."""
    base = gateway_url()
    started = time.monotonic()
    print(f"Loading demo data through {base}")
    asyncio.run(load_all(base, demo_key()))
    print(f"Done in {time.monotonic() - started:.1f} s.")


if __name__ == "__main__":
    main()
