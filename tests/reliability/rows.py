"""One row of the fault suite's table per fault: what was written, what survived, what clients saw."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Row:
    """One fault's outcome."""

    fault: str
    acknowledged: int = 0
    found: int = 0
    produced: int = 0
    consumed: int = 0
    applied_twice: int = 0
    client_errors: int = 0
    notes: list[str] = field(default_factory=list)
    ok: bool = True
    skipped: bool = False

    def fail(self, why: str) -> None:
        """Record a broken promise."""
        self.ok = False
        self.notes.append(why)


def format_table(rows: list[Row]) -> str:
    header = ("fault", "acked", "found", "events", "consumed", "twice", "client errors", "result")
    lines = [header] + [(r.fault, str(r.acknowledged), str(r.found), str(r.produced), str(r.consumed),
                         str(r.applied_twice), str(r.client_errors), "skipped" if r.skipped else "ok" if r.ok else "FAILED") for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) for line in lines]
    text.insert(1, "  ".join("-" * w for w in widths))
    for r in rows:
        text.extend(f"  {r.fault}: {note}" for note in r.notes)
    return "\n".join(text)
