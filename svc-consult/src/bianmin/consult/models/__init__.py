"""The consult service's tables. The kit's outbox, inbox, idempotency and calendar tables sit beside them.

``Base`` is defined in :mod:`bianmin.consult.models.base`; importing this package registers every
table on its MetaData (Alembic and the drift test read ``Base.metadata``).
"""

from bianmin.consult.models.base import Base, new_id
from bianmin.consult.models.consultation import (
    Consultation,
    ConsultationMessage,
    ConsultationPause,
    ConsultationTransfer,
    Escalation,
    ExtensionRequest,
    Rectification,
)
from bianmin.consult.models.knowledge import Article, ArticleGram
from bianmin.consult.models.reference import Department, ItemRoute, RoutingRule
from bianmin.consult.models.suggestion import Suggestion, SuggestionEscalation

__all__ = [
    "Article", "ArticleGram", "Base", "Consultation", "ConsultationMessage", "ConsultationPause",
    "ConsultationTransfer", "Department", "Escalation", "ExtensionRequest", "ItemRoute", "Rectification",
    "RoutingRule", "Suggestion", "SuggestionEscalation", "new_id",
]
