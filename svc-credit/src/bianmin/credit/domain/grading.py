"""The batch's lean color computation: color and score only, over plain tuples.

:func:`bianmin.credit.domain.scoring.compute` explains a color (every record, bonus and rule with
its text); the daily batch over 100,000 enterprises needs only the color and the score to find
what changed, and explains just the changes. :class:`Grader` applies the same rules as
``compute`` (the steps of :mod:`.scoring`'s docstring) with the rule set's bands and hard rules
prepared once, and an enterprise without records or bonuses (most of them) gets the one outcome
of a blank enterprise, computed once per batch. A test checks on thousands of random enterprises
that the two functions agree on color and score.

Facts are the column tuples the batch selects:

- a record: ``(id, severity, kind, points, publication_months, confirmed_on, ended_on, status)``;
- a bonus: ``(id, points, approved_on, valid_until)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from bianmin.credit.domain.rules import COLORS, Color, RuleBody
from bianmin.credit.domain.scoring import add_months

CENT = Decimal("0.01")
RecordRow = Sequence[Any]
BonusRow = Sequence[Any]


@lru_cache(maxsize=65536)
def _expiry(confirmed_on: date, months: int) -> date:
    return add_months(confirmed_on, months)


class Grader:
    """One rule set prepared for grading many enterprises on one day."""

    def __init__(self, rules: RuleBody, as_of: date) -> None:
        """Prepare the bands, hard rules and clean-year window of ``rules`` for the day ``as_of``."""
        self.rules = rules
        self.as_of = as_of
        self.bands = sorted(((band.min_score, band.color) for band in rules.bands), reverse=True)
        self.hard = [(frozenset(rule.severities), frozenset(rule.kinds), COLORS.index(rule.color))
                     for rule in rules.hard_rules]
        upgrade = rules.clean_upgrade
        self.upgrade_grades = upgrade.grades if upgrade.enabled else 0
        self.window_start = as_of - timedelta(days=upgrade.clean_days)
        self.blank = self._grade((), ())

    def grade(self, records: Sequence[RecordRow], bonuses: Sequence[BonusRow]) -> tuple[Color, Decimal]:
        """(color, score) of one enterprise from its confirmed records and approved bonuses."""
        if not records and not bonuses:
            return self.blank
        return self._grade(records, bonuses)

    def _band(self, score: Decimal) -> int:
        for min_score, color in self.bands:
            if score >= min_score:
                return COLORS.index(color)
        return len(COLORS) - 1

    def _grade(self, records: Sequence[RecordRow], bonuses: Sequence[BonusRow]) -> tuple[Color, Decimal]:
        day, rules = self.as_of, self.rules
        score = rules.base_score
        counted: list[tuple[str, str]] = []
        recent = False
        for _id, severity, kind, points, months, confirmed_on, ended_on, status in records:
            if confirmed_on is None:
                continue
            ended = ended_on is not None and ended_on <= day
            if confirmed_on <= day and not ended and day < _expiry(confirmed_on, months):
                counted.append((severity, kind))
                score -= points
            if self.window_start < confirmed_on <= day and not (ended and status == "revoked"):
                recent = True
        bonus_total = Decimal(0)
        for _id, points, approved_on, valid_until in bonuses:
            if approved_on is not None and approved_on <= day <= valid_until:
                bonus_total += points
        score = min(max(score + min(bonus_total, rules.bonus_cap), Decimal(0)), rules.max_score)
        grade = self._band(score)
        for severities, kinds, color in self.hard:
            if color > grade and any(s in severities or k in kinds for s, k in counted):
                grade = color
        if self.upgrade_grades and grade and not recent:
            grade = max(0, grade - self.upgrade_grades)
        return COLORS[grade], score.quantize(CENT)
