"""A service's ``/docs`` in headless Chromium: Swagger UI draws the API under its own strict policy.

The page's Content-Security-Policy allows no inline script and nothing from another origin
(``bianmin.kit.docs``); this proves Swagger UI still works inside it: the API's title and its
operations appear, the browser reports no policy violation, and no request leaves the process.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fastapi import APIRouter

from bianmin.kit.app import ServiceSpec, create_service_app
from bianmin.kit.settings import ServiceSettings
from bianmin.testing.client import TEST_SECRET
from bianmin.testing.serving import served

CHROMIUM = Path(os.environ.get("BIANMIN_CHROMIUM", "/usr/bin/chromium"))
if not CHROMIUM.exists():
    pytest.skip(f"browser tests skipped: no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
try:
    from playwright.sync_api import Browser, expect
except ImportError:
    pytest.skip("browser tests skipped: the playwright package is not installed (pip install -r requirements-dev.txt)",
                allow_module_level=True)

VIOLATIONS_SPY = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));
"""


def test_swagger_ui_draws_the_api_under_the_docs_policy(browser: Browser, tmp_path: Path, artifacts: Path) -> None:
    router = APIRouter(tags=["tickets"])

    @router.get("/tickets", summary="List the tickets of a hall")
    async def tickets() -> list[str]:
        return []

    settings = ServiceSettings(service_name="trial", database_url=f"sqlite+aiosqlite:///{tmp_path / 'docs.db'}",
                               internal_secret=TEST_SECRET, events_enabled=False)
    app = create_service_app(ServiceSpec(name="trial", title="Trial service", description="Docs under a CSP.",
                                         routers=[router]), settings)
    with served(app, settings) as port:
        origin = f"http://127.0.0.1:{port}"
        page = browser.new_page()
        page.add_init_script(VIOLATIONS_SPY)
        outside: list[str] = []
        page.on("request", lambda r: None if r.url.startswith((origin, "data:")) else outside.append(r.url))
        response = page.goto(f"{origin}/docs")
        assert response is not None
        assert "script-src 'self'" in response.headers["content-security-policy"]
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("Trial service", timeout=15_000)
        expect(page.locator('.opblock-summary-path[data-path="/v1/tickets"]')).to_be_visible()
        page.screenshot(path=str(artifacts / "docs-under-csp.png"))
        violations = page.evaluate("window.__violations")
        page.close()
    assert violations == []
    assert outside == []
