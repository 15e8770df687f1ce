"""The services are named once (``bianmin.contracts.services``), and everything that lists them reads it."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

from bianmin.contracts.registry import MODULES
from bianmin.contracts.services import SERVICES
from bianmin.gateway.settings import GatewaySettings
from bianmin.testing.localrun import PROCESSES

ROOT = Path(__file__).resolve().parents[1]
LITERAL_LIST = re.compile(r"""^\s*[A-Z_]*SERVICES\s*[:=][^=]*\(\s*["']catalog["']""", re.M)


def test_every_service_is_a_folder_with_contracts() -> None:
    assert tuple(MODULES) == SERVICES
    assert {p.name.removeprefix("svc-") for p in ROOT.glob("svc-*") if (p / "pyproject.toml").exists()} == set(SERVICES)


def test_the_gateway_routes_and_the_local_runner_starts_each_service() -> None:
    assert set(GatewaySettings().upstream_urls()) == set(SERVICES)
    upstream_fields = {name.removesuffix("_url") for name, field in GatewaySettings.model_fields.items()
                       if name.endswith("_url") and str(field.default).startswith("http://")}
    assert upstream_fields == set(SERVICES), "each service needs its URL setting, and only a service has one"
    assert (*SERVICES, "gateway") == PROCESSES


def test_the_makefile_installs_and_the_tests_cover_each_service() -> None:
    planned = subprocess.run(["make", "-n", "--always-make", "install"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout
    assert {f"-e ./svc-{name}" for name in SERVICES} <= set(re.findall(r"-e \./svc-[a-z]+", planned))
    assert set(re.findall(r"-e \./svc-([a-z]+)", planned)) == set(SERVICES)
    testpaths = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["testpaths"]
    assert {p.split("/")[0].removeprefix("svc-") for p in testpaths if p.startswith("svc-")} == set(SERVICES)


def test_no_other_module_keeps_a_list_of_its_own() -> None:
    sources = [p for folder in ("kit", "testing", "gateway", "contracts", "tools", "bench", "tests", *(f"svc-{s}" for s in SERVICES))
               for p in (ROOT / folder).rglob("*.py") if ".venv" not in p.parts]
    keeping = [str(p.relative_to(ROOT)) for p in sources if LITERAL_LIST.search(p.read_text(encoding="utf-8"))]
    assert keeping == []
