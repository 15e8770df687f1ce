"""The field types the guarantee API shares: guarantee types, credit colors, money and issuer codes.

Credit codes are the kit's :data:`bianmin.kit.schemas.CreditCode` (one normalisation platform-wide);
an issuer code is this service's own short name for an insurer or bank, so it keeps its own shape.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

GuaranteeType = Literal["bid_bond", "performance"]
Color = Literal["green", "blue", "yellow", "orange", "red"]
Amount = Annotated[Decimal, Field(gt=0, le=Decimal("1000000000"), max_digits=14, decimal_places=2)]
IssuerCode = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]{1,15}$", description="Upper-case letters and digits.")]
