"""The guarantee service's wiring: identity, health, migrations and packaging."""

import tomllib
from pathlib import Path

import pytest
from fastapi import FastAPI

from bianmin.guarantee.models import Base
from bianmin.guarantee.settings import GuaranteeSettings
from bianmin.kit.identity import ANONYMOUS, Principal
from bianmin.kit.migrations import drift
from bianmin.kit.testing.client import client_for

SERVICE_ROOT = Path(__file__).resolve().parents[1]


async def test_a_request_without_the_gateway_identity_is_refused(app: FastAPI) -> None:
    async with client_for(app, principal=None) as client:
        response = await client.get("/v1/stats/overview")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "identity_missing"


async def test_a_forged_identity_is_refused(app: FastAPI) -> None:
    async with client_for(app, secret="not-the-shared-secret-at-all-000000000000") as client:
        response = await client.get("/v1/stats/overview")
    assert response.status_code == 401
    assert response.json()["code"] == "identity_invalid"


async def test_the_anonymous_principal_reaches_no_private_route(app: FastAPI) -> None:
    async with client_for(app, principal=ANONYMOUS) as client:
        response = await client.get("/v1/stats/overview")
    assert response.status_code == 401
    assert response.json()["code"] == "credentials_required"


async def test_stats_need_the_cockpit_scope(app: FastAPI) -> None:
    clerk = Principal(key_id="k1", tenant="*", scopes=frozenset({"guarantee:write"}))
    async with client_for(app, principal=clerk) as client:
        refused = await client.get("/v1/stats/overview")
    reader = Principal(key_id="k2", tenant="*", scopes=frozenset({"cockpit:read"}))
    async with client_for(app, principal=reader) as client:
        allowed = await client.get("/v1/stats/overview", params={"from": "2026-01-01", "to": "2026-01-31"})
    assert refused.status_code == 403
    assert allowed.status_code == 200
    assert allowed.json()["service"] == "guarantee"


async def test_health_and_readiness(app: FastAPI) -> None:
    async with client_for(app, principal=None) as client:
        health = await client.get("/healthz")
        ready = await client.get("/readyz")
        metrics = await client.get("/metrics")
    assert health.json() == {"status": "ok"}
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == "ok"
    assert "bianmin_http_requests_total" in metrics.text


def test_migrations_match_the_models(settings: GuaranteeSettings) -> None:
    assert drift(settings.database_url, Base.metadata) == []


def test_every_package_is_listed_for_installation() -> None:
    listed = set(tomllib.loads((SERVICE_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(SERVICE_ROOT / "src").parts)
             for p in (SERVICE_ROOT / "src").rglob("__init__.py")}
    found |= {"bianmin.guarantee." + ".".join(p.parent.relative_to(SERVICE_ROOT).parts)
              for p in (SERVICE_ROOT / "migrations").rglob("__init__.py")}
    assert found == listed


def test_settings_come_from_the_service_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIANMIN_GUARANTEE_DATABASE_URL", "sqlite+aiosqlite:///elsewhere.db")
    monkeypatch.setenv("BIANMIN_GUARANTEE_PORT", "9999")
    monkeypatch.setenv("BIANMIN_INTERNAL_SECRET", "shared-by-every-process")
    settings = GuaranteeSettings()
    assert settings.database_url == "sqlite+aiosqlite:///elsewhere.db"
    assert settings.port == 9999
    assert settings.internal_secret.get_secret_value() == "shared-by-every-process"
