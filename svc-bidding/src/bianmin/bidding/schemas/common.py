"""Field types the bidding schemas share: credit codes, codes, money."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, Field, PlainSerializer

from bianmin.kit.identifiers import uscc_problem


def _uscc(value: str) -> str:
    problem = uscc_problem(value)
    if problem:
        raise ValueError(f"not a Unified Social Credit Code: {problem}")
    return value


CreditCode = Annotated[str, Field(min_length=18, max_length=18, examples=["91310110666007217T"]), AfterValidator(_uscc)]
Code = Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{1,39}$", examples=["BM-2026-001"])]
Yuan = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2), PlainSerializer(str, return_type=str)]
PositiveYuan = Annotated[Decimal, Field(gt=0, max_digits=16, decimal_places=2), PlainSerializer(str, return_type=str)]
Score = Annotated[Decimal, PlainSerializer(str, return_type=str)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
