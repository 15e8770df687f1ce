"""Field types the bidding schemas share: codes, money, scores, text and sites.

Credit codes are the kit's :data:`~bianmin.kit.schemas.CreditCode` (one normalisation for the
platform); a project's site is a kit :data:`~bianmin.kit.schemas.SiteCode`, checked against the
site registry when the project is created (:func:`bianmin.bidding.domain.projects.project_site`),
never against a pattern: a deployment serves whatever districts its registry holds.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, WithJsonSchema

from bianmin.kit.identifiers import uscc_problem
from bianmin.kit.schemas import SiteCode, canonical

B64 = r"^[A-Za-z0-9+/]*={0,2}$"
# A natural person's bidder code: ``Z`` and 17 hex digits. No credit code holds a Z (GB 32100's alphabet
# leaves out I, O, S, V and Z), so the two kinds of bidder never clash (domain/bidders.py).
PERSON_CODE = r"^Z[0-9A-F]{17}$"


def _bidder_code(value: str) -> str:
    if re.fullmatch(PERSON_CODE, value):
        return value
    problem = uscc_problem(value)
    if problem:
        raise ValueError(f"{problem} (or a natural person's bidder code, Z and 17 hex digits)")
    return value


BidderCode = Annotated[str, BeforeValidator(canonical), AfterValidator(_bidder_code), WithJsonSchema({
    "type": "string", "minLength": 18, "maxLength": 18, "examples": ["91310110666007217T"],
    "description": "A bidder: an enterprise's Unified Social Credit Code (GB 32100-2015, check character verified), or "
                   "the bidder code a natural person was given at registration (Z and 17 hex digits)."})]
"""Who bids: an enterprise's credit code, or a natural person's pseudonymous bidder code."""

Code = Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{1,39}$", examples=["BM-2026-001"])]
ProjectSite = Annotated[SiteCode, Field(description=(
    "A district project: its district hall (county code + 000) or the bare 6-digit county code of a hall the "
    "site registry holds; a township project: a township or street of the registry (9 digits)."))]
Yuan = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2), PlainSerializer(str, return_type=str)]
PositiveYuan = Annotated[Decimal, Field(gt=0, max_digits=16, decimal_places=2), PlainSerializer(str, return_type=str)]
Score = Annotated[Decimal, PlainSerializer(str, return_type=str)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
