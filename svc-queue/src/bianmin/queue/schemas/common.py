"""Shared request parts: constrained strings and the person a ticket or booking is for.

Request bodies derive from the kit's :class:`~bianmin.kit.schemas.RequestBody` (unknown fields and
control characters refused at any depth); resident ID numbers are the kit's
:data:`~bianmin.kit.schemas.ResidentId` (blanks dropped, upper-cased, then checked).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import StringConstraints, field_validator

from bianmin.kit.schemas import RequestBody, ResidentId

Prefix = Annotated[str, StringConstraints(pattern=r"^[A-Z]$")]
ItemCode = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Text100 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
PHONE = re.compile(r"^1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$")


class PersonIn(RequestBody):
    """Who a ticket or appointment is for."""

    name: Name | None = None
    id_number: ResidentId | None = None
    phone: str | None = None

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None and not PHONE.fullmatch(value):
            raise ValueError("must be a mobile number (11 digits) or a landline with area code")
        return value
