"""The bookkeeping of benchmarks/run.py (make bench): medians, goals, pass/fail, carried-over
entries and the Monte Carlo record. No time is measured or asserted here; the benchmarks
themselves run with ``make bench``."""

import importlib.util
import json

import pytest

from wagk import paths


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_run", paths.ROOT / "benchmarks" / "run.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_entry_median_and_goal(bench):
    e = bench.entry("chapter_10", [21.0, 19.0, 30.0])
    assert e["median_s"] == 21.0 and e["goal_s"] == 20.0 and e["passed"] is False
    assert bench.entry("chapter_08", [3.0, 2.0, 4.0])["passed"] is True
    assert bench.entry("cfa_fit", [0.2])["passed"] is None  # no goal


def test_carried_entries_are_labelled(bench):
    old = {"results": {"synth": dict(bench.entry("synth", [4.0]), measured="2026-01-01T00:00:00Z")}}
    got = bench.carried(old, "synth")
    assert got["source"].startswith("recorded 2026-01-01") and got["median_s"] == 4.0
    cal = bench.carried({}, "calibration")
    assert cal["source"].startswith("recorded") and cal["n_runs"] == 0
    assert bench.carried({}, "montecarlo") is None


def test_montecarlo_record(bench, tmp_path):
    run = tmp_path / "run.json"
    run.write_text(json.dumps(dict(R=500, workers=2, backend="joblib", replicates_ok=500, replicates_failed=0,
                                   replicate_seconds_median=7.0, wall_seconds=1900.0, load_average_after=[5, 5, 5])))
    e = bench.record_montecarlo(run)["montecarlo"]
    assert e["median_s"] == 1900.0 and e["passed"] is False and e["R"] == 500
    run.write_text(json.dumps(dict(json.loads(run.read_text()), R=20, wall_seconds=60.0)))
    small = bench.record_montecarlo(run)["montecarlo"]
    assert small["passed"] is None and small["goal_s"] is None  # the goal is for R = 500
    assert "FAIL" in bench.table({"montecarlo": e}) and "pass" not in bench.table({"montecarlo": e})


def test_montecarlo_record_of_repeated_runs(bench, tmp_path):
    runs = []
    for k, wall in enumerate((610.0, 590.0, 596.0)):
        runs.append(tmp_path / f"run{k}.json")
        runs[-1].write_text(json.dumps(dict(R=500, workers=2, backend="joblib", seed=1, replicates_ok=500,
                                            replicates_failed=0, replicate_seconds_median=2.2,
                                            wall_seconds=wall)))
    e = bench.record_montecarlo(*runs)["montecarlo"]
    assert e["median_s"] == 596.0 and e["n_runs"] == 3 and e["passed"] is True
    assert e["runs_s"] == [610.0, 590.0, 596.0] and "median of 3 runs" in e["source"]
    runs[1].write_text(json.dumps(dict(json.loads(runs[1].read_text()), seed=2)))
    with pytest.raises(ValueError, match="differ"):
        bench.record_montecarlo(*runs)
