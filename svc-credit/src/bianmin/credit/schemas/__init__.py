"""Request and response models of the credit API, one module per resource.

Requests derive from :class:`bianmin.kit.schemas.RequestBody` (unknown fields and control characters
refused at any depth); answers are ``<Thing>Read``, lists ``Page[<Thing>Read]``.
"""

from bianmin.credit.schemas.bonuses import BonusCreate, BonusRead
from bianmin.credit.schemas.enterprises import (
    ActionParam,
    ColorChangeRead,
    ColorRead,
    ContributionRead,
    EligibilityRead,
    EnterpriseCreate,
    EnterpriseRead,
    EnterpriseUpdate,
    ImportReportRead,
    PublicColorRead,
    RejectedRowRead,
)
from bianmin.credit.schemas.records import DecisionNote, HistoryRead, RecordCreate, RecordRead
from bianmin.credit.schemas.repairs import RepairCreate, RepairRead
from bianmin.credit.schemas.rules import RecomputeRead, RulesCreate, RulesRead

__all__ = ["ActionParam", "BonusCreate", "BonusRead", "ColorChangeRead", "ColorRead", "ContributionRead",
           "DecisionNote", "EligibilityRead", "EnterpriseCreate", "EnterpriseRead", "EnterpriseUpdate",
           "HistoryRead", "ImportReportRead", "PublicColorRead", "RecomputeRead", "RecordCreate",
           "RecordRead", "RejectedRowRead", "RepairCreate", "RepairRead", "RulesCreate", "RulesRead"]
