"""``/openapi.json`` (every service's document merged with the gateway's) and ``/docs`` (Swagger UI).

``/docs`` is the kit's (``bianmin.kit.docs``, as every service has it): Swagger UI's files served by
the gateway itself, never from a CDN, started by a script file under a same-origin
Content-Security-Policy, so the platform works on a network that reaches nothing outside it.
The gateway's own document alone is at ``/openapi/gateway.json``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from bianmin.kit.docs import docs_router

router = APIRouter(include_in_schema=False)
router.include_router(docs_router(openapi_url="/openapi.json", title="Bianmin API",
                                  parameters={"persistAuthorization": True, "displayRequestDuration": True,
                                              "validatorUrl": None}))


@router.get("/openapi.json")
async def merged_openapi(request: Request) -> JSONResponse:
    """The platform's OpenAPI document: the gateway's routes and every reachable service's, under their prefixes."""
    document: dict[str, Any] = await request.app.state.openapi.document()
    return JSONResponse(document)


@router.get("/openapi/gateway.json")
async def gateway_openapi(request: Request) -> JSONResponse:
    """The gateway's own OpenAPI document, without the services'."""
    return JSONResponse(request.app.openapi())
