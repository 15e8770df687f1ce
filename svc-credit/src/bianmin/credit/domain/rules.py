"""The scoring rules as data: what an operator with ``credit:admin`` may change, and its bounds.

No national standard fixes the five colors (DOMAIN.md), so everything that decides a color is a
field here: the base score, the score bands, the kinds of bad behaviour with their severity,
deduction and publication period, the bonus kinds and their cap, the hard rules, the one-year
clean upgrade (转码), the repair periods, how consumed events become records, and what each color
may do (eligibility). The defaults follow Jiangsu's bands and the NDRC credit-repair periods.

Statutory bounds are code, not data, because an operator may not break them: a minor record is
published at most 3 months, a general one 3–12 months, a serious one 12–36 months; repair is
possible once the severity's minimum period is served (minor: at once, general: 3 months,
serious: 12 months), and an operator may lengthen those minimums but not shorten them.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from bianmin.kit.schemas import RequestBody

Color = Literal["green", "blue", "yellow", "orange", "red"]
Severity = Literal["minor", "general", "serious"]
Action = Literal["bid", "guarantee"]
Decision = Literal["allowed", "review_required", "restricted"]

COLORS: tuple[Color, ...] = ("green", "blue", "yellow", "orange", "red")
"""Best first: raising a color one grade moves it one step left."""

PUBLICATION_BOUNDS: dict[str, tuple[int, int]] = {"minor": (1, 3), "general": (3, 12), "serious": (12, 36)}
REPAIR_MINIMUM: dict[str, int] = {"minor": 0, "general": 3, "serious": 12}


class Band(RequestBody):
    """A color reached by a score of at least ``min_score``."""

    color: Color
    min_score: Decimal = Field(ge=0, le=1000)


class KindRule(RequestBody):
    """A kind of bad behaviour: its severity, deduction and default publication period."""

    label: str = Field(min_length=1, max_length=100)
    severity: Severity
    points: Decimal = Field(ge=0, le=1000)
    publication_months: int = Field(ge=1, le=36)

    @model_validator(mode="after")
    def _within_bounds(self) -> KindRule:
        low, high = PUBLICATION_BOUNDS[self.severity]
        if not low <= self.publication_months <= high:
            raise ValueError(f"a {self.severity} record is published {low} to {high} months, "
                             f"not {self.publication_months}")
        return self


class BonusKind(RequestBody):
    """A kind of bonus item (an award, an honour) and the points it adds once approved."""

    label: str = Field(min_length=1, max_length=100)
    points: Decimal = Field(gt=0, le=100)
    max_valid_months: int = Field(default=24, ge=1, le=60)


class HardRule(RequestBody):
    """A confirmed record of one of these severities or kinds, within its period, forces ``color``."""

    name: str = Field(min_length=1, max_length=100)
    severities: list[Severity] = Field(default_factory=list)
    kinds: list[str] = Field(default_factory=list)
    color: Color


class CleanUpgrade(RequestBody):
    """The one-year clean upgrade (转码): no bad record confirmed in ``clean_days`` raises the color."""

    enabled: bool = True
    clean_days: int = Field(default=365, ge=30, le=1095)
    grades: int = Field(default=1, ge=1, le=4)


class EventSource(RequestBody):
    """How a consumed event becomes a record: which kind, and whether it is confirmed at once."""

    kind: str | None = None
    kinds_by_reason: dict[str, str] = Field(default_factory=dict)
    status: Literal["pending", "confirmed"]


class Permission(RequestBody):
    """What a color may do for one action."""

    decision: Decision
    reason: str = Field(min_length=1, max_length=300)


class RuleBody(RequestBody):
    """A whole rule set; validated as one so that its parts agree with each other."""

    base_score: Decimal = Field(default=Decimal(100), gt=0, le=1000)
    max_score: Decimal = Field(default=Decimal(100), gt=0, le=1000)
    bands: list[Band]
    kinds: dict[str, KindRule]
    bonus_kinds: dict[str, BonusKind]
    bonus_cap: Decimal = Field(ge=0, le=100)
    hard_rules: list[HardRule]
    clean_upgrade: CleanUpgrade
    repair_min_months: dict[Severity, int]
    event_sources: dict[str, EventSource]
    eligibility: dict[Action, dict[Color, Permission]]

    @model_validator(mode="after")
    def _consistent(self) -> RuleBody:
        if self.max_score < self.base_score:
            raise ValueError("max_score must not be below base_score")
        colors = [band.color for band in self.bands]
        if sorted(colors, key=COLORS.index) != list(COLORS) or len(colors) != len(COLORS):
            raise ValueError("bands must name each of the five colors once")
        ordered = sorted(self.bands, key=lambda band: COLORS.index(band.color))
        if any(a.min_score <= b.min_score for a, b in itertools.pairwise(ordered)):
            raise ValueError("a better color must need a strictly higher min_score")
        if ordered[-1].min_score != 0:
            raise ValueError("the red band must start at 0 so that every score has a color")
        for severity, minimum in REPAIR_MINIMUM.items():
            months = self.repair_min_months.get(severity)  # type: ignore[call-overload]
            if months is None or not minimum <= months <= PUBLICATION_BOUNDS[severity][1]:
                raise ValueError(f"repair_min_months.{severity} must be {minimum} to "
                                 f"{PUBLICATION_BOUNDS[severity][1]} months")
        for rule in self.hard_rules:
            unknown = [k for k in rule.kinds if k not in self.kinds]
            if unknown:
                raise ValueError(f"hard rule {rule.name!r} names unknown kinds: {', '.join(unknown)}")
        for subject, source in self.event_sources.items():
            named = [source.kind, *source.kinds_by_reason.values()]
            unknown = [k for k in named if k is not None and k not in self.kinds]
            if unknown or (source.kind is None and not source.kinds_by_reason):
                raise ValueError(f"event source {subject} must map to known kinds")
        for action in ("bid", "guarantee"):
            table = self.eligibility.get(action)  # type: ignore[call-overload]
            if table is None or set(table) != set(COLORS):
                raise ValueError(f"eligibility.{action} must name each of the five colors")
        return self

    def color_for(self, score: Decimal) -> Color:
        """The color of a score under these bands."""
        for band in sorted(self.bands, key=lambda b: b.min_score, reverse=True):
            if score >= band.min_score:
                return band.color
        return "red"


def _permissions(restricted: dict[str, tuple[Decision, str]]) -> dict[Color, Permission]:
    table = {color: Permission(decision="allowed", reason=f"{color} code: no restriction") for color in COLORS}
    for color, (decision, reason) in restricted.items():
        table[color] = Permission(decision=decision, reason=reason)  # type: ignore[index]
    return table


DEFAULT_RULES = RuleBody(
    bands=[Band(color="green", min_score=Decimal(95)), Band(color="blue", min_score=Decimal(85)),
           Band(color="yellow", min_score=Decimal(75)), Band(color="orange", min_score=Decimal(60)),
           Band(color="red", min_score=Decimal(0))],
    kinds={
        "collusion": KindRule(label="串通投标", severity="serious", points=Decimal(40), publication_months=24),
        "bribery": KindRule(label="行贿", severity="serious", points=Decimal(40), publication_months=36),
        "false_materials": KindRule(label="提供虚假材料", severity="general", points=Decimal(15),
                                    publication_months=12),
        "refused_to_sign": KindRule(label="中标后拒签合同", severity="general", points=Decimal(10),
                                    publication_months=6),
        "withdrew_after_deadline": KindRule(label="截止后撤回投标", severity="general", points=Decimal(8),
                                            publication_months=6),
        "guarantee_claimed": KindRule(label="保函被索赔", severity="general", points=Decimal(10),
                                      publication_months=6),
        "quality_defect": KindRule(label="工程质量缺陷", severity="general", points=Decimal(12),
                                   publication_months=12),
        "default_other": KindRule(label="其他违约行为", severity="general", points=Decimal(5),
                                   publication_months=3),
        "late_performance": KindRule(label="履约延误", severity="minor", points=Decimal(3), publication_months=3),
        "site_safety": KindRule(label="安全文明施工不规范", severity="minor", points=Decimal(2),
                                publication_months=3),
    },
    bonus_kinds={
        "provincial_award": BonusKind(label="省级优质工程奖", points=Decimal(3)),
        "municipal_award": BonusKind(label="市级优质工程奖", points=Decimal(2)),
        "contract_honour": BonusKind(label="守合同重信用企业", points=Decimal(2), max_valid_months=12),
    },
    bonus_cap=Decimal(5),
    hard_rules=[HardRule(name="serious record within its period", severities=["serious"], color="red")],
    clean_upgrade=CleanUpgrade(),
    repair_min_months={"minor": 0, "general": 3, "serious": 12},
    event_sources={
        "bidding.collusion.confirmed": EventSource(kind="collusion", status="confirmed"),
        "bidding.bidder.defaulted": EventSource(
            kinds_by_reason={"refused_to_sign": "refused_to_sign",
                             "withdrew_after_deadline": "withdrew_after_deadline",
                             "false_materials": "false_materials", "other": "default_other"},
            status="confirmed"),
        "guarantee.guarantee.claimed": EventSource(kind="guarantee_claimed", status="pending"),
    },
    eligibility={
        "bid": _permissions({"orange": ("review_required", "orange code: the tenderer reviews the bid qualification"),
                             "red": ("restricted", "red code: bidding is restricted while a serious record counts")}),
        "guarantee": _permissions({"yellow": ("review_required", "yellow code: the issuer reviews the application"),
                                   "orange": ("review_required", "orange code: the issuer reviews the application"),
                                   "red": ("restricted", "red code: no electronic guarantee is issued")}),
    },
)
