"""``/docs``: Swagger UI served by the process itself, with no inline script and a strict policy.

FastAPI's own ``/docs`` loads Swagger UI from a public CDN (a blank page on a government intranet)
and starts it with an inline script, which only a ``script-src 'unsafe-inline'`` policy would
allow. The gateway and every service serve it this way instead (issue 17, finding 11):

- the script, stylesheet and icon come from the ``fastapi-offline`` package, served under
  ``/docs/assets/``; nothing is fetched from outside the process;
- the start-up script is a file (``/docs/init.js``) that reads the document's URL and the
  Swagger UI parameters from data attributes of the page, so the page has no inline script;
- a Content-Security-Policy allows scripts, styles, images, fonts and connections from the same
  origin only. Swagger UI sets inline ``style`` attributes and uses ``data:`` images for its icons,
  so ``style-src`` adds ``'unsafe-inline'`` and ``img-src`` adds ``data:``; scripts get neither.
"""

from __future__ import annotations

import html
import json
from importlib.resources import files
from typing import Any

from fastapi import APIRouter
from fastapi.openapi.docs import swagger_ui_default_parameters
from fastapi.responses import Response

from bianmin.kit.errors import NotFound

CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; "
       "object-src 'none'")
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon.png": "image/png",
}
INIT_JS = """\
// Starts Swagger UI with what the page says in data attributes: the page itself runs no inline script.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  var parameters = JSON.parse(root.getAttribute("data-parameters") || "{}");
  parameters.url = root.getAttribute("data-openapi-url");
  parameters.dom_id = "#swagger-ui";
  parameters.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
  window.ui = SwaggerUIBundle(parameters);
}());
"""
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" href="/docs/assets/favicon.png">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi_url}" data-parameters="{parameters}"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
"""
_assets: dict[str, bytes] = {}


def docs_headers(*, cache: str) -> dict[str, str]:
    """The headers of the docs page and its files: same-origin only, never framed, no sniffing."""
    return {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
            "X-Frame-Options": "DENY", "Cache-Control": cache}


def docs_router(*, openapi_url: str, title: str, parameters: dict[str, Any] | None = None) -> APIRouter:
    """The routes of ``/docs`` for a document at ``openapi_url`` (``parameters`` add to Swagger UI's defaults)."""
    router = APIRouter(include_in_schema=False)
    settings = {**swagger_ui_default_parameters, **(parameters or {})}
    page = PAGE.format(title=html.escape(title), openapi_url=html.escape(openapi_url),
                       parameters=html.escape(json.dumps(settings))).encode()

    @router.get("/docs")
    async def docs() -> Response:
        """Swagger UI over this process's OpenAPI document, every file served locally."""
        return Response(page, media_type="text/html; charset=utf-8", headers=docs_headers(cache="no-cache"))

    @router.get("/docs/init.js")
    async def init_script() -> Response:
        """The script that starts Swagger UI (a file, so that the policy can refuse inline scripts)."""
        return Response(INIT_JS, media_type="text/javascript; charset=utf-8", headers=docs_headers(cache="no-cache"))

    @router.get("/docs/assets/{name}")
    async def asset(name: str) -> Response:
        """One of Swagger UI's bundled files, cached by browsers for a day."""
        media_type = ASSETS.get(name)
        if media_type is None:
            raise NotFound(f"No asset {name}.", code="asset_not_found")
        content = _assets.get(name)
        if content is None:
            content = (files("fastapi_offline") / "static" / name).read_bytes()
            _assets[name] = content
        return Response(content, media_type=media_type, headers=docs_headers(cache="public, max-age=86400"))

    return router
