"""Who acts, through the gateway: every person kind, signed in for real, on every operation of the merged OpenAPI.

The in-process matrix (``tests/test_access_matrix.py``) proves each service refuses the people its
routes' policies do not name, with principals it builds itself. This one proves the same of the
platform as it runs: accounts of every kind the gateway signs in (holding every role of their kind
at a township, with TOTP where a role needs it) and a citizen acting through a registered app's
signed assertion call every operation of the gateway's merged document through the gateway; each
operation whose declared policy (``x-bianmin-policy``) does not name the caller's kind answers 403:
``subject_not_allowed``, or ``scope_missing`` / ``district_only`` where the session's app already
bounds it out (the scopes its roles ask for, ``bianmin.kit.roles``; the tenant of a township's
staff), and none answers 5xx.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pyotp
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bianmin.kit.roles import ROLES
from bianmin.kit.subjects import CITIZEN, SUBJECT_KINDS
from bianmin.testing.localrun import Platform, create_key, private_platform

pytestmark = pytest.mark.e2e

TOWNSHIP = "330199001"
METHODS = ("get", "post", "put", "patch", "delete")
# Each kind's account: every role of that kind, at the township (an operator's at the district).
ACCOUNT_KINDS = [kind for kind in SUBJECT_KINDS if kind != CITIZEN]
REFUSALS = {"subject_not_allowed", "scope_missing", "district_only"}


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    # A few thousand requests from a handful of sessions: the per-key rate limit is tested elsewhere.
    with private_platform(Path(tmp_path_factory.mktemp("people")),
                          extra_env={"BIANMIN_GATEWAY_DEFAULT_RATE_LIMIT": "100000/minute"}) as running:
        yield running


def _sign_in(gateway: httpx.Client, admin: dict[str, str], kind: str) -> dict[str, str]:
    """An account of ``kind`` with every role of its kind, signed in; the bearer headers of its session."""
    roles = [r for r, info in ROLES.items() if info.kind == kind]
    site = "*" if kind == "operator" else TOWNSHIP
    username, password = f"matrix.{kind}", f"matrix-{kind}-password-2026"
    created = gateway.post("/admin/v1/accounts", headers=admin, json={
        "username": username, "kind": kind, "display_name": f"矩阵 {kind}", "password": password,
        "roles": [{"role": r, "site": site} for r in roles]})
    assert created.status_code == 201, created.text
    body: dict[str, Any] = {"username": username, "password": password}
    if any(ROLES[r].second_factor for r in roles):
        enrolled = gateway.post(f"/admin/v1/accounts/{created.json()['id']}/totp", headers=admin)
        assert enrolled.status_code == 200, enrolled.text
        body["totp"] = pyotp.TOTP(enrolled.json()["secret"]).now()
    signed_in = gateway.post("/auth/login", json=body)
    assert signed_in.status_code == 200, signed_in.text
    return {"Authorization": f"Bearer {signed_in.json()['access_token']}"}


class CitizenApp:
    """A citizen app's key with a registered Ed25519 key: each request carries a fresh signed assertion."""

    def __init__(self, platform: Platform, gateway: httpx.Client, admin: dict[str, str]) -> None:
        self.key = create_key(platform.layout, name="matrix citizen app", tenant="*", scopes=["admin"])
        self.key_id = self.key.split("_")[1]
        self.private = Ed25519PrivateKey.generate()
        pem = self.private.public_key().public_bytes(serialization.Encoding.PEM,
                                                    serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        registered = gateway.put(f"/admin/v1/keys/{self.key_id}/citizen-assertion-key", headers=admin,
                                 json={"algorithm": "EdDSA", "public_key": pem})
        assert registered.status_code == 200, registered.text

    def headers(self) -> dict[str, str]:
        now = int(time.time())
        assertion = jwt.encode({"iss": self.key_id, "sub": "matrix-citizen", "aud": "bianmin-gateway", "iat": now,
                                "exp": now + 120, "jti": uuid.uuid4().hex}, self.private, algorithm="EdDSA")
        return {"Authorization": f"Bearer {self.key}", "X-Bianmin-Citizen-Assertion": assertion}


def _operations(document: dict[str, Any]) -> list[tuple[str, str, set[str], bool]]:
    """(method, path with parameters filled, the kinds its policy names, whether it takes a body) of every
    operation that declares a policy and answers without streaming."""
    found = []
    for path, item in document["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict) or "x-bianmin-policy" not in operation:
                continue
            if any("text/event-stream" in (r.get("content") or {}) for r in operation.get("responses", {}).values()):
                continue
            kinds = {entry.split(" ")[0].rstrip(",") for entry in operation["x-bianmin-policy"]}
            filled = "/".join("1" if part.startswith("{") else part for part in path.split("/"))
            found.append((method, filled, kinds, "requestBody" in operation))
    return found


def test_every_person_a_route_does_not_name_is_refused_through_the_gateway(platform: Platform) -> None:
    base = platform.layout.url("gateway")
    admin_key = create_key(platform.layout, name="matrix admin", tenant="*", scopes=["admin"])
    admin = {"Authorization": f"Bearer {admin_key}"}
    with httpx.Client(base_url=base, timeout=30) as gateway:
        people: dict[str, Any] = {kind: _sign_in(gateway, admin, kind) for kind in ACCOUNT_KINDS}
        citizen = CitizenApp(platform, gateway, admin)
        operations = _operations(gateway.get("/openapi.json").json())
        assert len(operations) > 200
        assert {path.split("/")[1] for _, path, _, _ in operations} >= {
            "queue", "catalog", "consult", "bidding", "guarantee", "credit", "webhooks"}
        wrong: list[str] = []
        checked = 0
        by_policy = 0
        for method, path, kinds, has_body in operations:
            for kind in [*ACCOUNT_KINDS, CITIZEN]:
                if kind in kinds:
                    continue
                headers = citizen.headers() if kind == CITIZEN else people[kind]
                response = gateway.request(method.upper(), path, headers=headers, **({"json": {}} if has_body else {}))
                checked += 1
                code = response.json().get("code") if response.headers.get("content-type", "").endswith("json") else None
                by_policy += code == "subject_not_allowed"
                if response.status_code != 403 or code not in REFUSALS:
                    wrong.append(f"{method.upper()} {path} [{kind}] -> {response.status_code} {response.text[:120]}")
    assert checked > 500
    assert by_policy > checked // 4  # the services' policies, not only the sessions' scopes, refuse
    assert not wrong, "\n".join(wrong[:40])
