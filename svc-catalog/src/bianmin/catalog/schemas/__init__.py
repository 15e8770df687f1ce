"""Request and response models of the catalog service's API, one module per resource, re-exported here.

Requests derive from :class:`bianmin.kit.schemas.RequestBody`; answers are ``<Thing>Read``.
"""

from bianmin.catalog.schemas.applications import (
    Applicant,
    ApplicationCreate,
    ApplicationRead,
    ApplicationTransition,
    MaterialRead,
    StepRead,
    SuppliedMaterial,
)
from bianmin.catalog.schemas.calendar import (
    CalendarDayRead,
    CalendarDaySet,
    CalendarLoadRead,
    CalendarVersionRead,
    CalendarYearFile,
    CalendarYearLoad,
    NoticeDayEntry,
)
from bianmin.catalog.schemas.common import (
    ApplicationStatus,
    CaseStatus,
    Channel,
    CrossProvinceMode,
    ExerciseLevel,
    ItemStatus,
    ItemType,
    SiteLevel,
    TargetGroup,
    TerminalKind,
)
from bianmin.catalog.schemas.evaluations import EvaluationCreate, EvaluationRead, EvaluationStep
from bianmin.catalog.schemas.exchange import (
    AgreementCreate,
    AgreementRead,
    CatalogExport,
    CatalogImport,
    ImportResult,
    ItemImport,
)
from bianmin.catalog.schemas.items import (
    ItemCreate,
    ItemExport,
    ItemFields,
    ItemRead,
    ItemRevisionRead,
    ItemStatusChange,
    Material,
)
from bianmin.catalog.schemas.policies import (
    PolicyCreate,
    PolicyRead,
    RedemptionCreate,
    RedemptionRead,
    RedemptionStatusChange,
)
from bianmin.catalog.schemas.sites import (
    DepartmentCreate,
    DepartmentRead,
    OfferingItem,
    OfferingsWrite,
    SiteCreate,
    SiteImport,
    SiteImportResult,
    SiteRead,
    SiteWrite,
)
from bianmin.catalog.schemas.stats import ApplicationStats, PolicyStats

__all__ = [
    "AgreementCreate", "AgreementRead", "Applicant", "ApplicationCreate", "ApplicationRead", "ApplicationStats",
    "ApplicationStatus", "ApplicationTransition", "CalendarDayRead", "CalendarDaySet", "CalendarLoadRead",
    "CalendarVersionRead", "CalendarYearFile", "CalendarYearLoad", "CaseStatus", "CatalogExport",
    "CatalogImport", "Channel", "CrossProvinceMode", "DepartmentCreate", "DepartmentRead", "EvaluationCreate",
    "EvaluationRead", "EvaluationStep", "ExerciseLevel", "ImportResult", "ItemCreate", "ItemExport", "ItemFields",
    "ItemImport", "ItemRead", "ItemRevisionRead", "ItemStatus", "ItemStatusChange", "ItemType", "Material", "MaterialRead",
    "NoticeDayEntry", "OfferingItem", "OfferingsWrite", "PolicyCreate", "PolicyRead", "PolicyStats", "RedemptionCreate",
    "RedemptionRead", "RedemptionStatusChange", "SiteCreate", "SiteImport", "SiteImportResult", "SiteLevel", "SiteRead",
    "SiteWrite", "StepRead", "SuppliedMaterial", "TargetGroup", "TerminalKind",
]
