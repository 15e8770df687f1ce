"""The color computation: a pure function of records, bonuses, rules and a date.

On a day ``D`` (a calendar date in Asia/Shanghai):

1. A bad record *counts* when it was confirmed on or before ``D``, had not been revoked or
   repaired by ``D`` (a record ended on day ``E`` counts up to ``E - 1``), and its publication
   period has not run out: it counts from its confirmation date up to the day before
   ``confirmed_on + publication_months`` (the decision date starts the period, as a penalty's
   publication starts from its decision).
2. An approved bonus counts from its approval date through its ``valid_until`` date inclusive.
3. score = base − Σ points of counted records + min(Σ points of counted bonuses, bonus cap),
   clamped to [0, max_score]; the band whose ``min_score`` the score reaches gives the color.
4. Hard rules: a counted record whose severity or kind a hard rule names forces that rule's color
   when it is worse than the band's.
5. Clean-year upgrade (转码): when the color so far is not green and no bad record was confirmed in
   the ``clean_days`` days ending on ``D`` (that is, none with ``D - clean_days < confirmed_on ≤ D``,
   leaving out records revoked by ``D`` — a revoked record never happened; a repaired one did),
   the color rises by ``grades`` (never above green). The score is left as it is: the upgrade
   rewards time without new misconduct while older records are still published.

The outcome lists every record and bonus that contributed, every one that did not and why, and
every rule applied, so that a color can be explained and reproduced.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from bianmin.credit.domain.rules import COLORS, Color, RuleBody


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class RecordFact:
    """What the computation needs of a bad record."""

    id: int
    kind: str
    severity: str
    points: Decimal
    publication_months: int
    confirmed_on: date | None
    ended_on: date | None = None
    ended_as: str | None = None

    @property
    def expires_on(self) -> date | None:
        """The first day the record no longer counts because its publication period ran out."""
        return None if self.confirmed_on is None else add_months(self.confirmed_on, self.publication_months)


@dataclass(frozen=True)
class BonusFact:
    """What the computation needs of a bonus item."""

    id: int
    kind: str
    points: Decimal
    approved_on: date | None
    valid_until: date


@dataclass(frozen=True)
class Contribution:
    """One record, bonus or rule and what it did to the color."""

    source: str
    detail: str
    ref: int | None = None
    kind: str | None = None
    points: Decimal | None = None


@dataclass(frozen=True)
class Outcome:
    """A color with everything that produced it."""

    color: Color
    score: Decimal
    rule_version: int
    as_of: date
    band_color: Color
    contributions: list[Contribution] = field(default_factory=list)
    ignored: list[Contribution] = field(default_factory=list)

    def summary(self) -> str:
        """One line for a color change's reason."""
        parts = [c.detail for c in self.contributions if c.source != "base"]
        return f"{self.color} at {self.score} under rules v{self.rule_version}: " + ("; ".join(parts) or "no records")


def record_counts(record: RecordFact, day: date) -> str | None:
    """None when the record counts on ``day``, otherwise why it does not."""
    if record.confirmed_on is None or record.confirmed_on > day:
        if record.ended_on is not None and record.ended_on <= day:
            return f"{record.ended_as} on {record.ended_on}"
        return "not confirmed"
    if record.ended_on is not None and record.ended_on <= day:
        return f"{record.ended_as} on {record.ended_on}"
    expires = record.expires_on
    assert expires is not None
    if day >= expires:
        return f"publication period ended on {expires - timedelta(days=1)}"
    return None


def _raise(color: Color, grades: int) -> Color:
    return COLORS[max(0, COLORS.index(color) - grades)]


def _worse(a: Color, b: Color) -> Color:
    return a if COLORS.index(a) >= COLORS.index(b) else b


def compute(records: list[RecordFact], bonuses: list[BonusFact], rules: RuleBody, *,
            rule_version: int, as_of: date) -> Outcome:
    """The color, score and explanation of one enterprise on ``as_of`` under ``rules``."""
    contributions = [Contribution(source="base", detail=f"base score {rules.base_score}", points=rules.base_score)]
    ignored: list[Contribution] = []
    score = rules.base_score
    counted: list[RecordFact] = []
    for record in sorted(records, key=lambda r: r.id):
        why_not = record_counts(record, as_of)
        if why_not is None:
            counted.append(record)
            score -= record.points
            contributions.append(Contribution(
                source="record", ref=record.id, kind=record.kind, points=-record.points,
                detail=f"record #{record.id} {record.kind} ({record.severity}) -{record.points} "
                       f"until {record.expires_on - timedelta(days=1)}"))  # type: ignore[operator]
        else:
            ignored.append(Contribution(source="record", ref=record.id, kind=record.kind,
                                        detail=f"record #{record.id} {record.kind}: {why_not}"))
    bonus_total = Decimal(0)
    for bonus in sorted(bonuses, key=lambda b: b.id):
        if bonus.approved_on is not None and bonus.approved_on <= as_of <= bonus.valid_until:
            bonus_total += bonus.points
            contributions.append(Contribution(source="bonus", ref=bonus.id, kind=bonus.kind, points=bonus.points,
                                              detail=f"bonus #{bonus.id} {bonus.kind} +{bonus.points} "
                                                     f"until {bonus.valid_until}"))
        else:
            why = "not approved" if bonus.approved_on is None or bonus.approved_on > as_of else \
                f"expired after {bonus.valid_until}"
            ignored.append(Contribution(source="bonus", ref=bonus.id, kind=bonus.kind,
                                        detail=f"bonus #{bonus.id} {bonus.kind}: {why}"))
    if bonus_total > rules.bonus_cap:
        contributions.append(Contribution(source="bonus_cap", points=rules.bonus_cap - bonus_total,
                                          detail=f"bonuses capped at {rules.bonus_cap}"))
        bonus_total = rules.bonus_cap
    score = min(max(score + bonus_total, Decimal(0)), rules.max_score)
    band_color = rules.color_for(score)
    color = band_color
    contributions.append(Contribution(source="band", detail=f"score {score} is in the {band_color} band"))
    for rule in rules.hard_rules:
        hits = [r for r in counted if r.severity in rule.severities or r.kind in rule.kinds]
        if hits and _worse(rule.color, color) != color:
            color = rule.color
            contributions.append(Contribution(
                source="hard_rule", ref=hits[0].id, kind=hits[0].kind,
                detail=f"hard rule '{rule.name}': record #{hits[0].id} forces {rule.color}"))
    upgrade = rules.clean_upgrade
    if upgrade.enabled and color != "green":
        window_start = as_of - timedelta(days=upgrade.clean_days)
        recent = [r for r in records if r.confirmed_on is not None and window_start < r.confirmed_on <= as_of
                  and not (r.ended_as == "revoked" and r.ended_on is not None and r.ended_on <= as_of)]
        if not recent:
            raised = _raise(color, upgrade.grades)
            contributions.append(Contribution(
                source="clean_upgrade",
                detail=f"clean-year upgrade: no record confirmed after {window_start}, {color} -> {raised}"))
            color = raised
    return Outcome(color=color, score=score.quantize(Decimal("0.01")), rule_version=rule_version, as_of=as_of,
                   band_color=band_color, contributions=contributions, ignored=ignored)
