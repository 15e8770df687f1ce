"""The table printed at the end of a run and the JSON document written beside it."""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.stats import Figure, Run

COLUMNS = ("scenario", "figure", "value", "baseline", "ratio", "target", "met")


def fmt_number(value: float | None, unit: str = "") -> str:
    """A number for the table: three significant digits, thousands kept whole, unit appended."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    text = (f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}") if unit == "ms" or abs(value) < 1000 else f"{value:,.0f}"
    return f"{text} {unit}".strip()


def rows(figures: list[Figure]) -> list[tuple[str, ...]]:
    """The table's rows, as strings."""
    out = []
    for f in figures:
        if f.name == "skipped":
            out.append((f.scenario, f"skipped: {f.note}", "", "", "", "", ""))
            continue
        met = "" if f.met is None else ("yes" if f.met else "NO")
        name = f"{f.name} ({f.note})" if f.note else f.name
        out.append((f.scenario, name, fmt_number(f.value, f.unit), fmt_number(f.baseline, f.unit),
                    "" if f.ratio is None else f"{f.ratio:.3g}", f.target, met))
    return out


def render_table(figures: list[Figure]) -> str:
    """The plain-text table of a run."""
    table = [COLUMNS, *rows(figures)]
    widths = [max(len(r[i]) for r in table) for i in range(len(COLUMNS))]
    widths[1] = min(widths[1], 90)
    lines = []
    for n, row in enumerate(table):
        lines.append("  ".join(cell.ljust(widths[i]) if i != 1 else cell[:90].ljust(widths[i])
                               for i, cell in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def memory_bytes() -> int | None:
    """The machine's total memory, from /proc/meminfo."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def git_commit(root: Path) -> str | None:
    """The commit the tree is at, with ``-dirty`` when tracked files differ from it."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{commit}-dirty" if dirty else commit


def machine(root: Path, database: str) -> dict[str, Any]:
    """What the figures were measured on."""
    return {"cores": os.cpu_count(), "memory_bytes": memory_bytes(), "python": platform.python_version(),
            "platform": platform.platform(), "commit": git_commit(root), "database": database}


def document(run: Run, *, info: dict[str, Any], mode: str, started: datetime, seconds: float) -> dict[str, Any]:
    """The JSON document of a run."""
    return {"run_id": run.run_id, "mode": mode, "started_at": started.astimezone(UTC).isoformat(),
            "seconds": round(seconds, 1), **info,
            "figures": [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in asdict(f).items()}
                        for f in run.figures]}


def write_json(path: Path, doc: dict[str, Any]) -> None:
    """Write the document (creating the folder), UTF-8, indented."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
