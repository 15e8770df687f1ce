"""What every request body is made of: a closed base, and the identifiers people and enterprises are known by.

Every request model of every service derives from :class:`RequestBody` (``ServiceWiringTests``
checks it), so a body that names a field the API does not know is a 422, and so is a string
holding a control character anywhere in the body: NUL cannot be stored by PostgreSQL (it was a
500 there), and the other C0/C1 controls are never text a citizen or a clerk meant to send. Tab,
line feed and carriage return stay allowed, for multi-line text.

One rule for every identifier (:data:`CreditCode`, :data:`ResidentId`, :data:`SiteCode`): surrounding
blanks are dropped and letters are upper-cased before the check, so ``91310110666007217t`` with a
trailing space is the same enterprise in every service, and the stored form is always the
canonical one. What remains must then be exactly right: its shape, and for credit codes and ID
numbers the check character (GB 32100-2015, GB 11643-1999; see :mod:`bianmin.kit.identifiers`).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StringConstraints, WithJsonSchema, field_validator

from bianmin.kit.identifiers import resident_id_problem, uscc_problem

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{18}$"
RESIDENT_ID_PATTERN = r"^[0-9]{17}[0-9X]$"
# A division code of 6 (district, GB/T 2260), 9 (township/street) or 12 digits (village/community,
# the statistical division code), optionally followed by a letter-led suffix naming a site that is
# not a division, under that parent: a bank outlet (330199B01) or a self-service terminal (330199001T01).
SITE_CODE_PATTERN = r"^[0-9]{6}([0-9]{3}){0,2}([A-Z][0-9A-Z]{1,5})?$"


def control_character_path(value: Any, path: str = "") -> str | None:
    """Where in ``value`` (strings, lists and mappings, any depth) a control character sits, or None."""
    if isinstance(value, str):
        return path if CONTROL_CHARACTERS.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and CONTROL_CHARACTERS.search(key):
                return where
            found = control_character_path(item, where)
            if found is not None:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = control_character_path(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


class RequestBody(BaseModel):
    """The base of every request body: unknown fields refused, control characters refused at any depth."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        where = control_character_path(value)
        if where is not None:
            raise ValueError(f"must not contain control characters{f' (at {where})' if where else ''}")
        return value


def canonical(value: Any) -> Any:
    """The one normalisation of every identifier: surrounding blanks dropped, letters upper-cased."""
    return value.strip().upper() if isinstance(value, str) else value


def _checked(problem: Any) -> Any:
    def check(value: str) -> str:
        found = problem(value)
        if found:
            raise ValueError(found)
        return value

    return check


def _documented(pattern: str, length: tuple[int, int], example: str, description: str) -> WithJsonSchema:
    """The JSON schema clients see: the canonical form (the normalising validator hides the constraints)."""
    return WithJsonSchema({"type": "string", "pattern": pattern, "minLength": length[0], "maxLength": length[1],
                           "examples": [example], "description": description})


CreditCode = Annotated[
    str, BeforeValidator(canonical), StringConstraints(pattern=USCC_PATTERN), AfterValidator(_checked(uscc_problem)),
    _documented(USCC_PATTERN, (18, 18), "91310110666007217T",
                "Unified Social Credit Code (GB 32100-2015), check character verified; blanks and case are normalised."),
]
"""A Unified Social Credit Code (统一社会信用代码, GB 32100-2015), check character verified."""

ResidentId = Annotated[
    str, BeforeValidator(canonical), StringConstraints(pattern=RESIDENT_ID_PATTERN),
    AfterValidator(_checked(resident_id_problem)),
    _documented(RESIDENT_ID_PATTERN, (18, 18), "330199199003070026",
                "Resident identity number (GB 11643-1999): birth date and check digit verified; a lowercase x is taken."),
]
"""A resident identity number (GB 11643-1999): birth date and check digit verified."""

SiteCode = Annotated[
    str, BeforeValidator(canonical), StringConstraints(pattern=SITE_CODE_PATTERN),
    _documented(SITE_CODE_PATTERN, (6, 18), "330199001",
                "A site: a division code of 6, 9 or 12 digits, or a site under one such as a bank outlet (330199B01)."),
]
"""A site: a division code (6, 9 or 12 digits) or a site under one (``330199B01``)."""
