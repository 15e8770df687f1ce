"""The pure color computation and the rules' bounds, without a database."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError

from bianmin.credit.domain.grading import Grader
from bianmin.credit.domain.rules import DEFAULT_RULES, KindRule, RuleBody
from bianmin.credit.domain.scoring import BonusFact, RecordFact, add_months, compute, record_counts

DAY = date(2026, 6, 1)


def rec(n: int, kind: str = "false_materials", severity: str = "general", points: str = "15", months: int = 12,
        confirmed: date | None = date(2026, 1, 10), ended: date | None = None, ended_as: str | None = None) -> RecordFact:
    return RecordFact(id=n, kind=kind, severity=severity, points=Decimal(points), publication_months=months,
                      confirmed_on=confirmed, ended_on=ended, ended_as=ended_as)


def test_add_months_clamps_to_the_end_of_the_month() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert add_months(date(2026, 3, 2), 36) == date(2029, 3, 2)


@pytest.mark.parametrize(("score", "color"), [("100", "green"), ("95", "green"), ("94.99", "blue"), ("85", "blue"),
                                              ("84", "yellow"), ("75", "yellow"), ("74.5", "orange"), ("60", "orange"),
                                              ("59.99", "red"), ("0", "red")])
def test_the_default_bands_follow_jiangsu(score: str, color: str) -> None:
    assert DEFAULT_RULES.color_for(Decimal(score)) == color


def test_deductions_add_up_and_the_score_never_goes_below_zero() -> None:
    records = [rec(n, points="40", severity="general") for n in range(1, 5)]
    outcome = compute(records, [], DEFAULT_RULES, rule_version=1, as_of=DAY)
    assert (outcome.score, outcome.color) == (Decimal("0.00"), "red")
    assert [c.ref for c in outcome.contributions if c.source == "record"] == [1, 2, 3, 4]


def test_a_record_counts_from_confirmation_until_its_period_ends() -> None:
    record = rec(1, months=3, confirmed=date(2026, 1, 31))
    assert record_counts(record, date(2026, 1, 30)) == "not confirmed"
    assert record_counts(record, date(2026, 1, 31)) is None
    assert record_counts(record, date(2026, 4, 29)) is None
    assert record_counts(record, date(2026, 4, 30)) == "publication period ended on 2026-04-29"


def test_revoked_and_repaired_records_stop_counting_on_their_day() -> None:
    repaired = rec(1, ended=date(2026, 5, 1), ended_as="repaired")
    assert record_counts(repaired, date(2026, 4, 30)) is None
    assert record_counts(repaired, date(2026, 5, 1)) == "repaired on 2026-05-01"
    never = rec(2, confirmed=None, ended=date(2026, 2, 1), ended_as="revoked")
    assert record_counts(never, DAY) == "revoked on 2026-02-01"


def test_a_hard_rule_overrides_the_band_only_when_worse() -> None:
    serious = rec(1, kind="collusion", severity="serious", points="1", months=24)
    outcome = compute([serious], [], DEFAULT_RULES, rule_version=3, as_of=DAY)
    assert (outcome.band_color, outcome.color, outcome.rule_version) == ("green", "red", 3)
    assert "forces red" in outcome.summary()


def test_the_clean_year_counts_confirmations_in_the_last_365_days_but_not_revoked_ones() -> None:
    old_serious = rec(1, kind="bribery", severity="serious", points="40", months=36, confirmed=date(2025, 1, 1))
    assert compute([old_serious], [], DEFAULT_RULES, rule_version=1, as_of=date(2025, 12, 31)).color == "red"
    assert compute([old_serious], [], DEFAULT_RULES, rule_version=1, as_of=date(2026, 1, 1)).color == "orange"
    fresh_minor = rec(2, kind="site_safety", severity="minor", points="2", months=1, confirmed=date(2025, 11, 1))
    assert compute([old_serious, fresh_minor], [], DEFAULT_RULES, rule_version=1, as_of=DAY).color == "red"
    assert compute([old_serious, fresh_minor], [], DEFAULT_RULES, rule_version=1, as_of=date(2026, 11, 1)).color == "orange"
    assert compute([old_serious, fresh_minor], [], DEFAULT_RULES, rule_version=1, as_of=date(2026, 1, 1)).color == "red"
    revoked = rec(3, confirmed=date(2025, 11, 1), ended=date(2025, 12, 1), ended_as="revoked")
    assert compute([old_serious, revoked], [], DEFAULT_RULES, rule_version=1, as_of=date(2026, 1, 1)).color == "orange"


def test_the_upgrade_can_be_switched_off_as_data() -> None:
    rules = DEFAULT_RULES.model_copy(update={"clean_upgrade": DEFAULT_RULES.clean_upgrade.model_copy(
        update={"enabled": False})})
    old_serious = rec(1, kind="bribery", severity="serious", points="40", months=36, confirmed=date(2025, 1, 1))
    assert compute([old_serious], [], rules, rule_version=2, as_of=DAY).color == "red"


def test_bonuses_count_while_valid_and_are_capped() -> None:
    bonuses = [BonusFact(id=n, kind="provincial_award", points=Decimal(3), approved_on=date(2026, 1, 1),
                         valid_until=date(2026, 12, 31)) for n in (1, 2)]
    outcome = compute([rec(1, points="10")], bonuses, DEFAULT_RULES, rule_version=1, as_of=DAY)
    assert outcome.score == Decimal("95.00")
    assert compute([rec(1, points="10")], bonuses, DEFAULT_RULES, rule_version=1, as_of=date(2027, 1, 1)).score == 90
    assert compute([], bonuses, DEFAULT_RULES, rule_version=1, as_of=DAY).score == 100  # max_score


def test_kind_periods_must_stay_within_the_statutory_bounds() -> None:
    with pytest.raises(ValidationError, match="serious record is published 12 to 36 months"):
        KindRule(label="x", severity="serious", points=Decimal(1), publication_months=6)
    body = DEFAULT_RULES.model_dump(mode="json")
    body["hard_rules"][0]["kinds"] = ["nope"]
    with pytest.raises(ValidationError, match="unknown kinds"):
        RuleBody.model_validate(body)
    body = DEFAULT_RULES.model_dump(mode="json")
    del body["eligibility"]["bid"]["red"]
    with pytest.raises(ValidationError, match=r"eligibility\.bid"):
        RuleBody.model_validate(body)


def _rule_variants() -> list[RuleBody]:
    body = DEFAULT_RULES.model_dump(mode="json")
    no_upgrade = {**body, "clean_upgrade": {"enabled": False, "clean_days": 365, "grades": 1}}
    two_grades = {**body, "clean_upgrade": {"enabled": True, "clean_days": 180, "grades": 2}}
    by_kind = {**body, "hard_rules": [{"name": "false materials", "kinds": ["false_materials"], "color": "orange"},
                                      {"name": "serious", "severities": ["serious"], "color": "red"}]}
    return [DEFAULT_RULES, *(RuleBody.model_validate(b) for b in (no_upgrade, two_grades, by_kind))]


def test_the_batch_grader_agrees_with_the_explaining_computation_on_random_enterprises() -> None:
    randomness = random.Random(8)
    kinds = list(DEFAULT_RULES.kinds.items())
    for rules in _rule_variants():
        for _ in range(800):
            day = date(2026, 1, 1) + timedelta(days=randomness.randrange(0, 1200))
            records: list[RecordFact] = []
            for n in range(randomness.randrange(0, 5)):
                kind, rule = randomness.choice(kinds)
                confirmed = day - timedelta(days=randomness.randrange(-30, 1200))
                ended = confirmed + timedelta(days=randomness.randrange(0, 400)) if randomness.random() < 0.3 else None
                records.append(RecordFact(id=n + 1, kind=kind, severity=rule.severity,
                                          points=Decimal(randomness.randrange(0, 4000)) / 100,
                                          publication_months=randomness.randrange(1, 37), confirmed_on=confirmed,
                                          ended_on=ended, ended_as=randomness.choice(["revoked", "repaired"])
                                          if ended else None))
            bonuses = [BonusFact(id=n + 1, kind="provincial_award", points=Decimal(randomness.randrange(1, 400)) / 100,
                                 approved_on=day - timedelta(days=randomness.randrange(-20, 400)),
                                 valid_until=day + timedelta(days=randomness.randrange(-100, 400)))
                       for n in range(randomness.randrange(0, 3))]
            outcome = compute(records, bonuses, rules, rule_version=1, as_of=day)
            rows = [(r.id, r.severity, r.kind, r.points, r.publication_months, r.confirmed_on, r.ended_on,
                     r.ended_as or "confirmed") for r in records]
            graded = Grader(rules, day).grade(rows, [(b.id, b.points, b.approved_on, b.valid_until) for b in bonuses])
            assert graded == (outcome.color, outcome.score), (records, bonuses, day)
