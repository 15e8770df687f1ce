"""One OpenAPI document for the whole platform, merged from the gateway's and each service's own.

Each service's ``/v1/...`` paths appear under ``/<service>/v1/...`` as the gateway routes them;
its components are renamed ``<service>__<Name>`` (every ``$ref`` and discriminator mapping is
rewritten to match) so that two services' ``ItemRead`` never clash; operation ids and tags are
prefixed the same way. Service routes other than ``/v1`` (health, metrics) are not routed and
are left out. A service's own security schemes are dropped, since clients authenticate to the
gateway: routes a service declares public keep anonymous access, the rest name the gateway's
credentials. Services that could not be fetched are listed in ``x-bianmin-missing``. Every routed
operation also lists the refusals the gateway itself may answer in front of it (429, 503, 504, and
413 where it takes a body), and every error is documented as ``application/problem+json``.
"""

from __future__ import annotations

import copy
from typing import Any

from bianmin.kit.errors import PROBLEM_JSON, PROBLEM_REF, document_problems

PUBLIC_EXTRA = "x-bianmin-public"
MISSING_EXTRA = "x-bianmin-missing"
METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
# What the gateway answers for any routed operation, whatever the service documents.
GATEWAY_REFUSALS = {
    "429": "Too many requests: the key, client or address passed its rate limit (see Retry-After).",
    "503": "Service unavailable: the service or its database is down, or its circuit is open (see Retry-After).",
    "504": "Gateway timeout: the service did not answer in time.",
}
BODY_REFUSALS = {"413": "Content too large: the body is over the configured limit."}
COMPONENT_SECTIONS = ("schemas", "responses", "parameters", "examples", "requestBodies", "headers",
                      "links", "callbacks", "pathItems")


def namespaced(service: str, name: str) -> str:
    """The merged document's name of a service's component."""
    return f"{service}__{name}"


def _rewrite_ref(service: str, ref: str) -> str:
    parts = ref.split("/")
    if len(parts) == 4 and parts[:2] == ["#", "components"]:
        return "/".join([*parts[:3], namespaced(service, parts[3])])
    return ref


def rewrite_refs(service: str, node: Any) -> Any:
    """A copy of ``node`` with every local component reference pointing at the namespaced name."""
    if isinstance(node, list):
        return [rewrite_refs(service, item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            out[key] = _rewrite_ref(service, value)
        elif key == "discriminator" and isinstance(value, dict) and isinstance(value.get("mapping"), dict):
            out[key] = {**value, "mapping": {k: _rewrite_ref(service, v) if isinstance(v, str) else v
                                             for k, v in value["mapping"].items()}}
        else:
            out[key] = rewrite_refs(service, value)
    return out


def _operation(service: str, operation: dict[str, Any], security: list[dict[str, list[str]]]) -> dict[str, Any]:
    op = rewrite_refs(service, operation)
    if "operationId" in op:
        op["operationId"] = namespaced(service, str(op["operationId"]))
    op["tags"] = [f"{service}: {tag}" for tag in op.get("tags", [])] or [service]
    # Clients authenticate to the gateway, never to a service: its own security (the internal
    # identity header, if it declares one) is replaced by the gateway's.
    op.pop("security", None)
    if security:
        op["security"] = [{}, *security] if op.get(PUBLIC_EXTRA) else security
    responses = op.setdefault("responses", {})
    for status, description in {**GATEWAY_REFUSALS, **(BODY_REFUSALS if "requestBody" in op else {})}.items():
        responses.setdefault(status, {"description": description, "content": {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}}})
    return op


def service_part(service: str, document: dict[str, Any],
                 security: list[dict[str, list[str]]]) -> tuple[dict[str, Any], dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """A service's routed paths, its namespaced components and its tags, ready to be merged."""
    paths: dict[str, Any] = {}
    for path, item in (document.get("paths") or {}).items():
        if not (path == "/v1" or path.startswith("/v1/")):
            continue
        merged_item: dict[str, Any] = {}
        for key, value in item.items():
            if key in METHODS and isinstance(value, dict):
                merged_item[key] = _operation(service, value, security)
            else:
                merged_item[key] = rewrite_refs(service, value)
        paths[f"/{service}{path}"] = merged_item
    components: dict[str, dict[str, Any]] = {}
    for section in COMPONENT_SECTIONS:
        entries = (document.get("components") or {}).get(section) or {}
        if entries:
            components[section] = {namespaced(service, name): rewrite_refs(service, value) for name, value in entries.items()}
    info = document.get("info") or {}
    used = sorted({tag for item in paths.values() for op in item.values() if isinstance(op, dict)
                   for tag in op.get("tags", [])})
    described = {t.get("name"): t.get("description") for t in document.get("tags") or [] if isinstance(t, dict)}
    tags = []
    for tag in used:
        plain = tag.split(": ", 1)[1] if ": " in tag else None
        description = described.get(plain) if plain else info.get("title")
        tags.append({"name": tag, **({"description": description} if description else {})})
    return paths, components, tags


def merge(gateway: dict[str, Any], services: dict[str, dict[str, Any]], missing: list[str],
          security: list[dict[str, list[str]]]) -> dict[str, Any]:
    """The platform's document: the gateway's own plus every fetched service's, listing the missing ones."""
    merged = copy.deepcopy(gateway)
    merged.setdefault("paths", {})
    components: dict[str, dict[str, Any]] = merged.setdefault("components", {})
    tags: list[dict[str, Any]] = list(merged.get("tags") or [])
    for service in sorted(services):
        paths, parts, service_tags = service_part(service, services[service], security)
        merged["paths"].update(paths)
        for section, entries in parts.items():
            components.setdefault(section, {}).update(entries)
        tags.extend(service_tags)
    if tags:
        merged["tags"] = tags
    merged[MISSING_EXTRA] = sorted(missing)
    document_problems(merged)  # the gateway's refusals point at its own Problem schema: make sure it is there
    if missing:
        note = f"\n\nNot included (service unreachable when this document was built): {', '.join(sorted(missing))}."
        merged.setdefault("info", {})["description"] = (merged["info"].get("description") or "") + note
    return merged
