"""A service's ``/docs``: Swagger UI from the process itself, no inline script, a strict CSP.

Issue 17, finding 11: each service's ``/docs`` loaded Swagger UI from a public CDN and was blank on
an intranet; now the kit serves every asset and the start-up script as files.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from bianmin.kit.app import ServiceSpec, create_service_app
from bianmin.kit.settings import ServiceSettings
from bianmin.testing.client import TEST_SECRET
from bianmin.testing.pages import csp_directives, external_references, page_references


def _app(tmp_path: Path) -> httpx.AsyncClient:
    settings = ServiceSettings(service_name="trial", database_url=f"sqlite+aiosqlite:///{tmp_path / 'd.db'}",
                               internal_secret=TEST_SECRET, events_enabled=False)
    app = create_service_app(ServiceSpec(name="trial", title="Trial", description="A trial service."), settings)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service.test")


async def test_a_services_docs_load_nothing_from_outside_and_run_no_inline_script(tmp_path: Path) -> None:
    async with _app(tmp_path) as client:
        page = await client.get("/docs")
        urls, inline = page_references(page.text)
        loaded = {url: await client.get(url) for url in urls}
        redoc = await client.get("/redoc")
    assert page.status_code == 200
    assert external_references(page.text) == []
    assert inline == [], "the page starts Swagger UI from a script file, not inline"
    assert {url for url in urls if url.endswith(".js")} == {"/docs/assets/swagger-ui-bundle.js", "/docs/init.js"}
    assert all(response.status_code == 200 for response in loaded.values()), {u: r.status_code for u, r in loaded.items()}
    assert loaded["/docs/init.js"].headers["content-type"].startswith("text/javascript")
    assert "http://" not in loaded["/docs/init.js"].text
    assert "https://" not in loaded["/docs/init.js"].text
    assert 'data-openapi-url="/openapi.json"' in page.text
    assert redoc.status_code == 404, "ReDoc would load from a CDN"


async def test_a_services_docs_carry_a_same_origin_content_security_policy(tmp_path: Path) -> None:
    async with _app(tmp_path) as client:
        page = await client.get("/docs")
        script = await client.get("/docs/init.js")
    for response in (page, script):
        csp = csp_directives(response.headers["content-security-policy"])
        assert csp["default-src"] == ["'none'"]
        assert csp["script-src"] == ["'self'"], "no inline or remote script"
        assert csp["connect-src"] == ["'self'"]
        assert csp["frame-ancestors"] == ["'none'"]
        assert all(not source.startswith(("http", "*")) for sources in csp.values() for source in sources)
    assert page.headers["x-content-type-options"] == "nosniff"
