"""Shared dependencies and helpers of the credit service's routers."""

from __future__ import annotations

from typing import Any

from bianmin.kit.errors import Unprocessable
from bianmin.kit.identity import Principal


def actor(principal: Principal) -> str:
    """How the audit trail names a caller: its key id."""
    return principal.key_id or "anonymous"


def site_of(principal: Principal) -> str:
    """The site a caller records for: its tenant, ``*`` for district-wide keys."""
    return principal.tenant or "*"


def cursor_int(after: list[Any]) -> int:
    """The integer sort key of a cursor; 422 when the cursor holds something else."""
    if len(after) != 1 or not isinstance(after[0], int) or isinstance(after[0], bool):
        raise Unprocessable.field("cursor", "is not a cursor this API issued")
    return after[0]


