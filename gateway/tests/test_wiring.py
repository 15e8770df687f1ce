"""The gateway's wiring: health, readiness, metrics, settings, migrations and packaging."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from bianmin.gateway.app import create_app
from bianmin.gateway.models import Base
from bianmin.gateway.settings import GatewaySettings
from bianmin.kit.migrations import drift
from bianmin.testing.client import TEST_SECRET, running

ROOT = Path(__file__).resolve().parents[1]


async def test_health_readiness_and_metrics(
        settings: GatewaySettings, start_upstream: Any, open_gateway: Any, make_key: Any) -> None:
    _, catalog = start_upstream("catalog")
    async with open_gateway(settings.model_copy(update={"catalog_url": catalog.url})) as (app, client):
        health = await client.get("/healthz")
        ready = await client.get("/readyz")
        await client.get("/catalog/v1/public/echo")
        scraper = await make_key(app, ["metrics:read"])
        metrics = await client.get("/metrics", headers={"Authorization": f"Bearer {scraper}"})
    assert health.json() == {"status": "ok"}
    assert ready.status_code == 200
    body = ready.json()
    assert body["checks"] == {"database": "ok"}
    assert body["upstreams"]["catalog"] == {"url": catalog.url, "circuit": "closed", "health": "ok"}
    assert body["upstreams"]["queue"]["health"].startswith("down")
    assert "bianmin_http_requests_total" in metrics.text
    assert 'bianmin_gateway_upstream_seconds_count{method="GET",outcome="2xx",upstream="catalog"} 1.0' in metrics.text


async def test_the_gateway_is_unready_when_its_database_is_gone(tmp_path: Path, open_gateway: Any) -> None:
    not_a_file = tmp_path / "gateway.db"
    not_a_file.mkdir()
    broken = GatewaySettings(database_url=f"sqlite+aiosqlite:///{not_a_file}", internal_secret=TEST_SECRET,
                             probe_timeout_seconds=0.1)
    async with open_gateway(broken) as (_, client):
        ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["code"] == "not_ready"


async def test_the_gateway_refuses_to_start_without_the_internal_secret(tmp_path: Path) -> None:
    app = create_app(GatewaySettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/g.db"))
    with pytest.raises(RuntimeError, match="BIANMIN_INTERNAL_SECRET"):
        async with running(app):
            pass


@pytest.mark.parametrize("secret", ["short-but-random-7Hq2", "change-me-" * 4, "replace-with-64-hex-characters", "x" * 64])
async def test_the_gateway_refuses_to_start_with_a_short_or_placeholder_internal_secret(tmp_path: Path, secret: str) -> None:
    app = create_app(GatewaySettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/g.db", internal_secret=secret))
    with pytest.raises(RuntimeError, match="BIANMIN_INTERNAL_SECRET"):
        async with running(app):
            pass


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIANMIN_GATEWAY_QUEUE_URL", "http://queue.internal:9000/")
    monkeypatch.setenv("BIANMIN_GATEWAY_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.1")
    monkeypatch.setenv("BIANMIN_GATEWAY_RATE_LIMIT_STORAGE_URL", "redis://cache:6379/0")
    monkeypatch.setenv("BIANMIN_INTERNAL_SECRET", "shared-by-every-process")
    settings = GatewaySettings()
    assert settings.upstream_urls()["queue"] == "http://queue.internal:9000"
    assert settings.upstream_urls()["catalog"] == "http://127.0.0.1:8001"
    assert settings.upstream_urls()["credit"] == "http://127.0.0.1:8006"
    assert settings.trusted_proxies == ["10.0.0.0/8", "192.168.1.1"]
    assert settings.rate_limit_storage_url == "redis://cache:6379/0"
    assert settings.internal_secret.get_secret_value() == "shared-by-every-process"
    assert settings.port == 8000


def test_the_token_signing_secret_must_differ_from_the_internal_one() -> None:
    with pytest.raises(ValueError, match="differ"):
        GatewaySettings(internal_secret="same-secret-" * 4, token_signing_secret="same-secret-" * 4)


def test_migrations_match_the_models(settings: GatewaySettings) -> None:
    assert drift(settings.database_url, Base.metadata) == []


def test_every_package_is_listed_for_installation() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT / "src").parts) for p in (ROOT / "src").rglob("__init__.py")}
    found |= {"bianmin.gateway." + ".".join(p.parent.relative_to(ROOT).parts)
              for p in (ROOT / "migrations").rglob("__init__.py")}
    assert found == listed
