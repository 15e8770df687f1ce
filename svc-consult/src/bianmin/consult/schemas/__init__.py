"""Request and response models of the consult service's API, one module per area, re-exported here.

Requests derive from :class:`bianmin.kit.schemas.RequestBody`; answers are ``<Thing>Read`` (or what
the audience sees, ``AskerView``, ``SuggestionTrack``), lists ``Page[<Thing>Read]``.
"""

from bianmin.consult.schemas.consultations import (
    AnswerBody,
    AskerView,
    AssignBody,
    ConsultationCreate,
    ConsultationDetail,
    ConsultationRead,
    ConsultationReceipt,
    EscalationRead,
    ExtensionBody,
    ExtensionRead,
    FixBody,
    MessageBody,
    MessageRead,
    PauseRead,
    RatingBody,
    ReasonBody,
    RectificationRead,
    TransferBody,
    TransferRead,
)
from bianmin.consult.schemas.knowledge import (
    ArticleCreate,
    ArticleRead,
    ArticleUpdate,
    PromoteBody,
    SuggestHit,
)
from bianmin.consult.schemas.routing import (
    DepartmentPut,
    DepartmentRead,
    RuleCreate,
    RuleRead,
    RuleUpdate,
)
from bianmin.consult.schemas.stats import (
    ConsultStats,
    TopicCount,
)
from bianmin.consult.schemas.suggestions import (
    ReplyBody,
    SuggestionCreate,
    SuggestionDetail,
    SuggestionEscalationRead,
    SuggestionRead,
    SuggestionReceipt,
    SuggestionTrack,
)

__all__ = [
    "AnswerBody", "ArticleCreate", "ArticleRead", "ArticleUpdate", "AskerView", "AssignBody", "ConsultStats",
    "ConsultationCreate", "ConsultationDetail", "ConsultationRead", "ConsultationReceipt", "DepartmentPut",
    "DepartmentRead", "EscalationRead", "ExtensionBody", "ExtensionRead", "FixBody", "MessageBody", "MessageRead",
    "PauseRead", "PromoteBody", "RatingBody", "ReasonBody", "RectificationRead", "ReplyBody", "RuleCreate",
    "RuleRead", "RuleUpdate", "SuggestHit", "SuggestionCreate", "SuggestionDetail", "SuggestionEscalationRead",
    "SuggestionRead", "SuggestionReceipt", "SuggestionTrack", "TopicCount", "TransferBody", "TransferRead",
]
