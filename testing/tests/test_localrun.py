"""The local platform's environment: what it allows on top of a deployment's defaults, and why."""

from __future__ import annotations

from pathlib import Path

import pytest

from bianmin.testing.localrun import LOCAL_ALLOWED_NETWORKS, free_layout


def test_the_local_platform_lets_webhooks_reach_loopback_unless_told_otherwise(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    layout = free_layout(tmp_path, "nats://127.0.0.1:4222")
    monkeypatch.delenv("BIANMIN_WEBHOOKS_ALLOWED_NETWORKS", raising=False)
    assert layout.env("webhooks")["BIANMIN_WEBHOOKS_ALLOWED_NETWORKS"] == LOCAL_ALLOWED_NETWORKS == "127.0.0.0/8,::1/128"
    assert "BIANMIN_WEBHOOKS_ALLOWED_NETWORKS" not in layout.env("queue")
    monkeypatch.setenv("BIANMIN_WEBHOOKS_ALLOWED_NETWORKS", "")
    assert layout.env("webhooks")["BIANMIN_WEBHOOKS_ALLOWED_NETWORKS"] == ""


def test_the_local_platform_serves_the_demo_district_unless_told_otherwise(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    layout = free_layout(tmp_path, "nats://127.0.0.1:4222")
    monkeypatch.delenv("BIANMIN_CATALOG_DISTRICTS", raising=False)
    assert layout.env("catalog")["BIANMIN_CATALOG_DISTRICTS"] == "330199"
    assert "BIANMIN_CATALOG_DISTRICTS" not in layout.env("queue")
    monkeypatch.setenv("BIANMIN_CATALOG_DISTRICTS", "330199,320583")
    assert layout.env("catalog")["BIANMIN_CATALOG_DISTRICTS"] == "330199,320583"
