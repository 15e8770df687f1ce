"""The deployment files agree with the code: every app deployed, on its port, with real settings.

The compose file and the Kubernetes base are parsed as YAML and checked against the apps'
pydantic-settings models, and the probes against the routes in the exported OpenAPI documents
(which the contracts tests keep equal to the code). The settings are read in a separate
interpreter that imports every package from this checkout (this module, run as a script, is that
interpreter), so the check sees the code in the tree even where the environment holds an older
installed copy, and this test session's imports stay as they were.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, urlsplit

import pytest
import yaml

from bianmin.contracts.services import SERVICES

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
K8S = DEPLOY / "k8s"
CONTRACTS_OPENAPI = ROOT / "contracts" / "openapi"
GATEWAY = "gateway"
APPS = (GATEWAY, *SERVICES)
PROBES = ("/healthz", "/readyz")
# Settings with a development default that a production deployment must set.
PRODUCTION_SETTINGS = {
    GATEWAY: ("TOKEN_SIGNING_SECRET", "RATE_LIMIT_STORAGE_URL"),
    "guarantee": ("KEY_ENCRYPTION_SECRET",),
    "webhooks": ("SECRET_KEY",),
}
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
INTERPOLATION = re.compile(r"\$\{([A-Z0-9_]+)(?::?[-?][^}]*)?\}")


# --- facts from the code, gathered in a clean interpreter ------------------------------------------

def _env_names(prefix: str, name: str, field: Any) -> list[str]:
    """The environment variables pydantic-settings reads for a field, as it derives them."""
    from pydantic import AliasChoices

    alias = field.validation_alias if field.validation_alias is not None else field.alias
    if alias is None:
        return [f"{prefix}{name}".upper()]
    if isinstance(alias, str):
        return [alias.upper()]
    if isinstance(alias, AliasChoices):
        return [choice.upper() for choice in alias.choices if isinstance(choice, str)]
    return []


def _plain(value: Any) -> Any:
    from pydantic import SecretStr

    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(map(str, value))
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def gather_facts(environments: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Each app's settings and port, and what its settings load from each given environment."""
    sys.path.insert(0, str(ROOT / "tools"))
    from export_contracts import use_source_tree

    use_source_tree()
    sys.path.insert(0, str(ROOT / "tools"))
    from contracts_export import app_settings_class

    apps: dict[str, Any] = {}
    for name in APPS:
        try:
            settings_class = app_settings_class(name)
        except (ImportError, AttributeError) as exc:
            apps[name] = {"missing": repr(exc)}
            continue
        fields = settings_class.model_fields
        prefix = settings_class.model_config.get("env_prefix", "")
        apps[name] = {
            "env": {env: field_name for field_name, field in fields.items()
                    for env in _env_names(prefix, field_name, field)},
            "port": fields["port"].default,
            "events_enabled": fields["events_enabled"].default,
            "defaults": {field_name: field.default for field_name, field in fields.items()
                         if isinstance(field.default, int | float) and not isinstance(field.default, bool)},
        }

    from bianmin.kit.events.access import NATS_USERS, authorization_config, environment_reference, new_seed, public_key

    nats = {
        "users": list(NATS_USERS),
        "authorization": authorization_config({user: environment_reference(user) for user in NATS_USERS}),
        "public_keys": {environment_reference(user)[1:]: public_key(new_seed()) for user in NATS_USERS},
    }

    loaded: dict[str, Any] = {}
    for key, spec in environments.items():
        if "missing" in apps.get(spec["app"], {"missing": True}):
            continue
        settings_class = app_settings_class(spec["app"])
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(spec["env"])
        try:
            settings = settings_class()
            loaded[key] = {"fields": {name: _plain(getattr(settings, name)) for name in settings_class.model_fields}}
        except Exception as exc:
            loaded[key] = {"error": repr(exc)}
        finally:
            os.environ.clear()
            os.environ.update(saved)
    return {"apps": apps, "loaded": loaded, "nats": nats}


# --- the deployment files ----------------------------------------------------------------------------

@functools.cache
def _yaml(path: Path) -> list[Any]:
    return [doc for doc in yaml.load_all(path.read_text(encoding="utf-8"), Loader=Loader) if doc]


def _compose() -> dict[str, Any]:
    return _yaml(COMPOSE)[0]


def _kustomization() -> dict[str, Any]:
    return _yaml(K8S / "kustomization.yaml")[0]


