"""Constrained field types shared by the consult service's schemas.

Request models derive from :class:`bianmin.kit.schemas.RequestBody`, which refuses unknown fields and
control characters anywhere in a body, so the text types here only bound length and trim blanks.
Site codes are the kit's :data:`~bianmin.kit.schemas.SiteCode` (blanks dropped, upper-cased, then
checked); where a question or an entry can be made is the site registry's to say
(:func:`bianmin.consult.domain.access.asking_site`), never a pattern.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from bianmin.kit.schemas import SiteCode

DEPARTMENT_PATTERN = r"^[A-Z][A-Z0-9]{1,9}$"
_MOBILE = r"^(\+?86)?1[3-9]\d{9}$"
_EMAIL = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"
_LANDLINE = r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$"

Kind = Literal["consultation", "request", "complaint"]
Channel = Literal["web", "app", "kiosk", "phone"]
Level = Literal["very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "very_dissatisfied"]
BoxKind = Literal["suggestion", "complaint", "praise"]


DepartmentCode = Annotated[str, StringConstraints(pattern=DEPARTMENT_PATTERN)]
AskingSite = Annotated[SiteCode, Field(description=(
    "A site of the registry people ask at: a district hall, a township or street, a village or community, "
    "or a bank outlet."))]
ItemCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64,
                                            pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=5000)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=10000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=500)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Keyword = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
DueProvisional = Annotated[bool, Field(description=(
    "True when the deadline runs into a year whose State Council holiday notice was not loaded when it was "
    "counted: days there were counted by weekends alone, so it may still move."))]
DueBasis = Annotated[str | None, Field(description="Why the deadline is provisional; null when it is not.")]


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
