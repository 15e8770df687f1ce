"""``python -m bench run [--quick] [--scenario NAME ...]``: start the platform, run, print, write JSON."""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from bench.load import LoadDriver
from bench.platform import ROOT, BenchPlatform, Skip
from bench.report import document, machine, render_table, write_json
from bench.scenarios import FULL, QUICK, Context, registry
from bench.stats import Figure, Run

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench", description="The Bianmin benchmark harness.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="start the platform and run scenarios")
    run.add_argument("--quick", action="store_true", help="short durations and smaller data (under 3 minutes)")
    run.add_argument("--scenario", action="append", choices=list(registry()), help="run only this one (repeatable)")
    run.add_argument("--database", choices=["sqlite", "postgres"], default=os.environ.get("BENCH_DATABASE", "sqlite"))
    run.add_argument("--output", type=Path, default=RESULTS, help="where to write the JSON results")
    run.add_argument("--keep", action="store_true", help="keep the var folder (databases, logs) after the run")
    commands.add_parser("list", help="list the scenarios")
    return parser.parse_args(argv)


def run_scenarios(args: argparse.Namespace) -> int:
    """Run, print the table, write the JSON; exit status 1 when a scenario failed to run."""
    scenarios = registry()
    names = args.scenario or list(scenarios)
    mode = "quick" if args.quick else "full"
    run = Run()
    started_at, started = datetime.now(UTC), time.perf_counter()
    platform = BenchPlatform(args.database, keep=args.keep)
    failed = False
    driver = LoadDriver()
    try:
        print(f"starting the platform ({args.database}) in {platform.var} ...", flush=True)
        platform.start()
        ctx = Context(run, platform, driver, QUICK if args.quick else FULL, mode)
        for name in names:
            began = time.perf_counter()
            print(f"-- {name}", flush=True)
            try:
                scenarios[name](ctx)
            except Skip as exc:
                run.skip(name, str(exc))
            except Exception as exc:
                failed = True
                traceback.print_exc()
                run.figures.append(Figure(name, "error", note=f"{type(exc).__name__}: {str(exc)[:200]}"))
            print(f"   {time.perf_counter() - began:.1f} s", flush=True)
    finally:
        driver.close()
        platform.stop()
    seconds = time.perf_counter() - started
    info = machine(ROOT, args.database)
    print()
    print(render_table(run.figures))
    print(f"\n{mode} run, {seconds:.0f} s, {info['cores']} cores, {(info['memory_bytes'] or 0) / 2**30:.1f} GiB, "
          f"Python {info['python']}, {info['database']}, commit {info['commit']}")
    write_json(args.output, document(run, info=info, mode=mode, started=started_at, seconds=seconds))
    print(f"written to {args.output}")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = parse(argv)
    if args.command == "list":
        for name, fn in registry().items():
            print(f"{name:20} {(fn.__doc__ or '').strip()}")
        return 0
    return run_scenarios(args)


if __name__ == "__main__":
    sys.exit(main())
