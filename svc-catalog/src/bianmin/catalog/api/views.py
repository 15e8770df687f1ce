"""Answers built from rows: how the catalog's tables read in the API (masking included), in one place."""

from __future__ import annotations

from datetime import date

from bianmin.catalog.domain.applications import is_overdue
from bianmin.catalog.domain.evaluations import LEVEL_NAMES, is_bad
from bianmin.catalog.models import Application, ApplicationStep, Department, Evaluation, Item, ItemRevision, Site
from bianmin.catalog.schemas import (
    ApplicationRead,
    CatalogExport,
    DepartmentRead,
    EvaluationRead,
    ItemExport,
    ItemRead,
    ItemRevisionRead,
    MaterialRead,
    OfferingItem,
    OfferingsWrite,
    SiteRead,
    StepRead,
)
from bianmin.kit.identifiers import mask_name, mask_phone, mask_resident_id


def application_view(application: Application, *, today: date, masked: bool,
                     steps: list[ApplicationStep] | None = None) -> ApplicationRead:
    """An application, with the applicant masked when asked and its steps when given (a detail view)."""
    number, name, phone = application.applicant_id_number, application.applicant_name, application.applicant_phone
    if masked:
        number, name, phone = mask_resident_id(number), mask_name(name), mask_phone(phone)
    return ApplicationRead(
        number=application.number, item_code=application.item_code, item_revision=application.item_revision,
        department_code=application.department_code, site_code=application.site_code,
        terminal_code=application.terminal_code, channel=application.channel,
        applicant_type=application.applicant_type, applicant_id_number=number, applicant_name=name,
        applicant_phone=phone, materials=[MaterialRead.model_validate(m) for m in application.materials],
        status=application.status,  # type: ignore[arg-type]
        auto_approved=application.auto_approved, submitted_at=application.submitted_at,
        promised_date=application.promised_date, promised_provisional=application.promised_provisional,
        promised_basis=application.promised_basis, finished_at=application.finished_at,
        certificate_no=application.certificate_no, reason=application.reason,
        overdue=is_overdue(application, today),
        steps=None if steps is None else [StepRead.model_validate(s) for s in steps])


def evaluation_view(evaluation: Evaluation, number: str) -> EvaluationRead:
    """An evaluation with its application's number, the level's name and whether it is a bad review."""
    return EvaluationRead.model_validate({
        **{c: getattr(evaluation, c) for c in EvaluationRead.model_fields
           if c not in ("application_number", "level_name", "bad")},
        "application_number": number, "level_name": LEVEL_NAMES[evaluation.level],
        "bad": is_bad(evaluation.level)})


def item_view(item: Item, score: float | None = None) -> ItemRead:
    """An item at its current revision, with its search score when it was found by a query."""
    return ItemRead.model_validate(item).model_copy(update={"score": score})


def revision_view(revision: ItemRevision) -> ItemRevisionRead:
    """One saved revision of an item."""
    return ItemRevisionRead.model_validate(revision)


def site_view(site: Site, distance_km: float | None = None) -> SiteRead:
    """A site, with its distance (to the metre) on service-map answers."""
    view = SiteRead.model_validate(site)
    return view if distance_km is None else view.model_copy(update={"distance_km": round(distance_km, 3)})


def offerings_view(offerings: list[tuple[str, list[str]]]) -> OfferingsWrite:
    """What a site offers, in the shape an operator writes it."""
    return OfferingsWrite(offerings=[OfferingItem(item_code=code, channels=channels)  # type: ignore[arg-type]
                                     for code, channels in offerings])


def export_view(departments: list[Department], items: list[Item]) -> CatalogExport:
    """The whole catalog in the import's own shape."""
    return CatalogExport(departments=[DepartmentRead.model_validate(d) for d in departments],
                         items=[ItemExport.model_validate(i) for i in items])