def _k8s(kind: str) -> dict[str, dict[str, Any]]:
    documents = [doc for resource in _kustomization()["resources"] for doc in _yaml(K8S / resource)]
    return {doc["metadata"]["name"]: doc for doc in documents if doc["kind"] == kind}


def _example_secrets() -> dict[str, dict[str, str]]:
    return {doc["metadata"]["name"]: doc["stringData"] for doc in _yaml(K8S / "secrets.example.yaml")}


def _url(value: str) -> SplitResult:
    """A URL whose compose interpolations (``${VAR:?message}``) stand in as ``__VAR__``."""
    return urlsplit(INTERPOLATION.sub(lambda match: f"__{match.group(1)}__", value))


def _pod_spec(name: str) -> dict[str, Any]:
    return _k8s("Deployment")[name]["spec"]["template"]["spec"]


def _container_env(container: dict[str, Any]) -> dict[str, str]:
    """A Kubernetes container's environment: its ConfigMaps and Secrets (the example ones), then its own env."""
    config_maps, secrets = _k8s("ConfigMap"), _example_secrets()
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env.update(config_maps[source["configMapRef"]["name"]]["data"])
        else:
            env.update(secrets[source["secretRef"]["name"]])
    env.update({item["name"]: item.get("value", "") for item in container.get("env", [])})
    return env


DEFAULTED = re.compile(r"^\$\{[A-Z0-9_]+:-([^}]*)\}$")


def _compose_env(name: str) -> dict[str, str]:
    """A compose service's environment; ``${VAR:-default}`` stands as its default, what compose gives while VAR is unset."""
    return {key: DEFAULTED.sub(r"\1", str(value)) for key, value in _compose()["services"][name]["environment"].items()}


def _environments() -> dict[str, dict[str, Any]]:
    """Every environment an app gets in compose or Kubernetes, keyed by where it comes from."""
    environments = {f"compose:{name}": {"app": name, "env": _compose_env(name)} for name in APPS}
    for name in APPS:
        pod = _pod_spec(name)
        for container in pod.get("initContainers", []) + pod["containers"]:
            if not container["image"].startswith("bianmin/"):
                continue  # the gateway pod's edge proxy reads no Bianmin settings
            environments[f"k8s:{name}:{container['name']}"] = {"app": name, "env": _container_env(container)}
    return environments


