"""Field types the bidding schemas share: codes, money, scores, text and sites.

Credit codes are the kit's :data:`~bianmin.kit.schemas.CreditCode` (one normalisation for the
platform); a project's site is a kit :data:`~bianmin.kit.schemas.SiteCode`, checked against the
site registry when the project is created (:func:`bianmin.bidding.domain.projects.project_site`),
never against a pattern: a deployment serves whatever districts its registry holds.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, PlainSerializer

from bianmin.kit.schemas import SiteCode

B64 = r"^[A-Za-z0-9+/]*={0,2}$"

Code = Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{1,39}$", examples=["BM-2026-001"])]
ProjectSite = Annotated[SiteCode, Field(description=(
    "A district project: its district hall (county code + 000) or the bare 6-digit county code of a hall the "
    "site registry holds; a township project: a township or street of the registry (9 digits)."))]
Yuan = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2), PlainSerializer(str, return_type=str)]
PositiveYuan = Annotated[Decimal, Field(gt=0, max_digits=16, decimal_places=2), PlainSerializer(str, return_type=str)]
Score = Annotated[Decimal, PlainSerializer(str, return_type=str)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
