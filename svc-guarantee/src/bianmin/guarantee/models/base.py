"""The declarative base of the guarantee service and its exact decimal column type."""

from decimal import Decimal
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from bianmin.kit.db import make_base

Base: type[DeclarativeBase] = make_base()


class DecimalText(TypeDecorator[Decimal]):
    """A rate or a discount stored as its exact decimal string on both databases (``0.0015``)."""

    impl = String(24)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Any) -> str | None:
        return None if value is None else format(Decimal(value).normalize(), "f")

    def process_result_value(self, value: str | None, dialect: Any) -> Decimal | None:
        return None if value is None else Decimal(value)
