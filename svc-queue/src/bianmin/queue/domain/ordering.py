"""The call order, as a pure function: which waiting ticket a counter calls next, and why.

Tiers, first to last:

1. ``starvation_cap`` — a ticket that has waited longer than the cap is called before everything
   else, longest wait first, so that neither priorities nor appointments can starve anyone.
2. ``appointment_due`` — a checked-in appointment whose slot starts within the due lead (or has
   started), earliest slot first. An appointment checked in early waits like a walk-in until due.
3. ``transfer`` and ``priority_*`` — a ticket transferred to this very counter, then elderly (60+
   by the ID number), disabled, green channel; longest weighted wait first.
4. ``longest_wait`` — everyone else, by weighted wait.

The weighted wait is ``wait_seconds × weight`` of the ticket's line at this counter: a counter that
serves line A with weight 3 and line B with weight 1 prefers A's tickets unless B's have waited
three times as long. Ties break on the earlier queue time, then the smaller ticket id, so the
order is total and deterministic. A ticket transferred to a particular counter is only a candidate
there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

TIER_NAMES = {0: "starvation_cap", 1: "appointment_due", 2: "priority", 3: "longest_wait"}


@dataclass(frozen=True)
class Candidate:
    """What the call order needs to know of one waiting ticket."""

    ticket_id: int
    line_id: int
    queued_at: datetime
    due_at: datetime | None = None
    elderly: bool = False
    disabled: bool = False
    green_channel: bool = False
    target_counter_id: int | None = None


@dataclass(frozen=True)
class Rules:
    """The tunable parts of the call order."""

    starvation_cap: timedelta = timedelta(minutes=45)
    due_lead: timedelta = timedelta(minutes=5)


@dataclass(frozen=True)
class Pick:
    """A ranked candidate: the tier it fell in, the reason to announce, and the score details."""

    candidate: Candidate
    tier: int
    reason: str
    score: dict[str, Any] = field(default_factory=dict)

    def sort_key(self) -> tuple[Any, ...]:
        """Lower sorts first."""
        details = self.score
        if self.tier == 1:
            primary: float = details["due_at"].timestamp()
        else:
            primary = -float(details["weighted_wait"])
        return (self.tier, primary, self.candidate.queued_at, self.candidate.ticket_id)


def _priority_reason(c: Candidate) -> str | None:
    if c.elderly:
        return "priority_elderly"
    if c.disabled:
        return "priority_disabled"
    if c.green_channel:
        return "priority_green_channel"
    return None


def score(candidate: Candidate, *, weight: int, now: datetime, rules: Rules) -> Pick:
    """Place one candidate in its tier and record every figure that put it there."""
    wait = max(0, int((now - candidate.queued_at).total_seconds()))
    details: dict[str, Any] = {
        "wait_seconds": wait, "weight": weight, "weighted_wait": wait * weight,
        "starvation_cap_seconds": int(rules.starvation_cap.total_seconds()),
    }
    priorities = [name for name, flag in (("elderly", candidate.elderly), ("disabled", candidate.disabled),
                                         ("green_channel", candidate.green_channel)) if flag]
    details["priorities"] = priorities
    if candidate.due_at is not None:
        details["due_at"] = candidate.due_at
    if wait > rules.starvation_cap.total_seconds():
        return Pick(candidate, 0, "starvation_cap", details)
    if candidate.due_at is not None and now >= candidate.due_at - rules.due_lead:
        return Pick(candidate, 1, "appointment_due", details)
    if candidate.target_counter_id is not None:
        return Pick(candidate, 2, "transfer", details)
    reason = _priority_reason(candidate)
    if reason is not None:
        return Pick(candidate, 2, reason, details)
    return Pick(candidate, 3, "longest_wait", details)


def rank(candidates: list[Candidate], *, weights: dict[int, int], counter_id: int, now: datetime,
         rules: Rules) -> list[Pick]:
    """Every candidate this counter may call, best first; lines the counter does not serve are left out."""
    picks = [score(c, weight=weights[c.line_id], now=now, rules=rules) for c in candidates
             if c.line_id in weights and c.target_counter_id in (None, counter_id)]
    picks.sort(key=Pick.sort_key)
    return picks


def explain(pick: Pick) -> dict[str, Any]:
    """The score details as JSON-ready values, with the tier named."""
    details = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in pick.score.items()}
    details["tier"] = TIER_NAMES[pick.tier]
    return details
