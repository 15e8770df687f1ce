import json
from datetime import UTC, datetime
from pathlib import Path

from bench.report import COLUMNS, document, fmt_number, machine, render_table, write_json
from bench.stats import Run, Target


def sample_run() -> Run:
    run = Run()
    run.compare("1 gateway hop", "throughput", run.measure("gw", 600.0, "req/s"), run.measure("direct", 1000.0, "req/s"),
                target=Target("ratio", ">=", 0.6))
    run.report("3 calling", "call p99", run.measure("p99", 12.345, "ms"))
    run.skip("opening", "needs POST /bidding/v1/projects/{code}/opening/finish")
    return run


def test_the_table_has_every_column_and_a_row_per_figure() -> None:
    text = render_table(sample_run().figures)
    lines = text.splitlines()
    assert lines[0].split() == list(COLUMNS)
    assert len(lines) == 2 + 3
    assert "0.6" in lines[2]
    assert lines[2].rstrip().endswith("yes")
    assert "skipped: needs POST /bidding/v1/projects/{code}/opening/finish" in lines[4]


def test_numbers_keep_three_significant_digits_and_their_unit() -> None:
    assert fmt_number(12.345, "ms") == "12.3 ms"
    assert fmt_number(123456.0, "req/s") == "123,456 req/s"
    assert fmt_number(None) == "-"
    assert fmt_number(float("nan"), "ms") == "-"


def test_the_json_names_the_machine_and_every_figure(tmp_path: Path) -> None:
    run = sample_run()
    info = machine(Path(__file__).resolve().parents[2], "sqlite")
    doc = document(run, info=info, mode="quick", started=datetime(2026, 11, 28, tzinfo=UTC), seconds=12.0)
    path = tmp_path / "results" / "latest.json"
    write_json(path, doc)
    loaded = json.loads(path.read_text(encoding="utf-8"))
    assert {"cores", "memory_bytes", "python", "commit", "database"} <= loaded.keys()
    assert loaded["database"] == "sqlite"
    assert loaded["run_id"] == run.run_id
    assert [f["scenario"] for f in loaded["figures"]] == ["1 gateway hop", "3 calling", "opening"]
    assert loaded["figures"][0]["ratio"] == 0.6
    assert loaded["figures"][0]["met"] is True
