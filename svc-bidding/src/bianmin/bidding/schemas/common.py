"""Field types the bidding schemas share: codes, money, scores, text and the district's sites.

Credit codes are the kit's :data:`~bianmin.kit.schemas.CreditCode` (one normalisation for the
platform); a project's site is a kit :data:`~bianmin.kit.schemas.SiteCode` narrowed to what a
tender sits on here: the district itself or one of its townships.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, Field, PlainSerializer

from bianmin.kit.schemas import SiteCode

DISTRICT = "330199"
PROJECT_SITE = re.compile(rf"^{DISTRICT}([0-9]{{3}})?$")
B64 = r"^[A-Za-z0-9+/]*={0,2}$"


def _district_or_township(value: str) -> str:
    if not PROJECT_SITE.fullmatch(value):
        raise ValueError(f"a project sits on the district ({DISTRICT}) or one of its townships ({DISTRICT}001…)")
    return value


Code = Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{1,39}$", examples=["BM-2026-001"])]
ProjectSite = Annotated[SiteCode, AfterValidator(_district_or_township),
                        Field(description="The district (330199) or a township (330199001…).")]
Yuan = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2), PlainSerializer(str, return_type=str)]
PositiveYuan = Annotated[Decimal, Field(gt=0, max_digits=16, decimal_places=2), PlainSerializer(str, return_type=str)]
Score = Annotated[Decimal, PlainSerializer(str, return_type=str)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
