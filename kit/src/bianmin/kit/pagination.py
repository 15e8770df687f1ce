"""Cursor pagination: ``?limit=&cursor=`` in, ``{"items": [...], "next_cursor": ...}`` out.

The cursor is the opaque, URL-safe encoding of the last row's sort key, so pages stay stable
while rows are added, and a tampered cursor is a 422, not a 500.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

from bianmin.kit.errors import Unprocessable

T = TypeVar("T")
R = TypeVar("R")
MAX_LIMIT = 200


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    next_cursor: str | None = None


class PageParams(BaseModel):
    """The paging parameters of a list request."""

    limit: int
    after: list[Any] | None

    def cut(self, rows: Sequence[R], key: Callable[[R], list[Any]]) -> tuple[list[R], str | None]:
        """This page's rows and the next page's cursor (``None`` on the last page).

        Lists fetch ``limit + 1`` rows: the extra row only tells that another page exists, and
        the cursor is the sort ``key`` of the last row kept.
        """
        kept = list(rows[:self.limit])
        return kept, encode_cursor(key(kept[-1])) if len(rows) > self.limit else None


def encode_cursor(key: list[Any]) -> str:
    """An opaque cursor for a sort key (a list of JSON values)."""
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    """The sort key inside a cursor; 422 when the cursor was not made by :func:`encode_cursor`."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise Unprocessable.field("cursor", "is not a cursor this API issued") from exc
    if not isinstance(key, list):
        raise Unprocessable.field("cursor", "is not a cursor this API issued")
    return key


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = 50,
    cursor: Annotated[str | None, Query(max_length=500, description="From a previous page.")] = None,
) -> PageParams:
    """Parse ``limit`` and ``cursor``."""
    return PageParams(limit=limit, after=decode_cursor(cursor) if cursor else None)


PageDep = Annotated[PageParams, Depends(page_params)]
