"""The wiring and the shape every service must have, as one test class each service's tests subclass.

A service's ``tests/test_<service>_service.py`` names itself, its settings class, its MetaData
and its folder; the tests here then prove the identity check, health, migrations and packaging
the same way for all of them, and that the service keeps the kit's layout below the skeleton
(CONTRIBUTING.md, "One shape"): the expected modules exist, routers touch no SQL, rules know no
HTTP, every request body is a ``RequestBody``, every success answer is typed, and errors are
named classes with the platform's one spelling of each code.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path
from typing import Any, ClassVar

import pytest
from fastapi import FastAPI
from sqlalchemy import MetaData

from bianmin.kit.app import api_routes
from bianmin.kit.identity import ANONYMOUS, Principal
from bianmin.kit.migrations import drift
from bianmin.kit.schemas import RequestBody
from bianmin.kit.settings import ServiceSettings
from bianmin.testing.client import client_for

# Where each kind of code lives (relative to src/bianmin/<service>/); workers.py when the service has workers.
LAYOUT = ("app.py", "settings.py", "events.py", "models/__init__.py", "schemas/__init__.py", "api/__init__.py",
          "api/deps.py", "api/views.py", "domain/__init__.py", "domain/errors.py", "domain/stats.py")
# Codes that once had a second spelling; the kit's class carries the one kept (kit.errors.TransitionForbidden).
RETIRED_CODES = {"invalid_transition": "transition_forbidden", "ticket_state": "transition_forbidden",
                 "appointment_state": "transition_forbidden", "rectification_state": "transition_forbidden",
                 "case_status_forbidden": "transition_forbidden", "application_status_forbidden": "transition_forbidden",
                 "item_status_forbidden": "transition_forbidden", "redemption_status_forbidden": "transition_forbidden"}
ERROR_BASES = {"DomainError", "Unauthorized", "Forbidden", "NotFound", "Conflict", "Unprocessable",
               "ServiceUnavailable", "TransitionForbidden"}


def _imports(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def body_models(app: FastAPI) -> list[tuple[str, Any]]:
    """``(route, annotation)`` of every request body an app's routes take."""
    return [(f"{sorted(route.methods)[0]} {route.path} {param.name}", param.field_info.annotation)
            for route in api_routes(app) for param in route.dependant.body_params]


