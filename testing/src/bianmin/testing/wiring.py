"""The wiring every service must have, as one test class each service's tests subclass.

A service's ``tests/test_<service>_service.py`` names itself, its settings class, its MetaData
and its folder; the tests here then prove the identity check, health, migrations and packaging
the same way for all six.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import ClassVar

import pytest
from fastapi import FastAPI
from sqlalchemy import MetaData

from bianmin.kit.identity import ANONYMOUS, Principal
from bianmin.kit.migrations import drift
from bianmin.kit.settings import ServiceSettings
from bianmin.testing.client import client_for


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
