"""The platform's merged OpenAPI document, fetched from the services and kept for a while.

Each service's ``/openapi.json`` is fetched concurrently with a short timeout and cached for
``openapi_cache_seconds``. A service that cannot be reached leaves its last good document in
place if there is one, else it is listed as missing; a merged document with missing parts is
rebuilt after a few seconds rather than a whole cache period, so a service that comes back shows up soon.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from bianmin.gateway.auth import SECURITY_REQUIREMENTS
from bianmin.gateway.domain.openapi_merge import merge
from bianmin.gateway.transport import UpstreamRequest
from bianmin.gateway.upstreams import Upstream

PARTIAL_RETRY_SECONDS = 5.0


class OpenApiAggregator:
    """Builds and caches the merged document from the gateway's own and the upstreams' documents."""

    def __init__(self, upstreams: dict[str, Upstream], gateway_document: Callable[[], dict[str, Any]], *,
                 ttl_seconds: float, fetch_timeout_seconds: float) -> None:
        self.upstreams = upstreams
        self.gateway_document = gateway_document
        self.ttl = ttl_seconds
        self.timeout = fetch_timeout_seconds
        self._documents: dict[str, tuple[float, dict[str, Any]]] = {}
        self._merged: tuple[float, dict[str, Any]] | None = None
        self._lock = asyncio.Lock()

    async def document(self) -> dict[str, Any]:
        """The merged document, rebuilt when the cached one has expired."""
        async with self._lock:
            if self._merged is not None and self._merged[0] > time.monotonic():
                return self._merged[1]
            names = sorted(self.upstreams)
            fetched = await asyncio.gather(*(self._service_document(n) for n in names))
            services = {n: d for n, d in zip(names, fetched, strict=True) if d is not None}
            missing = [n for n in names if n not in services]
            merged = merge(self.gateway_document(), services, missing, SECURITY_REQUIREMENTS)
            lifetime = min(self.ttl, PARTIAL_RETRY_SECONDS) if missing else self.ttl
            self._merged = (time.monotonic() + lifetime, merged)
            return merged

    async def _service_document(self, name: str) -> dict[str, Any] | None:
        cached = self._documents.get(name)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        try:
            document = await self._fetch(self.upstreams[name])
        except Exception:
            return cached[1] if cached is not None else None
        self._documents[name] = (time.monotonic() + self.ttl, document)
        return document

    async def _fetch(self, upstream: Upstream) -> dict[str, Any]:
        request = UpstreamRequest(method="GET", target="/openapi.json", headers=[("accept", "application/json")],
                                  read_timeout=self.timeout)
        async with asyncio.timeout(self.timeout):
            response = await upstream.send(request)
            try:
                body = await response.read()
            finally:
                await response.aclose()
        if response.status_code != 200:
            raise ValueError(f"{upstream.name} answered {response.status_code}")
        document = json.loads(body)
        if not isinstance(document, dict):
            raise ValueError(f"{upstream.name} sent no OpenAPI document")
        return document
