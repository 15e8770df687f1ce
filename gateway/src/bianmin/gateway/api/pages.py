"""``/board/{hall}`` and ``/cockpit``: the pages people look at, served by the gateway itself.

The hall's display board (a TV in the hall) and the data cockpit (数据驾驶舱) are plain HTML, CSS and
JavaScript shipped in the package under ``static/``; they call the platform's own APIs through this
gateway (the board the public queue routes, the cockpit ``/cockpit/v1/overview`` with a key). Nothing
is fetched from outside the platform, and the Content-Security-Policy of every page says so: the
browser refuses any script, style, image, font or connection that is not from the gateway's origin.
"""

from __future__ import annotations

import re
from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import Response

from bianmin.kit.errors import NotFound

router = APIRouter(include_in_schema=False)
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; media-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; "
       "frame-ancestors 'self'; object-src 'none'")
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
HALL_CODE = re.compile(r"[0-9A-Za-z_-]{1,40}")
_cache: dict[str, bytes] = {}


def page_headers(*, cache: str) -> dict[str, str]:
    """The security headers of every page and asset: same-origin only, no sniffing, no referrer."""
    return {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
            "X-Frame-Options": "SAMEORIGIN", "Cache-Control": cache}


def _read(name: str) -> bytes:
    content = _cache.get(name)
    if content is None:
        resource = files("bianmin.gateway") / "static" / name
        if not resource.is_file():
            raise NotFound(f"No asset {name}.", code="asset_not_found")
        content = resource.read_bytes()
        _cache[name] = content
    return content


def _page(name: str) -> Response:
    return Response(_read(name), media_type=MEDIA_TYPES[".html"], headers=page_headers(cache="no-cache"))


@router.get("/board")
async def board_index() -> Response:
    """The list of halls, each linking to its display board."""
    return _page("board.html")


@router.get("/board/{hall}")
async def board(hall: str) -> Response:
    """A hall's display board: current call per counter, last calls and waiting per line, live."""
    if not HALL_CODE.fullmatch(hall):
        raise NotFound(f"No hall {hall}.", code="hall_not_found")
    return _page("board.html")


@router.get("/cockpit")
async def cockpit() -> Response:
    """The data cockpit: every service's figures for a period, with charts and definitions."""
    return _page("cockpit.html")


@router.get("/static/{name}")
async def asset(name: str) -> Response:
    """A script, stylesheet or image of the pages, cached by browsers for five minutes."""
    suffix = name[name.rfind("."):] if "." in name else ""
    if "/" in name or name.startswith(".") or suffix not in MEDIA_TYPES or suffix == ".html":
        raise NotFound(f"No asset {name}.", code="asset_not_found")
    return Response(_read(name), media_type=MEDIA_TYPES[suffix], headers=page_headers(cache="public, max-age=300"))
