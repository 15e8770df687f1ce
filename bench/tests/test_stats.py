import math

import pytest

from bench.stats import MixedRunError, Run, Target, percentile, summarize


def test_percentiles_interpolate_between_closest_ranks() -> None:
    values = [5.0, 1.0, 4.0, 2.0, 3.0]
    assert percentile(values, 0) == 1.0
    assert percentile(values, 50) == 3.0
    assert percentile(values, 100) == 5.0
    assert percentile(values, 25) == 2.0
    assert percentile([1.0, 2.0], 50) == 1.5
    assert percentile(list(range(1, 101)), 99) == pytest.approx(99.01)


def test_percentile_of_nothing_is_nan_and_out_of_range_is_refused() -> None:
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile([1.0], 101)


def test_summary_gives_p50_p99_and_count() -> None:
    summary = summarize([float(n) for n in range(1, 1001)])
    assert summary.count == 1000
    assert summary.p50 == pytest.approx(500.5)
    assert summary.p99 == pytest.approx(990.01)
    assert summary.max == 1000.0


def test_a_ratio_is_computed_from_figures_of_the_same_run() -> None:
    run = Run()
    figure = run.compare("s", "throughput", run.measure("a", 60.0, "req/s"), run.measure("b", 100.0, "req/s"),
                         target=Target("ratio", ">=", 0.6))
    assert figure.ratio == pytest.approx(0.6)
    assert figure.met is True
    assert run.figures == [figure]


def test_a_baseline_from_another_run_is_refused() -> None:
    today, yesterday = Run(), Run()
    stale = yesterday.measure("direct rps", 100.0, "req/s")
    with pytest.raises(MixedRunError):
        today.compare("s", "throughput", today.measure("gateway rps", 60.0, "req/s"), stale)
    with pytest.raises(MixedRunError):
        today.compare("s", "throughput", stale, today.measure("gateway rps", 60.0, "req/s"))
    assert today.figures == []


def test_figures_in_different_units_are_not_compared() -> None:
    run = Run()
    with pytest.raises(ValueError, match="baseline"):
        run.compare("s", "x", run.measure("a", 1.0, "ms"), run.measure("b", 1.0, "s"))


def test_targets_on_the_added_latency_and_on_the_value() -> None:
    run = Run()
    added = run.compare("hop", "median", run.measure("gw", 1.8, "ms"), run.measure("direct", 1.0, "ms"),
                        target=Target("difference", "<=", 1.0, "ms"))
    assert added.met is True
    worse = run.compare("hop", "median", run.measure("gw", 2.5, "ms"), run.measure("direct", 1.0, "ms"),
                        target=Target("difference", "<=", 1.0, "ms"))
    assert worse.met is False
    errors = run.report("burst", "errors", run.measure("errors", 3, "errors"), target=Target("value", "==", 0))
    assert errors.met is False
    assert Target("ratio", "<=", 5).describe() == "ratio <= 5"
