"""``make demo``: load one coherent demo data set into the running platform, through its APIs.

Run it while ``make run`` is up. It makes (once) an admin key for itself, kept in
``var/demo-key``, then calls each service's ``load_demo`` through the gateway in dependency order (after the catalog's,
which imports the demo district's sites, it waits until every service has learned them).
Whoever records a credit fact may not confirm it (separation of duties), so a second key, kept in
``var/demo-reviewer-key``, confirms the demo's credit records and approves its bonuses.
Every loader is idempotent, so running it twice changes nothing the second time.

It also creates one account of each role (``demo.<role>``, password ``demo-<role>-2026``; the roles,
sites and passwords are listed in the README) and an enterprise account bound to demo enterprise 1.
Roles that need a second factor get a TOTP secret on the first run; their ``otpauth://`` URIs are
kept in ``var/demo-accounts.txt`` (this user's only) and printed each time.
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

from bianmin.kit.identifiers import with_uscc_check
from bianmin.kit.roles import ROLES
from bianmin.testing.localrun import KEY_PATTERN, Layout, command, default_layout
from bianmin.testing.sites import wait_until_registries_agree

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var"
ORDER = ("catalog", "queue", "consult", "credit", "bidding", "guarantee")
RATE_LIMIT = "200/second"
# Roles of the service hall are held at the first township; the trading centre's and the platform's district-wide.
TOWNSHIP_ROLES = ("clerk", "hall_manager", "acceptor", "approver", "consult_agent", "cockpit_viewer")
DEMO_TOWNSHIP = "330199001"
DEMO_ENTERPRISE = with_uscc_check("91330199MA0000001")


def demo_password(name: str) -> str:
    """The documented password of a demo account: for a demo on one machine, never for real data."""
    return f"demo-{name}-2026"


def create_demo_key(layout: Layout, name: str = "demo loader") -> str:
    """An admin key for the loader, with a rate limit above the default's (it sends thousands of requests)."""
    result = subprocess.run(
        [command("gateway"), "keys", "create", "--name", name, "--tenant", "*", "--scopes", "admin",
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


def demo_key(file: str = "demo-key", name: str = "demo loader") -> str:
    """One of the demo loader's admin keys, created through the gateway's command line the first time."""
    path = VAR / file
    if path.exists():
        return path.read_text().strip()
    key = create_demo_key(default_layout(VAR), name)
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


async def load_all(base: str, key: str, reviewer_key: str | None = None) -> None:
    """Run every service's demo loader in order, through the gateway; ``reviewer_key`` decides what needs a second person."""
    for service in ORDER:
        try:
            module = importlib.import_module(f"bianmin.{service}.demo")
        except ModuleNotFoundError:
            print(f"  {service:<10} no demo data yet")
            continue
        started = time.monotonic()
        async with httpx.AsyncClient(base_url=f"{base}/{service}", timeout=60,
                                     headers={"Authorization": f"Bearer {key}"}) as client:
            if service == "credit" and reviewer_key is not None:
                async with httpx.AsyncClient(base_url=f"{base}/{service}", timeout=60,
                                             headers={"Authorization": f"Bearer {reviewer_key}"}) as reviewer:
                    await module.load_demo(client, reviewer)
            else:
                await module.load_demo(client)
        print(f"  {service:<10} loaded in {time.monotonic() - started:.1f} s", flush=True)
        if service == "catalog":
            # The other services learn the district's sites from the catalog's events: wait until they have.
            await asyncio.to_thread(wait_until_registries_agree, base)


async def create_accounts(client: httpx.AsyncClient) -> list[str]:
    """One account per role (and an enterprise bound to demo enterprise 1) through an operator's ``client``
    (base URL the gateway's ``/admin/v1``); lines describing the accounts it created."""
    lines: list[str] = []
    wanted = [(f"demo.{role}", info.kind, role) for role, info in ROLES.items()]
    wanted.append(("demo.enterprise", "enterprise", None))
    for username, kind, role in wanted:
        site = DEMO_TOWNSHIP if role in TOWNSHIP_ROLES else "*"
        password = demo_password(role or kind)
        created = await client.post("/accounts", json={
            "username": username, "kind": kind, "display_name": f"演示 {role or kind}", "password": password,
            "roles": [{"role": role, "site": site}] if role else []})
        if created.status_code == 409:
            continue
        created.raise_for_status()
        account = created.json()
        line = f"{username:<24} {password:<32} {role or kind}@{site if role else '-'}"
        if role and ROLES[role].second_factor:
            totp = await client.post(f"/accounts/{account['id']}/totp")
            totp.raise_for_status()
            line += f"  TOTP {totp.json()['otpauth_uri']}"
        if kind == "enterprise":
            bound = await client.post(f"/accounts/{account['id']}/parties", json={
                "code": DEMO_ENTERPRISE, "evidence": "demo data: bound by make demo"})
            bound.raise_for_status()
            line += f"  acts for {DEMO_ENTERPRISE}"
        lines.append(line)
    return lines


async def _create_accounts(base: str, key: str) -> list[str]:
    async with httpx.AsyncClient(base_url=f"{base}/admin/v1", timeout=60,
                                 headers={"Authorization": f"Bearer {key}"}) as client:
        return await create_accounts(client)


def record_accounts(lines: list[str]) -> str:
    """Append new accounts to ``var/demo-accounts.txt`` (0600) and return the whole list."""
    path = VAR / "demo-accounts.txt"
    if lines:
        with path.open("a") as out:
            out.write("\n".join(lines) + "\n")
        path.chmod(0o600)
    return path.read_text() if path.exists() else ""


def main() -> None:
    """Load the demo data set."""
    base = gateway_url()
    started = time.monotonic()
    print(f"Loading demo data through {base}")
    key = demo_key()
    asyncio.run(load_all(base, key, demo_key("demo-reviewer-key", "demo reviewer")))
    accounts = record_accounts(asyncio.run(_create_accounts(base, key)))
    print(f"Demo accounts (username, password, role@site; also in {VAR / 'demo-accounts.txt'}):\n{accounts}")
    print(f"Done in {time.monotonic() - started:.1f} s.")


if __name__ == "__main__":
    main()
