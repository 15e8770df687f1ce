"""Scenario 9: the peak resident memory (VmHWM) of every process, read at the end of the run."""

from __future__ import annotations

from bench.platform import peak_rss_bytes
from bench.scenarios import Context


def memory(ctx: Context) -> None:
    """One figure per process: its peak resident set since it started."""
    pids = dict(ctx.platform.pids())
    if ctx.driver.pid is not None:
        pids["load process"] = ctx.driver.pid
    for name, pid in pids.items():
        peak = peak_rss_bytes(pid)
        if peak is not None:
            ctx.run.report("9 memory", f"peak RSS {name}", ctx.run.measure(name, peak / 2**20, "MiB"))
