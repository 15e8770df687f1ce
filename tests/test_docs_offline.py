"""Every app's ``/docs`` works on a network that reaches nothing outside the platform (issue 17, finding 11).

Each service is built as its own tests build it and asked for its docs page; the page, its start-up
script and its assets must all come from the app itself, under a Content-Security-Policy that
allows nothing else. The gateway's page is checked in ``gateway/tests/test_openapi.py``.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import httpx
import pytest

from bianmin.testing.client import TEST_SECRET
from bianmin.testing.pages import csp_directives, external_references, page_references

sys.path.insert(0, str(Path(__file__).parent))
from platform_apps import QUIET, SETTINGS


@pytest.mark.parametrize("name", sorted(SETTINGS))
async def test_each_services_docs_are_served_locally_under_a_csp(name: str, tmp_path: Path) -> None:
    settings_class = getattr(importlib.import_module(f"bianmin.{name}.settings"), SETTINGS[name])
    settings = settings_class(database_url=f"sqlite+aiosqlite:///{tmp_path / 'docs.db'}", internal_secret=TEST_SECRET,
                              events_enabled=False, **QUIET.get(name, {}))
    app = importlib.import_module(f"bianmin.{name}.app").create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service.test") as client:
        page = await client.get("/docs")
        urls, inline = page_references(page.text)
        statuses = {url: (await client.get(url)).status_code for url in urls}
    assert page.status_code == 200
    assert external_references(page.text) == []
    assert inline == []
    assert set(statuses.values()) == {200}, statuses
    assert csp_directives(page.headers["content-security-policy"])["script-src"] == ["'self'"]
