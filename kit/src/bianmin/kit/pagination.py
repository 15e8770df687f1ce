"""Cursor pagination: ``?limit=&cursor=`` in, ``{"items": [...], "next_cursor": ...}`` out.

The cursor is the opaque, URL-safe encoding of the last row's sort key, so pages stay stable
while rows are added, and a tampered cursor is a 422, not a 500. List queries call
:func:`paginate` with their sort columns: it checks the cursor against those columns' types
(so every list refuses a foreign cursor the same way), adds the keyset condition and the order,
and cuts the page.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.types import TypeDecorator

from bianmin.kit.errors import Unprocessable

T = TypeVar("T")
R = TypeVar("R")
MAX_LIMIT = 200
MAX_KEY_TEXT = 200
# What each integer column holds: a cursor value past it would reach the database as an overflow (a 500 on
# PostgreSQL's int4), not as the 422 a foreign cursor gets.
INT_LIMITS = {"BigInteger": 2**63 - 1, "Integer": 2**31 - 1, "SmallInteger": 2**15 - 1}


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


def _foreign() -> Unprocessable:
    return Unprocessable.field("cursor", "is not a cursor this API issued")


def _key_value(column: InstrumentedAttribute[Any], raw: Any) -> Any:
    """A cursor's value for one sort column, as that column's Python type; 422 for anything else."""
    declared = column.type
    declared = declared.impl_instance if isinstance(declared, TypeDecorator) else declared
    kind = declared.python_type
    if kind is bool or isinstance(raw, bool):
        raise _foreign()
    if kind is int:
        limit = next((v for name, v in INT_LIMITS.items() if type(declared).__name__ == name), INT_LIMITS["Integer"])
        if not isinstance(raw, int) or not -limit <= raw <= limit:
            raise _foreign()
        return raw
    if not isinstance(raw, str) or len(raw) > MAX_KEY_TEXT:
        raise _foreign()
    if kind is str:
        return raw
    try:
        if kind is dt.datetime:
            parsed = dt.datetime.fromisoformat(raw)
            if parsed.tzinfo is None:
                raise _foreign()
            return parsed
        if kind is dt.date:
            return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise _foreign() from exc
    raise TypeError(f"cannot page on a column of type {kind.__name__}")


def _key_json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _after(keys: Sequence[InstrumentedAttribute[Any]], values: list[Any], descending: bool) -> Any:
    """Rows strictly after ``values`` in the order of ``keys`` (expanded, so both databases bind each type)."""
    ahead = [(k < v) if descending else (k > v) for k, v in zip(keys, values, strict=True)]
    terms = [and_(*[k == v for k, v in zip(keys[:i], values[:i], strict=True)], ahead[i]) for i in range(len(keys))]
    return or_(*terms)


async def paginate(session: AsyncSession, statement: Select[Any], page: PageParams, *,
                   keys: Sequence[InstrumentedAttribute[Any]], descending: bool = False,
                   scalars: bool = True) -> tuple[list[Any], str | None]:
    """One page of ``statement`` ordered by ``keys`` (unique together), and the next page's cursor.

    ``keys`` are the sort columns, the last one unique (usually the id). The cursor must hold one
    value per key, of the key's type, or the answer is a 422. ``scalars`` gives the first entity
    of each row; otherwise rows are tuples and the keys are read from their first entity.
    """
    if page.after is not None:
        if len(page.after) != len(keys):
            raise _foreign()
        statement = statement.where(_after(keys, [_key_value(k, v) for k, v in zip(keys, page.after, strict=True)],
                                           descending))
    order = [k.desc() for k in keys] if descending else list(keys)
    result = await session.execute(statement.order_by(*order).limit(page.limit + 1))
    rows = list(result.scalars() if scalars else result.all())

    def key_of(row: Any) -> list[Any]:
        entity = row if scalars else row[0]
        return [_key_json(getattr(entity, k.key)) for k in keys]

    return page.cut(rows, key_of)
