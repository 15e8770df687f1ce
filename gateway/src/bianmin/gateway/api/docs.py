"""``/openapi.json`` (every service's document merged with the gateway's) and ``/docs`` (Swagger UI).

Swagger UI's script, stylesheet and icon are served by the gateway itself from the assets the
``fastapi-offline`` package ships, never from a CDN: the platform must work on a network that
reaches nothing outside it. The gateway's own document alone is at ``/openapi/gateway.json``.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response

from bianmin.kit.errors import NotFound

router = APIRouter(include_in_schema=False)
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon.png": "image/png",
}
_cache: dict[str, bytes] = {}


@router.get("/openapi.json")
async def merged_openapi(request: Request) -> JSONResponse:
    """The platform's OpenAPI document: the gateway's routes and every reachable service's, under their prefixes."""
    document: dict[str, Any] = await request.app.state.openapi.document()
    return JSONResponse(document)


@router.get("/openapi/gateway.json")
async def gateway_openapi(request: Request) -> JSONResponse:
    """The gateway's own OpenAPI document, without the services'."""
    return JSONResponse(request.app.openapi())


@router.get("/docs")
async def docs() -> HTMLResponse:
    """Swagger UI over the merged document, with every asset served locally."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json", title="Bianmin API",
        swagger_js_url="/docs/assets/swagger-ui-bundle.js", swagger_css_url="/docs/assets/swagger-ui.css",
        swagger_favicon_url="/docs/assets/favicon.png",
        swagger_ui_parameters={"persistAuthorization": True, "displayRequestDuration": True, "validatorUrl": None},
    )


@router.get("/docs/assets/{name}")
async def asset(name: str) -> Response:
    """One of Swagger UI's bundled assets, cached by browsers for a day."""
    media_type = ASSETS.get(name)
    if media_type is None:
        raise NotFound(f"No asset {name}.", code="asset_not_found")
    content = _cache.get(name)
    if content is None:
        content = (files("fastapi_offline") / "static" / name).read_bytes()
        _cache[name] = content
    return Response(content, media_type=media_type, headers={"Cache-Control": "public, max-age=86400"})
