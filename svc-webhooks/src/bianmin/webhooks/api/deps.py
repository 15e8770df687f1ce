"""Shared dependencies of the webhooks routers: scopes, the secret box, ids and cursors."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Request

from bianmin.kit.errors import Forbidden, ServiceUnavailable, Unprocessable
from bianmin.kit.identity import Principal, PrincipalDep, require_scopes
from bianmin.webhooks.domain.signing import SecretBox

WRITE = require_scopes("webhooks:write")


async def _reader(principal: PrincipalDep) -> Principal:
    """403 unless the key may read endpoints: ``webhooks:read``, or ``webhooks:write`` which implies it."""
    if not (principal.has_scope("webhooks:read") or principal.has_scope("webhooks:write")):
        raise Forbidden("This key lacks the scope webhooks:read.", code="scope_missing")
    return principal


_reader.required_scopes = ("webhooks:read",)  # type: ignore[attr-defined]
READ = Depends(_reader)


async def secret_box(request: Request) -> SecretBox:
    """The box that seals endpoint secrets; 503 when the service has no key material configured."""
    box = request.app.state.secret_box
    if box is None:
        raise ServiceUnavailable("The webhooks service has no key to encrypt secrets with.", code="secret_key_missing")
    return box


def cursor_int(after: list[Any] | None) -> int | None:
    """The integer sort key of a cursor; 422 when the cursor holds something else."""
    if after is None:
        return None
    if len(after) != 1 or not isinstance(after[0], int) or isinstance(after[0], bool):
        raise Unprocessable.field("cursor", "is not a cursor this API issued")
    return after[0]


BoxDep = Annotated[SecretBox, Depends(secret_box)]
Id = Annotated[int, Path(ge=1, le=2_147_483_647, description="A numeric id.")]
