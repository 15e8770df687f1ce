"""The seven services as in-process apps over migrated databases, and their operations from OpenAPI.

The access matrix, the fuzz tests and the sealed-bid scan share this: each service's app is built
as its own tests build it (events off, the test secret), and every operation of its OpenAPI
document is listed with the route that serves it, so a new route is covered without editing here.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI

from bianmin.kit.app import api_routes
from bianmin.kit.clock import FixedClock
from bianmin.kit.identifiers import with_uscc_check
from bianmin.kit.identity import PUBLIC_EXTRA, declared_scopes, declares_district_only
from bianmin.kit.policy import Allow, declared_policy
from bianmin.testing.client import TEST_SECRET
from bianmin.testing.databases import TestDatabases

SETTINGS = {"catalog": "CatalogSettings", "queue": "QueueSettings", "consult": "ConsultSettings",
            "bidding": "BiddingSettings", "guarantee": "GuaranteeSettings", "credit": "CreditSettings",
            "webhooks": "WebhooksSettings"}
# Background work that would reach outside the process: the webhooks deliverer POSTs to endpoint URLs.
QUIET = {"webhooks": {"deliver_enabled": False}}
# What a deployment must name: the districts the catalog serves (naming none, it adds no site).
CONFIGURED = {"catalog": {"districts": ["330199"]}}
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
METHODS = ("get", "post", "put", "patch", "delete")
ENTERPRISE = with_uscc_check("91330199MA0000001")
# Plausible path values per service; anything else is filled from the parameter's schema.
PATH_VALUES: dict[str, dict[str, str]] = {
    "catalog": {"code": "330199-SC-001", "number": "BJ2026030200001", "day": "2026-03-02"},
    "queue": {"code": "330199001", "prefix": "A", "ticket_id": "1", "counter_id": "1"},
    "consult": {"code": "ZX2026030200001"},
    "bidding": {"code": "BM-2026-001", "section": "S1", "credit_code": ENTERPRISE},
    "guarantee": {"code": "PICC", "number": "BH2026030200001", "color": "green", "size": "1", "seq": "0"},
    "credit": {"code": ENTERPRISE, "version": "1"},
}
_PARAM = re.compile(r"{([^}]+)}")


@dataclass(frozen=True)
class Operation:
    """One operation of a service's OpenAPI document and the route that serves it."""

    service: str
    method: str
    path: str
    public: bool
    scopes: frozenset[str]
    district_only: bool
    has_body: bool
    policy: tuple[Allow, ...] | None
    document: dict[str, Any]

    @property
    def streams(self) -> bool:
        """Whether a successful answer is a server-sent event stream (it does not end by itself)."""
        return any("text/event-stream" in (r.get("content") or {}) for r in self.document.get("responses", {}).values())

    @property
    def label(self) -> str:
        """``service METHOD /path`` for messages."""
        return f"{self.service} {self.method.upper()} {self.path}"

    def url(self, values: dict[str, str] | None = None) -> str:
        """The path with every parameter filled, and the required query parameters too.

        Values come from ``values``, the service's plausible values, or the parameter's schema; a
        required query parameter left out would make the answer a 422 that proves nothing.
        """
        chosen = {**PATH_VALUES.get(self.service, {}), **(values or {})}
        declared = self.document.get("parameters", [])
        params = {p["name"]: p for p in declared if p.get("in") == "path"}

        def value(name: str, schema: dict[str, Any]) -> str:
            if name in chosen:
                return chosen[name]
            if schema.get("type") == "integer":
                return "1"
            if schema.get("enum"):
                return str(schema["enum"][0])
            return "X1"

        path = _PARAM.sub(lambda m: value(m.group(1), params.get(m.group(1), {}).get("schema", {})), self.path)
        query = [(p["name"], value(p["name"], p.get("schema", {}))) for p in declared
                 if p.get("in") == "query" and p.get("required")]
        return f"{path}?{urlencode(query)}" if query else path


def build_app(service: str, databases: TestDatabases, backend: str = "sqlite") -> FastAPI:
    """A service's app over a fresh migrated database, events off, at a fixed time."""
    settings_class = getattr(importlib.import_module(f"bianmin.{service}.settings"), SETTINGS[service])
    settings = settings_class(database_url=databases.url(backend, f"bianmin.{service}.migrations"),
                              internal_secret=TEST_SECRET, events_enabled=False, **QUIET.get(service, {}),
                              **CONFIGURED.get(service, {}))
    return importlib.import_module(f"bianmin.{service}.app").create_app(settings, clock=FixedClock(T0))


def operations(service: str, app: FastAPI) -> list[Operation]:
    """Every operation under ``/v1`` of the app's OpenAPI document, with its route's declarations."""
    document_paths = app.openapi()["paths"]
    routes = api_routes(app)
    found = []
    for path, item in document_paths.items():
        if not path.startswith("/v1/"):
            continue
        for method in METHODS:
            if method not in item:
                continue
            route = next(r for r in routes if r.path == path and method.upper() in r.methods)
            document = item[method]
            found.append(Operation(service=service, method=method, path=path,
                                   public=bool(document.get(PUBLIC_EXTRA)), scopes=declared_scopes(route),
                                   district_only=declares_district_only(route), has_body="requestBody" in document,
                                   policy=declared_policy(route), document=document))
    return found
