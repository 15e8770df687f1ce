"""Figures of one run: percentiles, measurements tagged with their run, and ratios between them.

A ratio is only ever computed between two :class:`Measurement` objects of the same :class:`Run`,
so a baseline measured yesterday (or on another machine) can never end up in today's table.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between closest ranks; NaN when empty."""
    if not 0 <= q <= 100:
        raise ValueError("q must lie between 0 and 100")
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = math.ceil(rank)
    if low == high:
        return ordered[low]
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Summary:
    """The usual latency figures of a sample, in seconds."""

    count: int
    p50: float
    p90: float
    p99: float
    mean: float
    max: float


def summarize(values: Sequence[float]) -> Summary:
    """Count, p50, p90, p99, mean and max of a sample."""
    if not values:
        return Summary(0, math.nan, math.nan, math.nan, math.nan, math.nan)
    return Summary(len(values), percentile(values, 50), percentile(values, 90), percentile(values, 99),
                   sum(values) / len(values), max(values))


@dataclass(frozen=True)
class Measurement:
    """One measured value, tagged with the run that measured it."""

    run_id: str
    label: str
    value: float
    unit: str


@dataclass(frozen=True)
class Target:
    """A target on a figure: on the ratio, on the value itself, or on value minus baseline."""

    on: Literal["ratio", "value", "difference"]
    op: Literal["<=", ">=", "=="]
    threshold: float
    unit: str = ""

    def met(self, value: float | None, ratio: float | None, difference: float | None) -> bool | None:
        """Whether the figure meets the target (None when the figure is missing)."""
        subject = {"ratio": ratio, "value": value, "difference": difference}[self.on]
        if subject is None or (isinstance(subject, float) and math.isnan(subject)):
            return None
        if self.op == "<=":
            return subject <= self.threshold
        if self.op == ">=":
            return subject >= self.threshold
        return subject == self.threshold

    def describe(self) -> str:
        """The target as the table shows it, e.g. ``ratio <= 5``."""
        name = {"ratio": "ratio", "value": "value", "difference": "added"}[self.on]
        threshold = f"{self.threshold:g}"
        return f"{name} {self.op} {threshold}{(' ' + self.unit) if self.unit else ''}"


@dataclass
class Figure:
    """One row of the table."""

    scenario: str
    name: str
    value: float | None = None
    unit: str = ""
    baseline: float | None = None
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""


class MixedRunError(ValueError):
    """A ratio was asked between figures of different runs."""


@dataclass
class Run:
    """One harness run: every measurement it makes and every figure it reports."""

    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    figures: list[Figure] = field(default_factory=list)

    def measure(self, label: str, value: float, unit: str) -> Measurement:
        """Tag a value measured now as this run's."""
        return Measurement(self.run_id, label, float(value), unit)

    def _own(self, measurement: Measurement) -> None:
        if measurement.run_id != self.run_id:
            raise MixedRunError(f"{measurement.label} was measured in run {measurement.run_id}, not {self.run_id}")

    def report(self, scenario: str, name: str, value: Measurement | None, *, target: Target | None = None,
               note: str = "") -> Figure:
        """Add a figure without a baseline."""
        if value is not None:
            self._own(value)
        figure = Figure(scenario, name, None if value is None else value.value, "" if value is None else value.unit,
                        target=target.describe() if target else "", note=note)
        if target is not None and value is not None:
            figure.met = target.met(value.value, None, None)
        self.figures.append(figure)
        return figure

    def compare(self, scenario: str, name: str, value: Measurement, baseline: Measurement, *,
                target: Target | None = None, note: str = "") -> Figure:
        """Add a figure with its baseline and ratio; both must be this run's own measurements."""
        self._own(value)
        self._own(baseline)
        if value.unit != baseline.unit:
            raise ValueError(f"{value.label} is in {value.unit}, its baseline in {baseline.unit}")
        ratio = value.value / baseline.value if baseline.value else None
        difference = value.value - baseline.value
        figure = Figure(scenario, name, value.value, value.unit, baseline.value, ratio,
                        target.describe() if target else "", None, note)
        if target is not None:
            figure.met = target.met(value.value, ratio, difference)
        self.figures.append(figure)
        return figure

    def skip(self, scenario: str, reason: str) -> Figure:
        """Record that a scenario did not run, and why."""
        figure = Figure(scenario, "skipped", note=reason)
        self.figures.append(figure)
        return figure