class ServiceWiringTests:
    """Subclass with the class attributes set; the fixtures ``app`` and ``settings`` come from conftest."""

    service: ClassVar[str]
    settings_class: ClassVar[type[ServiceSettings]]
    metadata: ClassVar[MetaData]
    service_root: ClassVar[Path]

    async def test_a_request_without_the_gateway_identity_is_refused(self, app: FastAPI) -> None:
        async with client_for(app, principal=None) as client:
            response = await client.get("/v1/stats/overview")
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "identity_missing"

    async def test_a_forged_identity_is_refused(self, app: FastAPI) -> None:
        async with client_for(app, secret="not-the-shared-secret-at-all-000000000000") as client:
            response = await client.get("/v1/stats/overview")
        assert response.status_code == 401
        assert response.json()["code"] == "identity_invalid"

    async def test_the_anonymous_principal_reaches_no_private_route(self, app: FastAPI) -> None:
        async with client_for(app, principal=ANONYMOUS) as client:
            response = await client.get("/v1/stats/overview")
        assert response.status_code == 401
        assert response.json()["code"] == "credentials_required"

    async def test_stats_need_the_cockpit_scope(self, app: FastAPI) -> None:
        clerk = Principal(key_id="k1", tenant="*", scopes=frozenset({f"{self.service}:write"}))
        reader = Principal(key_id="k2", tenant="*", scopes=frozenset({"cockpit:read"}))
        async with client_for(app, principal=clerk) as client:
            refused = await client.get("/v1/stats/overview")
        async with client_for(app, principal=reader) as client:
            allowed = await client.get("/v1/stats/overview", params={"from": "2026-01-01", "to": "2026-01-31"})
            reversed_period = await client.get("/v1/stats/overview", params={"from": "2026-02-01", "to": "2026-01-01"})
        assert refused.status_code == 403
        assert allowed.status_code == 200
        assert allowed.json()["service"] == self.service
        assert reversed_period.status_code == 422

    async def test_health_and_readiness(self, app: FastAPI) -> None:
        async with client_for(app, principal=None) as client:
            health = await client.get("/healthz")
            ready = await client.get("/readyz")
            metrics = await client.get("/metrics")
        assert health.json() == {"status": "ok"}
        assert ready.status_code == 200
        assert ready.json()["checks"]["database"] == "ok"
        assert "bianmin_http_requests_total" in metrics.text

    def test_migrations_match_the_models(self, settings: ServiceSettings) -> None:
        assert drift(settings.database_url, self.metadata) == []

    def test_every_package_is_listed_for_installation(self) -> None:
        root = self.service_root
        listed = set(tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
        found = {".".join(p.parent.relative_to(root / "src").parts) for p in (root / "src").rglob("__init__.py")}
        found |= {f"bianmin.{self.service}." + ".".join(p.parent.relative_to(root).parts)
                  for p in (root / "migrations").rglob("__init__.py")}
        assert found == listed

    def test_settings_come_from_the_service_prefix(self, monkeypatch: pytest.MonkeyPatch) -> None:
        prefix = f"BIANMIN_{self.service.upper()}_"
        monkeypatch.setenv(f"{prefix}DATABASE_URL", "sqlite+aiosqlite:///elsewhere.db")
        monkeypatch.setenv(f"{prefix}PORT", "9999")
        monkeypatch.setenv("BIANMIN_INTERNAL_SECRET", "shared-by-every-process")
        settings = self.settings_class()
        assert settings.database_url == "sqlite+aiosqlite:///elsewhere.db"
        assert settings.port == 9999
        assert settings.internal_secret.get_secret_value() == "shared-by-every-process"

    @property
    def package(self) -> Path:
        """The service's package folder, ``src/bianmin/<service>``."""
        return self.service_root / "src" / "bianmin" / self.service

    def _modules(self, folder: str) -> list[tuple[str, ast.AST]]:
        return [(str(p.relative_to(self.package)), ast.parse(p.read_text(encoding="utf-8")))
                for p in sorted((self.package / folder).rglob("*.py"))]

    def test_the_service_keeps_the_kits_layout(self, app: FastAPI) -> None:
        expected = [*LAYOUT, *(["workers.py"] if app.state.service.workers else [])]
        missing = [name for name in expected if not (self.package / name).is_file()]
        assert missing == [], f"{self.service} lacks {missing} (CONTRIBUTING.md, One shape)"
        assert (self.service_root / "tests" / f"{self.service}_factories.py").is_file(), "test data lives in tests/<service>_factories.py"

    def test_routers_touch_no_sql_and_rules_know_no_http(self) -> None:
        wrong = [name for name, tree in self._modules("api") if "sqlalchemy" in _imports(tree)]
        wrong += [name for name, tree in self._modules("domain") if _imports(tree) & {"fastapi", "starlette"}]
        assert wrong == [], "routers parse, authorise, call the domain and return; list queries live in domain/"

    def test_every_request_body_is_a_request_body(self, app: FastAPI) -> None:
        def closed(annotation: Any) -> bool:
            args = getattr(annotation, "__args__", None)
            if args and not isinstance(annotation, type):
                return all(closed(a) for a in args if a is not type(None))
            return isinstance(annotation, type) and issubclass(annotation, RequestBody)

        bodies = body_models(app)
        assert bodies, "found no request body at all: the check would prove nothing"
        open_bodies = [where for where, annotation in bodies if not closed(annotation)]
        assert open_bodies == [], "request models derive from bianmin.kit.schemas.RequestBody"

    def test_every_success_answer_is_typed(self, app: FastAPI) -> None:
        untyped = []
        for path, item in app.openapi()["paths"].items():
            for method, operation in item.items():
                for status, answer in operation.get("responses", {}).items():
                    schema = (answer.get("content") or {}).get("application/json", {}).get("schema")
                    if status.startswith("2") and schema is not None and not (schema.get("$ref") or schema.get("type")
                                                                              or schema.get("anyOf")):
                        untyped.append(f"{method.upper()} {path} {status}")
        assert untyped == [], "every route declares its real response type"

    def test_errors_are_named_classes_with_one_spelling(self) -> None:
        inline, retired = [], []
        for folder in ("api", "domain"):
            for name, tree in self._modules(folder):
                for node in ast.walk(tree):
                    if isinstance(node, ast.Call) and any(k.arg == "code" for k in node.keywords):
                        called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                        if called in ERROR_BASES:
                            inline.append(f"{name}:{node.lineno}")
                    if isinstance(node, ast.Constant) and node.value in RETIRED_CODES:
                        retired.append(f"{name}:{node.lineno} {node.value} (say {RETIRED_CODES[node.value]})")
        assert retired == []
        assert inline == [], "raise a named error class from domain/errors.py, not a base class with a code"
