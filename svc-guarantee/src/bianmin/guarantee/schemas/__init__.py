"""Request and response models of the guarantee service's API (money as decimal strings, never floats).

Requests derive from :class:`bianmin.kit.schemas.RequestBody` (unknown fields and control characters
refused) and take credit codes as the kit's :data:`~bianmin.kit.schemas.CreditCode`; answers are
``<Thing>Read``. One module per resource, re-exported here.
"""

from bianmin.guarantee.schemas.claims import ClaimCreate, ClaimPay, ClaimRead, ClaimReject, ClaimSuspend
from bianmin.guarantee.schemas.deliveries import DeliveryRead
from bianmin.guarantee.schemas.fields import Amount, Color, GuaranteeType, IssuerCode
from bianmin.guarantee.schemas.guarantees import (
    AmendmentCreate,
    AmendmentRead,
    GuaranteeApply,
    GuaranteeRead,
    ReleaseRequest,
    StepRead,
)
from bianmin.guarantee.schemas.issuers import (
    ColorRuleRead,
    ColorRuleSet,
    IssuerCreate,
    IssuerRead,
    KeyRead,
    QuoteRead,
    TariffCreate,
    TariffRead,
)
from bianmin.guarantee.schemas.ledger import (
    CheckpointRead,
    ConsistencyRead,
    InclusionRead,
    LeafRead,
    WitnessCosign,
)
from bianmin.guarantee.schemas.projects import ProjectRead, SectionRead
from bianmin.guarantee.schemas.verification import (
    CheckRead,
    HistoryEntry,
    PresentedDocument,
    ProofRead,
    SignedDocument,
    VerificationRead,
)

__all__ = [
    "AmendmentCreate", "AmendmentRead", "Amount", "CheckRead", "CheckpointRead", "ClaimCreate", "ClaimPay",
    "ClaimRead", "ClaimReject", "ClaimSuspend", "Color", "ColorRuleRead", "ColorRuleSet", "ConsistencyRead",
    "DeliveryRead", "GuaranteeApply", "GuaranteeRead", "GuaranteeType", "HistoryEntry", "InclusionRead", "IssuerCode",
    "IssuerCreate", "IssuerRead", "KeyRead", "LeafRead", "PresentedDocument", "ProjectRead", "ProofRead", "QuoteRead",
    "ReleaseRequest", "SectionRead", "SignedDocument", "StepRead", "TariffCreate", "TariffRead",
    "VerificationRead", "WitnessCosign",
]
