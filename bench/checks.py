"""The correctness checks the harness makes on what a scenario did."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ExactlyOnce:
    """The outcome of checking that each waiting ticket was called exactly once."""

    expected: int
    called: int
    duplicates: dict[int, int]
    missing: frozenset[int]
    unexpected: frozenset[int]

    @property
    def ok(self) -> bool:
        """True when every ticket was called once and nothing else was called."""
        return not self.duplicates and not self.missing and not self.unexpected

    def describe(self) -> str:
        """One line for the table's note column."""
        if self.ok:
            return f"all {self.expected} tickets called exactly once"
        parts = []
        if self.duplicates:
            sample = ", ".join(f"{t}×{n}" for t, n in sorted(self.duplicates.items())[:5])
            parts.append(f"{len(self.duplicates)} called more than once ({sample})")
        if self.missing:
            parts.append(f"{len(self.missing)} never called")
        if self.unexpected:
            parts.append(f"{len(self.unexpected)} called that were not waiting")
        return "; ".join(parts)


def exactly_once(waiting: Iterable[int], calls: Iterable[int]) -> ExactlyOnce:
    """Compare the ticket ids that waited with the ticket ids the counters' calls returned."""
    expected = set(waiting)
    counts = Counter(calls)
    duplicates = {ticket: n for ticket, n in counts.items() if n > 1}
    return ExactlyOnce(expected=len(expected), called=sum(counts.values()), duplicates=duplicates,
                       missing=frozenset(expected - counts.keys()), unexpected=frozenset(counts.keys() - expected))
