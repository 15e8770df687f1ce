"""Constrained field types shared by the consult service's schemas."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, StringConstraints

DEPARTMENT_PATTERN = r"^[A-Z][A-Z0-9]{1,9}$"
SITE_PATTERN = r"^\d{9}(\d{3})?$|^\d{6}B\d{2}$"
_MOBILE = r"^(\+?86)?1[3-9]\d{9}$"
_EMAIL = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"
_LANDLINE = r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$"

Kind = Literal["consultation", "request", "complaint"]
Channel = Literal["web", "app", "kiosk", "phone"]
Level = Literal["very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "very_dissatisfied"]
BoxKind = Literal["suggestion", "complaint", "praise"]

DepartmentCode = Annotated[str, StringConstraints(pattern=DEPARTMENT_PATTERN)]
SiteCode = Annotated[str, StringConstraints(pattern=SITE_PATTERN)]
ItemCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64,
                                            pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _printable(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value


Printable = AfterValidator(_printable)
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200), Printable]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=5000), Printable]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=10000), Printable]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=500), Printable]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), Printable]
Keyword = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), Printable]


def _phone(value: str) -> str:
    compact = value.replace(" ", "")
    if not (re.fullmatch(_MOBILE, compact) or re.fullmatch(_LANDLINE, compact)):
        raise ValueError("must be a mobile number (13800138000) or a landline (0571-87654321)")
    return compact


def _email(value: str) -> str:
    address = value.strip()
    if not re.fullmatch(_EMAIL, address):
        raise ValueError("is not an e-mail address")
    return address


Phone = Annotated[str, StringConstraints(max_length=30), AfterValidator(_phone)]
Email = Annotated[str, StringConstraints(max_length=200), AfterValidator(_email)]
