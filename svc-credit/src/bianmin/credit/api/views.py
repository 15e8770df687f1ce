"""The API's answers built from rows and domain results: each a plain function, no query, no rule."""

from __future__ import annotations

from collections.abc import Sequence

from bianmin.credit.domain.enterprises import ImportReport
from bianmin.credit.domain.recompute import BatchResult
from bianmin.credit.domain.records import RecordDetail
from bianmin.credit.domain.ruleset import Rules
from bianmin.credit.domain.scoring import Outcome
from bianmin.credit.models import BadRecord, BonusItem, Enterprise, RecordHistory
from bianmin.credit.schemas import (
    BonusRead,
    ColorRead,
    ContributionRead,
    EnterpriseRead,
    HistoryRead,
    ImportReportRead,
    RecomputeRead,
    RecordRead,
    RejectedRowRead,
    RulesRead,
)


def enterprise_read(enterprise: Enterprise, warning: str | None = None) -> EnterpriseRead:
    """The API view of an enterprise, with the warning registration gave (a legacy code)."""
    read = EnterpriseRead.model_validate(enterprise)
    if warning:
        read.warnings.append(warning)
    return read


def import_report_read(report: ImportReport) -> ImportReportRead:
    """What a CSV import did, each rejected row with its line and reason."""
    return ImportReportRead(rows=report.rows, created=report.created, updated=report.updated,
                            unchanged=report.unchanged,
                            rejected=[RejectedRowRead(**vars(r)) for r in report.rejected],
                            warnings=[RejectedRowRead(**vars(r)) for r in report.warnings])


def color_read(enterprise: Enterprise, outcome: Outcome) -> ColorRead:
    """An enterprise's color on a date with every record, bonus and rule behind it."""
    return ColorRead(credit_code=enterprise.credit_code, name=enterprise.name, as_of=outcome.as_of,
                     color=outcome.color, score=outcome.score, rule_version=outcome.rule_version,
                     band_color=outcome.band_color,
                     contributions=[ContributionRead(**vars(c)) for c in outcome.contributions],
                     ignored=[ContributionRead(**vars(c)) for c in outcome.ignored])


def record_read(detail: RecordDetail) -> RecordRead:
    """The API view of a record with its history."""
    return record_view(detail.record, detail.credit_code, detail.history)


def record_view(record: BadRecord, credit_code: str, steps: Sequence[RecordHistory] = ()) -> RecordRead:
    """The API view of a record whose enterprise's code is known (lists leave the history out)."""
    return RecordRead(id=record.id, credit_code=credit_code, kind=record.kind, severity=record.severity,
                      points=record.points, publication_months=record.publication_months,
                      occurred_on=record.occurred_on, evidence=record.evidence, source=record.source,
                      site_code=record.site_code, status=record.status, rule_version=record.rule_version,
                      confirmed_on=record.confirmed_on, ended_on=record.ended_on, created_at=record.created_at,
                      history=[HistoryRead.model_validate(s) for s in steps])


def bonus_view(bonus: BonusItem, credit_code: str) -> BonusRead:
    """The API view of a bonus item whose enterprise's code is known."""
    return BonusRead(id=bonus.id, credit_code=credit_code, kind=bonus.kind, points=bonus.points,
                     evidence=bonus.evidence, valid_until=bonus.valid_until, status=bonus.status,
                     approved_on=bonus.approved_on, decided_by=bonus.decided_by, decision_note=bonus.decision_note,
                     created_at=bonus.created_at)


def rules_read(rules: Rules) -> RulesRead:
    """The API view of a rule version."""
    return RulesRead(version=rules.version, valid_from=rules.valid_from, note=rules.note, body=rules.body)


def recompute_read(result: BatchResult) -> RecomputeRead:
    """What a batch recompute did."""
    return RecomputeRead(day=result.day, rule_version=result.rule_version, enterprises=result.enterprises,
                         rescored=result.rescored, changes=result.changes)
