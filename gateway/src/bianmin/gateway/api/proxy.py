"""``/<service>/v1/...``: every request for a service, forwarded to that service's ``/v1/...``."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.convertors import PathConvertor, register_url_convertor
from starlette.responses import Response

from bianmin.gateway.auth import CallerDep
from bianmin.gateway.forward import ProxyResponse, exchange, upstream_headers
from bianmin.gateway.transport import UpstreamRequest
from bianmin.kit.errors import NotFound

router = APIRouter()
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class AnyPathConvertor(PathConvertor):
    """Starlette's ``path`` with newlines too: an id holding ``%0A`` is the service's to judge, not a gateway 404."""

    regex = "(?s:.*)"


register_url_convertor("anypath", AnyPathConvertor())


@router.api_route("/{service}/v1/{path:anypath}", methods=METHODS, include_in_schema=False)
async def forward(service: str, path: str, request: Request, caller: CallerDep) -> Response:
    """Forward a request to the service it names, signed with the caller's identity, and relay the answer."""
    upstream = request.app.state.upstreams.get(service)
    if upstream is None:
        raise NotFound(f"No service is routed under /{service}.", code="unknown_service")
    target = _target(request, service, path)
    if request.url.query:
        target += f"?{request.url.query}"
    settings = request.app.state.settings
    streaming = "text/event-stream" in request.headers.get("accept", "")
    outgoing = UpstreamRequest(
        method=request.method, target=target, headers=upstream_headers(request, caller.principal, service=service),
        body=await request.body(), read_timeout=settings.stream_read_timeout_seconds if streaming else None,
    )
    return ProxyResponse(await exchange(request, upstream, outgoing), service)


def _target(request: Request, service: str, path: str) -> str:
    # The raw path keeps the client's percent-encoding (an encoded "/" inside an id stays one segment).
    raw = request.scope.get("raw_path")
    raw = raw.split(b"?", 1)[0] if isinstance(raw, bytes) else None
    prefix = f"/{service}".encode()
    if isinstance(raw, bytes) and raw.startswith(prefix + b"/v1/"):
        return raw[len(prefix):].decode("latin-1")
    return "/v1/" + quote(path)
