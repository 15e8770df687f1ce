"""The real platform and a headless Chromium (Debian's ``/usr/bin/chromium``) driven by Playwright.

Playwright is used only as a driver here, with the system's browser (``playwright install`` is never
run); the tests skip themselves, with the reason, where either is missing (see ``test_pages.py``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bianmin.testing.localrun import Platform, create_key, private_platform

CHROMIUM = Path(os.environ.get("BIANMIN_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    with private_platform(Path(tmp_path_factory.mktemp("browser-platform"))) as running:
        yield running


@pytest.fixture(scope="module")
def gateway(platform: Platform) -> str:
    return platform.layout.url("gateway")


@pytest.fixture(scope="module")
def admin_key(platform: Platform) -> str:
    return create_key(platform.layout, name="browser admin", tenant="*", scopes=["admin"])


@pytest.fixture(scope="module")
def cockpit_key(platform: Platform) -> str:
    return create_key(platform.layout, name="browser cockpit", tenant="*", scopes=["cockpit:read"])


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS

