"""Shared request parts: closed bodies, constrained strings, the person a ticket or booking is for."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

Prefix = Annotated[str, StringConstraints(pattern=r"^[A-Z]$")]
ItemCode = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Text100 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
PHONE = re.compile(r"^1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$")


class Closed(BaseModel):
    """A request body that refuses unknown fields, and NUL characters that no database column can store."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value


class PersonIn(Closed):
    """Who a ticket or appointment is for."""

    name: Name | None = None
    id_number: Annotated[str, StringConstraints(min_length=18, max_length=18)] | None = None
    phone: str | None = None

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None and not PHONE.fullmatch(value):
            raise ValueError("must be a mobile number (11 digits) or a landline with area code")
        return value
