"""The credit service's tables, one module per aggregate; the kit's outbox, inbox and idempotency tables sit beside them.

Scores are exact decimals (the kit's NUMERIC(18, 2) type, as strings on SQLite), never floats.
Importing this package registers every table on :data:`Base`'s metadata (migrations and the
drift test read it).
"""

from bianmin.credit.models.base import Base
from bianmin.credit.models.bonuses import BonusItem
from bianmin.credit.models.enterprises import ColorChange, Enterprise
from bianmin.credit.models.records import BadRecord, RecordHistory
from bianmin.credit.models.repairs import RepairApplication
from bianmin.credit.models.rules import RecomputeRun, RuleSet

__all__ = ["BadRecord", "Base", "BonusItem", "ColorChange", "Enterprise", "RecomputeRun", "RecordHistory",
           "RepairApplication", "RuleSet"]
