"""The generated contract documents: complete, valid, and equal to what the code produces now."""

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bianmin.contracts.registry import EVENTS, MODULES, consumers_of, dead_letter_subject

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import contracts_export as export  # noqa: E402

CONTRACTS = ROOT / "contracts"
TOOL = ROOT / "tools" / "export_contracts.py"
COMPONENT_KEY = re.compile(r"^[\w.\-]+$")
REGENERATE = "run make contracts and commit the result"
# The fixed fields AsyncAPI 3.0 allows on each object (besides x- extensions).
ALLOWED = {
    "document": {"asyncapi", "id", "info", "servers", "defaultContentType", "channels", "operations", "components"},
    "info": {"title", "version", "description", "termsOfService", "contact", "license", "tags", "externalDocs"},
    "channel": {"address", "messages", "title", "summary", "description", "servers", "parameters", "tags",
                "externalDocs", "bindings"},
    "parameter": {"enum", "default", "description", "examples", "location"},
    "operation": {"action", "channel", "title", "summary", "description", "security", "tags", "externalDocs",
                  "bindings", "traits", "messages", "reply"},
    "message": {"headers", "payload", "correlationId", "contentType", "name", "title", "summary", "description",
                "tags", "externalDocs", "bindings", "examples", "traits", "deprecated"},
}


@pytest.fixture(scope="module")
def asyncapi() -> dict[str, Any]:
    return export.asyncapi_document()


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def _resolve(document: Any, ref: str) -> Any:
    assert ref.startswith("#/"), f"{ref} points outside the document"
    node = document
    for token in ref[2:].split("/"):
        key = token.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict), f"{ref} does not resolve"
        assert key in node, f"{ref} does not resolve"
        node = node[key]
    return node


def test_every_registered_event_has_a_schema_and_an_asyncapi_entry(asyncapi: dict[str, Any]) -> None:
    files = export.generate()
    for spec in EVENTS:
        schema = json.loads(files[export.schema_file(spec)])
        assert schema["$id"] == export.schema_id(spec)
        assert schema["title"] == spec.payload.__name__
        channel = asyncapi["channels"][spec.subject]
        assert channel["address"] == spec.subject
        assert channel["x-jetstream"]["stream"] == spec.stream
        assert export.message_id(spec) in channel["messages"]
        message = asyncapi["components"]["messages"][export.message_id(spec)]
        assert message["payload"]["allOf"][1]["properties"]["type"] == {"const": spec.type}
        assert f"{spec.publisher}.send.{spec.subject}" in asyncapi["operations"]
        for consumer in consumers_of(spec.subject):
            operation = asyncapi["operations"][f"{consumer}.receive.{spec.subject}"]
            assert operation["action"] == "receive"
            assert operation["x-jetstream"]["deadLetterSubject"] == dead_letter_subject(consumer, spec.stream)
    assert json.loads(files[export.CLOUDEVENT_FILE])["title"] == "CloudEvent"


def test_each_service_sends_what_it_publishes_and_receives_what_it_consumes(asyncapi: dict[str, Any]) -> None:
    for service, module in MODULES.items():
        sends = {op["channel"]["$ref"].removeprefix("#/channels/") for op in asyncapi["operations"].values()
                 if op["action"] == "send" and op["tags"] == [{"name": service}]}
        receives = {op["channel"]["$ref"].removeprefix("#/channels/") for op in asyncapi["operations"].values()
                    if op["action"] == "receive" and op["tags"] == [{"name": service}]}
        assert sends - {export.DLQ_CHANNEL} == {spec.subject for spec in module.PUBLISHES}
        assert receives == set(module.CONSUMES)
        assert (export.DLQ_CHANNEL in sends) == bool(module.CONSUMES)


def test_the_asyncapi_document_is_yaml_whose_references_resolve() -> None:
    for text in (export.render_yaml(export.asyncapi_document()), (CONTRACTS / export.ASYNCAPI_FILE).read_text("utf-8")):
        document = yaml.safe_load(text)
        assert document["asyncapi"] == "3.0.0"
        refs = _refs(document)
        assert refs
        for ref in refs:
            _resolve(document, ref)
        for section in ("schemas", "messages"):
            assert all(COMPONENT_KEY.match(key) for key in document["components"][section])
        for name, operation in document["operations"].items():
            channel_ref = operation["channel"]["$ref"]
            for message in operation["messages"]:
                assert message["$ref"].startswith(f"{channel_ref}/messages/"), f"{name} sends a message its channel lacks"


def _fixed_fields(node: dict[str, Any]) -> set[str]:
    return {key for key in node if not key.startswith("x-")}


def test_the_asyncapi_document_uses_only_fields_the_specification_defines(asyncapi: dict[str, Any]) -> None:
    assert _fixed_fields(asyncapi) <= ALLOWED["document"]
    assert _fixed_fields(asyncapi["info"]) <= ALLOWED["info"]
    for channel in asyncapi["channels"].values():
        assert _fixed_fields(channel) <= ALLOWED["channel"]
        for name, parameter in channel.get("parameters", {}).items():
            assert f"{{{name}}}" in channel["address"]
            assert _fixed_fields(parameter) <= ALLOWED["parameter"]
    for operation in asyncapi["operations"].values():
        assert _fixed_fields(operation) <= ALLOWED["operation"]
        assert operation["action"] in {"send", "receive"}
    for message in asyncapi["components"]["messages"].values():
        assert _fixed_fields(message) <= ALLOWED["message"]


def test_the_committed_event_documents_equal_what_the_registry_produces() -> None:
    problems = export.drift(CONTRACTS, export.generate(), folders=(export.SCHEMAS_DIR,))
    assert not problems, "\n".join([*problems, REGENERATE])


def test_the_committed_documents_equal_what_make_contracts_produces() -> None:
    result = subprocess.run([sys.executable, str(TOOL), "--check"], capture_output=True, text=True, timeout=120,
                            check=False, cwd=ROOT)
    assert result.returncode == 0, f"{result.stdout}{result.stderr}\n{REGENERATE}"


def test_drift_names_missing_changed_and_stale_files(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "a.v1.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "schemas" / "gone.v1.json").write_text("{}\n", encoding="utf-8")
    problems = export.drift(tmp_path, {"schemas/a.v1.json": "{\n}\n", "schemas/b.v1.json": "{}\n"})
    assert problems == ["out of date: contracts/schemas/a.v1.json", "missing: contracts/schemas/b.v1.json",
                        "stale: contracts/schemas/gone.v1.json"]


def test_rendering_is_deterministic() -> None:
    assert export.generate() == export.generate()
    assert export.render_json({"b": 1, "a": "便民"}) == '{\n  "a": "便民",\n  "b": 1\n}\n'