@pytest.fixture(scope="module")
def facts() -> dict[str, Any]:
    result = subprocess.run([sys.executable, __file__], input=json.dumps(_environments()), capture_output=True,
                            text=True, timeout=120, check=False, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _app(facts: dict[str, Any], name: str) -> dict[str, Any]:
    app = facts["apps"][name]
    assert "missing" not in app, f"{name} has no settings class yet: {app.get('missing')}"
    return app


def _required(facts: dict[str, Any], name: str) -> set[str]:
    prefix = f"BIANMIN_{name.upper()}_"
    required = {f"{prefix}DATABASE_URL", "BIANMIN_INTERNAL_SECRET"}
    if _app(facts, name)["events_enabled"]:
        required |= {"BIANMIN_NATS_URL", "BIANMIN_STREAM_REPLICAS", f"{prefix}NATS_NKEY_SEED"}
    if name == GATEWAY:
        required |= {f"{prefix}{service.upper()}_URL" for service in SERVICES}
    return required | {prefix + setting for setting in PRODUCTION_SETTINGS.get(name, ())}


# --- every app, on its port ------------------------------------------------------------------------

def test_every_app_is_deployed_in_compose_and_in_kubernetes() -> None:
    assert set(APPS) <= set(_compose()["services"])
    assert set(APPS) <= set(_k8s("Deployment"))
    assert set(APPS) <= set(_k8s("Service"))
    assert set(APPS) <= set(_k8s("PodDisruptionBudget"))


@pytest.mark.parametrize("name", APPS)
def test_each_container_listens_on_the_port_its_settings_name(facts: dict[str, Any], name: str) -> None:
    port = _app(facts, name)["port"]
    service = _compose()["services"][name]
    assert f"127.0.0.1:{port}/healthz" in " ".join(service["healthcheck"]["test"])
    assert service["expose"] == [str(port)]
    assert "ports" not in service, f"{name} publishes a port: only the edge proxy may"

    pod = _pod_spec(name)
    (container,) = [c for c in pod["containers"] if c["name"] == name]
    assert container["ports"] == [{"name": "http", "containerPort": port}]
    (service_port,) = _k8s("Service")[name]["spec"]["ports"]
    # The gateway's Service sends public traffic to its pod's edge proxy (checked below).
    assert service_port == {"name": "http", "port": port, "targetPort": "edge" if name == GATEWAY else "http"}


@pytest.mark.parametrize("name", APPS)
def test_each_dockerfile_exists_runs_as_non_root_and_exposes_the_port(facts: dict[str, Any], name: str) -> None:
    port = _app(facts, name)["port"]
    build = _compose()["services"][name]["build"]
    assert (COMPOSE.parent / build["context"]).resolve() == ROOT, "images build from the repository root"
    dockerfile = ROOT / build["dockerfile"]
    assert dockerfile.is_file(), f"{build['dockerfile']} does not exist"
    lines = [line.split() for line in dockerfile.read_text(encoding="utf-8").splitlines() if line.strip()]
    users = [words[1] for words in lines if words[0] == "USER"]
    assert users, f"{build['dockerfile']} has no USER line"
    assert users[-1].split(":")[0] not in {"root", "0"}
    assert [words[1:] for words in lines if words[0] == "EXPOSE"] == [[str(port)]]
    port_settings = [word for words in lines if words[0] == "ENV" for word in words[1:] if re.match(r"BIANMIN_\w+_PORT=", word)]
    assert port_settings in ([], [f"BIANMIN_{name.upper()}_PORT={port}"])
    assert _compose()["services"][name]["image"] == f"bianmin/{name}:dev"
    assert _pod_spec(name)["containers"][0]["image"] == f"bianmin/{name}"


# --- settings ------------------------------------------------------------------------------------------

def test_every_variable_set_is_a_settings_field_that_loads_it(facts: dict[str, Any]) -> None:
    environments = _environments()
    for key, spec in environments.items():
        accepted = _app(facts, spec["app"])["env"]
        loaded = facts["loaded"][key]
        assert "error" not in loaded, f"{key}: the settings refuse this environment: {loaded.get('error')}"
        for variable, value in spec["env"].items():
            assert variable.startswith("BIANMIN_"), f"{key}: {variable} is not a Bianmin variable"
            assert variable in accepted, f"{key}: {variable} is not a setting of {spec['app']}"
            assert str(loaded["fields"][accepted[variable]]) == value, f"{key}: {variable} is not what the settings read"


def test_the_required_settings_are_set_everywhere(facts: dict[str, Any]) -> None:
    for key, spec in _environments().items():
        missing = _required(facts, spec["app"]) - set(spec["env"])
        assert not missing, f"{key} lacks {sorted(missing)}"


def test_secrets_come_from_outside_the_repository() -> None:
    for name in APPS:
        env = _compose_env(name)
        for variable, value in env.items():
            if variable.endswith("SECRET"):
                assert INTERPOLATION.fullmatch(value), f"compose {name}: {variable} must come from deploy/.env"
        assert INTERPOLATION.search(env[f"BIANMIN_{name.upper()}_DATABASE_URL"])
    interpolated = set(INTERPOLATION.findall(COMPOSE.read_text(encoding="utf-8")))
    example = {line.split("=", 1)[0] for line in (DEPLOY / "env.example").read_text(encoding="utf-8").splitlines()
               if line and not line.startswith("#")}
    assert interpolated == example, "deploy/env.example names exactly the variables compose interpolates"
    assert ".env" in (DEPLOY / ".gitignore").read_text(encoding="utf-8").split()

    assert "secrets.example.yaml" not in _kustomization()["resources"]
    assert not _k8s("Secret"), "the base ships no Secret: nothing may start on placeholder values"
    for name, data in _example_secrets().items():
        for variable, value in data.items():
            assert "replace" in value, f"secrets.example.yaml {name}.{variable} looks like a real value"
    workloads = [*_k8s("Deployment").values(), *_k8s("StatefulSet").values()]
    referenced = {source["secretRef"]["name"] for workload in workloads
                  for container in workload["spec"]["template"]["spec"]["containers"]
                  for source in container.get("envFrom", []) if "secretRef" in source}
    assert referenced == set(_example_secrets())


def test_the_gateway_reaches_each_service_where_it_listens(facts: dict[str, Any]) -> None:
    gateway_envs = [_compose_env(GATEWAY), _container_env(_pod_spec(GATEWAY)["containers"][0])]
    for env in gateway_envs:
        for service in SERVICES:
            url = urlsplit(env[f"BIANMIN_GATEWAY_{service.upper()}_URL"])
            assert (url.scheme, url.hostname, url.port) == ("http", service, _app(facts, service)["port"])
        assert urlsplit(env["BIANMIN_GATEWAY_RATE_LIMIT_STORAGE_URL"]).hostname == "redis"
    assert "redis" in _compose()["services"]
    assert "redis" in _k8s("Service")


# --- the edge proxy in front of the gateway ---------------------------------------------------------

EDGE_CONFIGS = {"compose": DEPLOY / "edge" / "nginx.conf", "k8s": K8S / "edge" / "nginx.conf"}
_DIRECTIVE = re.compile(r"^\s*([a-z_]+)\s+([^;{]*?)\s*;", re.MULTILINE)
_SIZE = {"": 1, "k": 1024, "m": 1024 * 1024}


_UPSTREAM = re.compile(r"upstream gateway \{([^}]*)\}")


def _directives(config: Path) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The nginx directives of a file outside and inside its ``upstream gateway`` block, with their arguments."""
    text = re.sub(r"#[^\n]*", "", config.read_text(encoding="utf-8"))
    (upstream,) = _UPSTREAM.findall(text)
    outside = _UPSTREAM.sub("", text)
    return ({name: args.split() for name, args in _DIRECTIVE.findall(outside)},
            {name: args.split() for name, args in _DIRECTIVE.findall(upstream)})


def _seconds(value: str) -> float:
    match = re.fullmatch(r"(\d+)(ms|s|m)?", value)
    assert match, f"not an nginx time: {value}"
    return int(match.group(1)) * {"ms": 0.001, "s": 1, "m": 60, None: 1}[match.group(2)]


def _bytes(value: str) -> int:
    match = re.fullmatch(r"(\d+)([kKmM]?)", value)
    assert match, f"not an nginx size: {value}"
    return int(match.group(1)) * _SIZE[match.group(2).lower()]


def _edge_upstream(config: Path) -> str:
    (server,) = re.findall(r"upstream gateway \{[^}]*?server ([\w.:-]+);", config.read_text(encoding="utf-8"))
    return server


def test_public_traffic_reaches_the_gateway_only_through_the_edge_proxy(facts: dict[str, Any]) -> None:
    port = _app(facts, GATEWAY)["port"]
    # Compose: the edge alone publishes a port, proxies to the gateway, and is the gateway's one trusted proxy.
    services = _compose()["services"]
    edge = services["edge"]
    assert [name for name, service in services.items() if "ports" in service] == ["edge"]
    assert edge["ports"] == [f"{port}:8080"]
    assert "./edge/nginx.conf:/etc/nginx/nginx.conf:ro" in edge["volumes"]
    assert "listen 8080;" in EDGE_CONFIGS["compose"].read_text(encoding="utf-8")
    assert _edge_upstream(EDGE_CONFIGS["compose"]) == f"{GATEWAY}:{port}"
    edge_address = edge["networks"]["edge"]["ipv4_address"]
    (subnet,) = [entry["subnet"] for entry in _compose()["networks"]["edge"]["ipam"]["config"]]
    assert ipaddress.ip_address(edge_address) in ipaddress.ip_network(subnet)
    assert _compose_env(GATEWAY)["BIANMIN_GATEWAY_TRUSTED_PROXIES"] == edge_address
    assert set(services[GATEWAY]["networks"]) == {"default", "edge"}
    on_edge = {name for name, service in services.items() if "edge" in (service.get("networks") or {})}
    assert on_edge == {"edge", GATEWAY}, "only the edge and the gateway share the edge network"

    # Kubernetes: the edge is a sidecar of the gateway's pod; the Service reaches the sidecar only.
    pod = _pod_spec(GATEWAY)
    (sidecar,) = [c for c in pod["containers"] if c["name"] == "edge"]
    assert sidecar["ports"] == [{"name": "edge", "containerPort": 8080}]
    assert "listen 8080;" in EDGE_CONFIGS["k8s"].read_text(encoding="utf-8")
    assert _edge_upstream(EDGE_CONFIGS["k8s"]) == f"127.0.0.1:{port}"
    (generator,) = [g for g in _kustomization()["configMapGenerator"] if g["name"] == "edge-config"]
    assert generator["files"] == ["nginx.conf=edge/nginx.conf"]
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    mounts = {mount["mountPath"]: mount for mount in sidecar["volumeMounts"]}
    assert volumes[mounts["/etc/nginx/nginx.conf"]["name"]]["configMap"]["name"] == "edge-config"
    gateway_env = _container_env(next(c for c in pod["containers"] if c["name"] == GATEWAY))
    assert gateway_env["BIANMIN_GATEWAY_TRUSTED_PROXIES"] == "127.0.0.1"
    assert gateway_env["BIANMIN_GATEWAY_REPLICAS"] == str(_k8s("Deployment")[GATEWAY]["spec"]["replicas"])


@pytest.mark.parametrize("where", sorted(EDGE_CONFIGS))
def test_the_edge_proxy_holds_slow_idle_and_oversized_clients_to_the_gateways_limits(
        facts: dict[str, Any], where: str) -> None:
    gateway = _app(facts, GATEWAY)["defaults"]
    edge, upstream = _directives(EDGE_CONFIGS[where])
    assert _seconds(edge["client_header_timeout"][0]) <= gateway["http_header_timeout_seconds"]
    assert _seconds(edge["client_body_timeout"][0]) <= gateway["http_body_timeout_seconds"]
    assert _seconds(edge["keepalive_timeout"][0]) <= gateway["http_idle_timeout_seconds"]
    assert _seconds(edge["send_timeout"][0]) <= 60
    count, size = edge["large_client_header_buffers"]
    assert int(count) * _bytes(size) <= gateway["http_max_header_bytes"]
    assert _bytes(edge["client_max_body_size"][0]) <= gateway["max_body_bytes"]
    assert edge["limit_conn_zone"][0] == "$binary_remote_addr"
    zone = edge["limit_conn_zone"][1].removeprefix("zone=").split(":")[0]
    assert edge["limit_conn"][0] == zone
    assert 1 <= int(edge["limit_conn"][1]) <= gateway["http_max_connections_per_client"]
    assert edge["limit_conn_status"] == ["429"]
    # Upstream: the edge drops idle connections before the gateway does, and never cuts what the gateway still waits for.
    assert int(upstream["keepalive"][0]) >= 1
    assert _seconds(upstream["keepalive_timeout"][0]) < gateway["http_idle_timeout_seconds"]
    assert _seconds(edge["proxy_connect_timeout"][0]) <= 5
    assert _seconds(edge["proxy_send_timeout"][0]) <= 60
    assert _seconds(edge["proxy_read_timeout"][0]) > gateway["stream_read_timeout_seconds"]
    assert edge["proxy_buffering"] == ["off"], "server-sent events must pass through"
    text = EDGE_CONFIGS[where].read_text(encoding="utf-8")
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in text


@pytest.mark.parametrize("where", sorted(EDGE_CONFIGS))
def test_the_edge_configuration_is_valid(where: str, tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if nginx is None:
        pytest.skip("nginx is not installed")
    # The compose upstream's name resolves only inside compose's network.
    config = tmp_path / "nginx.conf"
    config.write_text(EDGE_CONFIGS[where].read_text(encoding="utf-8").replace("server gateway:", "server 127.0.0.1:"))
    result = subprocess.run([nginx, "-t", "-q", "-c", str(config), "-p", str(tmp_path)], capture_output=True, text=True,
                            timeout=30, check=False)
    assert result.returncode == 0, result.stderr + result.stdout


# --- health ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", APPS)
def test_probes_use_the_health_routes_the_app_serves(name: str) -> None:
    # The exported OpenAPI document lists the app's routes; the contracts tests keep it equal to the code.
    document = CONTRACTS_OPENAPI / f"{name}.json"
    assert document.is_file(), f"{document.relative_to(ROOT)} is missing: run make contracts"
    paths = json.loads(document.read_text(encoding="utf-8"))["paths"]
    for probe in PROBES:
        assert "get" in paths.get(probe, {}), f"{name} does not serve GET {probe}"
    (container,) = [c for c in _pod_spec(name)["containers"] if c["name"] == name]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}


def test_compose_starts_each_container_after_what_it_needs_is_healthy() -> None:
    services = _compose()["services"]
    for name, service in services.items():
        for dependency, condition in service.get("depends_on", {}).items():
            assert condition == {"condition": "service_healthy"}, f"{name} → {dependency}"
            assert "healthcheck" in services[dependency], f"{name} waits for {dependency}, which has no healthcheck"
    for name in SERVICES:
        assert {"postgres", "nats-1", "nats-2", "nats-3"} <= set(services[name]["depends_on"])
    assert {*SERVICES, "postgres", "redis"} <= set(services[GATEWAY]["depends_on"])


# --- PostgreSQL -------------------------------------------------------------------------------------------

def test_each_app_has_its_own_database_which_the_init_script_creates() -> None:
    init = (DEPLOY / "postgres" / "init.sql").read_text(encoding="utf-8")
    created = dict(re.findall(r"CREATE DATABASE (\w+) OWNER (\w+);", init))
    roles = re.findall(r"CREATE ROLE (\w+) LOGIN PASSWORD :'(\w+)';", init)
    password_env = dict(re.findall(r"\\getenv (\w+) (\w+)", init))
    postgres = _compose()["services"]["postgres"]
    assert "./postgres/init.sql:/docker-entrypoint-initdb.d/10-bianmin.sql:ro" in postgres["volumes"]
    databases = set()
    for name in APPS:
        url = _url(_compose_env(name)[f"BIANMIN_{name.upper()}_DATABASE_URL"])
        assert url.scheme == "postgresql+asyncpg"
        assert url.hostname == "postgres"
        database, role = url.path.lstrip("/"), url.username
        assert created.get(database) == role, f"init.sql does not create {database} owned by {role}"
        password_variable = (url.password or "").strip("_")
        assert url.password == f"__{password_variable}__", f"{name}'s database password must come from deploy/.env"
        (sql_variable,) = [variable for r, variable in roles if r == role]
        assert password_env[sql_variable] == password_variable
        assert password_variable in postgres["environment"]
        databases.add(database)
    assert len(databases) == len(APPS)


# --- NATS -----------------------------------------------------------------------------------------------------

def _routes(config: Path) -> list[str]:
    return re.findall(r"nats://([\w.-]+):6222", config.read_text(encoding="utf-8"))


def _store_dir(config: Path) -> str:
    return re.search(r"store_dir:\s*(\S+)", config.read_text(encoding="utf-8")).group(1)


def test_compose_runs_a_three_node_jetstream_cluster() -> None:
    services = _compose()["services"]
    nodes = ["nats-1", "nats-2", "nats-3"]
    config = DEPLOY / "nats" / "nats.conf"
    assert _routes(config) == nodes
    for node in nodes:
        service = services[node]
        assert service["environment"]["SERVER_NAME"] == node
        mounts = dict(volume.split(":")[:2] for volume in service["volumes"])
        assert mounts["./nats/nats.conf"] == "/etc/nats/nats.conf"
        assert mounts["./nats/auth.conf"] == "/etc/nats/auth.conf"
        assert _store_dir(config).startswith(mounts[f"{node}-data"])
        assert f"{node}-data" in _compose()["volumes"]
    for name in SERVICES:
        servers = [urlsplit(url) for url in _compose_env(name)["BIANMIN_NATS_URL"].split(",")]
        assert [(url.scheme, url.hostname, url.port) for url in servers] == [("nats", node, 4222) for node in nodes]
        assert _compose_env(name)["BIANMIN_STREAM_REPLICAS"] == str(len(nodes))


def test_kubernetes_runs_a_three_node_jetstream_cluster() -> None:
    statefulset = _k8s("StatefulSet")["nats"]
    spec = statefulset["spec"]
    headless = _k8s("Service")[spec["serviceName"]]
    assert headless["spec"]["clusterIP"] == "None"
    assert headless["spec"]["publishNotReadyAddresses"] is True
    assert spec["replicas"] == 3
    assert spec["podManagementPolicy"] == "Parallel"
    pods = [f"nats-{n}.{spec['serviceName']}" for n in range(spec["replicas"])]
    config = K8S / "nats" / "nats.conf"
    assert _routes(config) == pods
    (generator,) = [g for g in _kustomization()["configMapGenerator"] if g["name"] == "nats-config"]
    assert generator["files"] == ["nats.conf=nats/nats.conf", "auth.conf=nats/auth.conf"]
    (container,) = spec["template"]["spec"]["containers"]
    mounts = {mount["name"]: mount["mountPath"] for mount in container["volumeMounts"]}
    assert mounts["config"] == "/etc/nats"
    assert _store_dir(config).startswith(mounts["data"])
    assert [claim["metadata"]["name"] for claim in spec["volumeClaimTemplates"]] == ["data"]
    assert container["env"][0]["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.name"}}
    events = _k8s("ConfigMap")["bianmin-events"]["data"]
    servers = [urlsplit(url) for url in events["BIANMIN_NATS_URL"].split(",")]
    assert [(url.scheme, url.hostname, url.port) for url in servers] == [("nats", pod, 4222) for pod in pods]
    assert events["BIANMIN_STREAM_REPLICAS"] == "3"


def _nats_server() -> str:
    server = shutil.which("nats-server") or shutil.which("nats-server", path=str(Path(sys.executable).parent))
    if server is None:
        pytest.skip("nats-server is not installed")
    return server


NATS_CONFIGS = [DEPLOY / "nats" / "nats.conf", K8S / "nats" / "nats.conf"]


@pytest.mark.parametrize("config", NATS_CONFIGS, ids=["compose", "k8s"])
def test_the_nats_configuration_is_valid(facts: dict[str, Any], config: Path) -> None:
    result = subprocess.run([_nats_server(), "-c", str(config), "-t"], capture_output=True, text=True, timeout=30,
                            check=False, env={**os.environ, "SERVER_NAME": "nats-test", **facts["nats"]["public_keys"]})
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize("config", NATS_CONFIGS, ids=["compose", "k8s"])
def test_nats_refuses_to_start_on_placeholder_or_missing_user_keys(facts: dict[str, Any], config: Path) -> None:
    placeholders = dict.fromkeys(facts["nats"]["public_keys"], "replace-with-the-public-key")
    for env in (placeholders, {}):
        result = subprocess.run([_nats_server(), "-c", str(config), "-t"], capture_output=True, text=True, timeout=30,
                                check=False, env={"PATH": os.environ.get("PATH", ""), "SERVER_NAME": "nats-test", **env})
        assert result.returncode != 0, f"nats-server accepted {config} with {'placeholder' if env else 'no'} user keys"


# --- NATS authentication (issue 17, finding 3) ---------------------------------------------------------------------

def test_the_nats_authorization_is_the_one_generated_from_the_contracts(facts: dict[str, Any]) -> None:
    for config in NATS_CONFIGS:
        auth = config.parent / "auth.conf"
        assert auth.read_text(encoding="utf-8") == facts["nats"]["authorization"], (
            f"{auth.relative_to(ROOT)} differs from the contracts: run make contracts")
        assert re.search(r"^include\s+\"?auth\.conf\"?\s*$", config.read_text(encoding="utf-8"), re.MULTILINE), config
        assert "no_auth_user" not in config.read_text(encoding="utf-8")


def test_each_service_holds_its_own_nats_seed_and_nats_the_public_keys(facts: dict[str, Any]) -> None:
    users = facts["nats"]["users"]
    public = {f"NKEY_{user.upper()}" for user in users}
    services = _compose()["services"]
    for node in ("nats-1", "nats-2", "nats-3"):
        environment = services[node]["environment"]
        assert set(environment) == {"SERVER_NAME", *public}, node
        for variable in public:
            assert environment[variable] == f"${{{variable}:?set {variable} in deploy/.env}}"
    statefulset = _k8s("StatefulSet")["nats"]["spec"]["template"]["spec"]
    (container,) = statefulset["containers"]
    assert public <= set(_container_env(container)), "the NATS pods read every user's public key from a Secret"
    for name in APPS:
        own = f"BIANMIN_{name.upper()}_NATS_NKEY_SEED"
        environments = [_compose_env(name)] + [_container_env(c) for c in _pod_spec(name)["containers"]]
        for env in environments:
            seeds = {variable for variable in env if "NKEY" in variable}
            assert seeds == ({own} if name in SERVICES else set()), f"{name} holds {sorted(seeds)}"
        if name in SERVICES:
            assert INTERPOLATION.fullmatch(_compose_env(name)[own]), f"compose {name}: {own} must come from deploy/.env"


# --- network policies -------------------------------------------------------------------------------------------------

def _policies() -> dict[str, dict[str, Any]]:
    return _k8s("NetworkPolicy")


def _admits(policy: dict[str, Any], labels: dict[str, str], port: int | str) -> bool:
    """Whether one of a policy's ingress rules admits a pod with ``labels`` (in the namespace) on ``port``."""
    for rule in policy["spec"].get("ingress", []):
        ports = [p.get("port") for p in rule.get("ports", [])]
        if ports and port not in ports:
            continue
        sources = rule.get("from")
        if sources is None:
            return True
        for source in sources:
            if set(source) != {"podSelector"}:
                continue
            wanted = source["podSelector"].get("matchLabels", {})
            if all(labels.get(key) == value for key, value in wanted.items()):
                return True
    return False


def _selects(policy: dict[str, Any], labels: dict[str, str]) -> bool:
    wanted = policy["spec"]["podSelector"].get("matchLabels", {})
    return all(labels.get(key) == value for key, value in wanted.items())


def _pod_labels(kind: str, name: str) -> dict[str, str]:
    return _k8s(kind)[name]["spec"]["template"]["metadata"]["labels"]


def _reachable(target: dict[str, str], source: dict[str, str], port: int | str) -> bool:
    """Whether the namespace's policies let ``source`` reach ``target`` on ``port`` (no policy: open)."""
    selecting = [p for p in _policies().values() if _selects(p, target) and "Ingress" in p["spec"]["policyTypes"]]
    return not selecting or any(_admits(p, source, port) for p in selecting)


def test_only_the_services_reach_nats_and_only_the_gateway_reaches_the_services() -> None:
    default = [p for p in _policies().values() if p["spec"]["podSelector"] == {}]
    assert default, "a default deny of ingress"
    assert all(not p["spec"].get("ingress") for p in default), "the default policy admits nothing"
    nats = _pod_labels("StatefulSet", "nats")
    gateway = _pod_labels("Deployment", GATEWAY)
    redis = _pod_labels("Deployment", "redis")
    outsider = {"app.kubernetes.io/name": "intruder"}
    for name in SERVICES:
        service = _pod_labels("Deployment", name)
        assert _reachable(nats, service, "client"), f"{name} cannot reach NATS"
        assert _reachable(service, gateway, "http"), f"the gateway cannot reach {name}"
        for other in [outsider, nats, redis, *(_pod_labels("Deployment", s) for s in SERVICES)]:
            assert not _reachable(service, other, "http"), f"{other} reaches {name}"
    for other in (gateway, redis, outsider):
        assert not _reachable(nats, other, "client"), f"{other} reaches NATS"
    assert _reachable(nats, nats, "cluster"), "the NATS nodes route to each other"
    assert not _reachable(nats, _pod_labels("Deployment", "credit"), "cluster")
    assert _reachable(redis, gateway, "redis")
    assert not _reachable(redis, outsider, "redis")
    assert _reachable(gateway, outsider, "http"), "the gateway is the platform's door"


# --- Kubernetes hygiene -------------------------------------------------------------------------------------------

def test_pods_run_as_non_root_with_requests_and_limits() -> None:
    workloads = [*_k8s("Deployment").values(), *_k8s("StatefulSet").values()]
    for workload in workloads:
        name = workload["metadata"]["name"]
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["enableServiceLinks"] is False, f"{name}: service links inject variables settings may read"
        assert pod["automountServiceAccountToken"] is False, name
        for container in pod.get("initContainers", []) + pod["containers"]:
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]), f"{name}/{container['name']}"
            assert "memory" in resources["limits"], f"{name}/{container['name']}"
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    for name in APPS:
        deployment = _k8s("Deployment")[name]
        assert deployment["spec"]["replicas"] == 2
        pod = deployment["spec"]["template"]["spec"]
        (migrate,) = pod["initContainers"]
        assert migrate["command"] == [f"bianmin-{name}", "migrate"]
        assert pod["containers"][0]["command"] == [f"bianmin-{name}", "serve", "--no-migrate"]
        assert deployment["spec"]["selector"]["matchLabels"] == _k8s("Service")[name]["spec"]["selector"]


def test_the_kustomize_base_builds() -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed")
    result = subprocess.run([kubectl, "kustomize", str(K8S)], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    built = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    assert {doc["metadata"].get("namespace", "bianmin") for doc in built} == {"bianmin"}
    assert {(doc["kind"], doc["metadata"]["name"]) for doc in built} >= {("Deployment", name) for name in APPS}


if __name__ == "__main__":
    print(json.dumps(gather_facts(json.load(sys.stdin))))
