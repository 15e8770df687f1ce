"""The board and cockpit pages: served from the package, same-origin only by their Content-Security-Policy."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bianmin.gateway.settings import GatewaySettings


async def test_the_board_and_the_cockpit_are_served_with_a_policy_forbidding_outside_origins(
        settings: GatewaySettings, open_gateway: Any) -> None:
    async with open_gateway(settings) as (_, client):
        pages = [await client.get(path) for path in ("/board/330199000", "/board", "/cockpit")]
    for page in pages:
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        policy = page.headers["content-security-policy"]
        assert "default-src 'none'" in policy
        assert "script-src 'self'" in policy
        assert "connect-src 'self'" in policy
        assert "http" not in policy
        assert page.headers["x-content-type-options"] == "nosniff"
    assert "/static/board.js" in pages[0].text
    assert "/static/cockpit.js" in pages[2].text


async def test_every_asset_a_page_names_is_served_locally(settings: GatewaySettings, open_gateway: Any) -> None:
    async with open_gateway(settings) as (_, client):
        for path in ("/board/330199000", "/cockpit"):
            html = (await client.get(path)).text
            assert "://" not in html.replace("http://www.w3.org", "")
            for asset in re.findall(r'(?:src|href)="([^"]+)"', html):
                assert asset.startswith("/static/"), asset
                answer = await client.get(asset)
                assert answer.status_code == 200, asset
                assert "content-security-policy" in answer.headers


@pytest.mark.parametrize("path", ["/static/../app.py", "/static/%2e%2e%2fapp.py", "/static/nothing.js", "/static/board.html",
                                  "/static/.hidden.js", "/board/330199000%3Cscript%3E"])
async def test_nothing_but_the_shipped_assets_is_served(settings: GatewaySettings, open_gateway: Any, path: str) -> None:
    async with open_gateway(settings) as (_, client):
        answer = await client.get(path)
    assert answer.status_code == 404


async def test_the_scripts_fetch_nothing_from_outside_the_platform(settings: GatewaySettings, open_gateway: Any) -> None:
    async with open_gateway(settings) as (_, client):
        for name in ("board.js", "cockpit.js", "charts.js", "board.css", "cockpit.css"):
            body = (await client.get(f"/static/{name}")).text
            assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", body), name
            assert "@import" not in body
            assert "url(http" not in body
