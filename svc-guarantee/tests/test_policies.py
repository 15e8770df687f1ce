"""Every /v1 route of the guarantee service declares who may call it (bianmin.kit.policy), so the access matrix is generated (issue 19)."""

from bianmin.guarantee.app import create_app
from bianmin.kit.app import api_routes
from bianmin.kit.policy import declared_policy


def test_every_v1_route_declares_a_policy() -> None:
    routes = [r for r in api_routes(create_app()) if r.path.startswith("/v1/")]
    undeclared = sorted(f"{sorted(r.methods)} {r.path}" for r in routes if declared_policy(r) is None)
    assert routes
    assert undeclared == []
