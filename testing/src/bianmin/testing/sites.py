"""The district's sites on a running platform: imported into the catalog, then awaited in every copy.

Queue, consult and bidding learn sites from the catalog's ``catalog.site.changed`` events, so a
site imported into the catalog is usable there a moment later. :func:`wait_until_registries_agree`
waits for that moment by comparing each service's ``/v1/site-registry`` digest with the catalog's,
as an operator would after an import; the demo loader and the end-to-end tests use it before they
open a hall or a tender at an imported site.
"""

from __future__ import annotations

import time
from importlib.resources import files

import httpx

KEEPERS = ("queue", "consult", "bidding")


def demo_sites_csv() -> bytes:
    """The demo district's site file (the catalog's package data)."""
    return (files("bianmin.catalog") / "demo_sites.csv").read_bytes()


def import_sites(base: str, key: str, csv: bytes) -> dict[str, int]:
    """Import a site file into the catalog through the gateway at ``base``; the counts it answered."""
    response = httpx.post(f"{base}/catalog/v1/sites/import", content=csv, timeout=60,
                          headers={"Authorization": f"Bearer {key}", "Content-Type": "text/csv"})
    if response.status_code != 200:
        raise RuntimeError(f"the catalog refused the site file: {response.status_code} {response.text[:500]}")
    return dict(response.json())


def wait_until_registries_agree(base: str, *, timeout: float = 60.0) -> str:
    """Block until every keeper's copy of the registry has the catalog's digest; that digest."""
    deadline = time.monotonic() + timeout
    lagging: list[str] = list(KEEPERS)
    while True:
        target = _digest(base, "catalog")
        lagging = [service for service in KEEPERS if _digest(base, service) != target]
        if target is not None and not lagging:
            return target
        if time.monotonic() > deadline:
            raise RuntimeError(f"the site registries of {', '.join(lagging)} did not reach the catalog's in {timeout} s")
        time.sleep(0.2)


def _digest(base: str, service: str) -> str | None:
    try:
        response = httpx.get(f"{base}/{service}/v1/site-registry", timeout=5)
    except httpx.HTTPError:
        return None
    return str(response.json()["digest"]) if response.status_code == 200 else None
