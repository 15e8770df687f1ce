"""The guarantee service's tables. The kit's outbox, inbox and idempotency tables sit beside them.

Money: guarantee amounts are yuan ``Decimal`` (NUMERIC(18,2)); fees are integer fen; rates and
discounts are exact decimal strings (:class:`DecimalText`), so no float ever touches money.
"""

from bianmin.guarantee.models.base import Base, DecimalText
from bianmin.guarantee.models.guarantee import Amendment, Claim, Guarantee, GuaranteeStep
from bianmin.guarantee.models.ledger import (
    Checkpoint,
    Delivery,
    DeliveryAttempt,
    LedgerHead,
    LedgerLeaf,
    LedgerNode,
    SigningKey,
    WitnessSignature,
)
from bianmin.guarantee.models.parties import ColorRule, EnterpriseColor, Issuer, Project, ProjectSection, Tariff

__all__ = [
    "Amendment", "Base", "Checkpoint", "Claim", "ColorRule", "DecimalText", "Delivery", "DeliveryAttempt",
    "EnterpriseColor", "Guarantee", "GuaranteeStep", "Issuer", "LedgerHead", "LedgerLeaf", "LedgerNode",
    "Project", "ProjectSection", "SigningKey", "Tariff", "WitnessSignature",
]
