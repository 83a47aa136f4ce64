"""The Monte Carlo engine (wagk.montecarlo) and the in-process pipeline it runs (wagk.pipeline),
at small R. References: numpy's nanmedian/nanpercentile for the summaries; the file-based path
(synth -> CSV -> contract.load_study) for the in-memory study; the serial run for joblib and a
local two-worker Dask cluster."""

import numpy as np
import pandas as pd
import pytest

from wagk import contract, montecarlo, pipeline
from wagk.synth import extend


@pytest.fixture(scope="module")
def tables():
    return montecarlo.dataset(20181000)


def test_in_memory_study_equals_the_written_and_loaded_dataset(tables, tmp_path):
    extend.write(tables, tmp_path)
    loaded = contract.load_study(tmp_path)
    memory = contract.from_tables(tables)
    assert sorted(loaded.tables) == sorted(memory.tables)
    for name in loaded.tables:
        pd.testing.assert_frame_equal(memory.tables[name], loaded.tables[name])
    pd.testing.assert_frame_equal(memory.item_warnings, loaded.item_warnings)


def test_from_tables_reports_unusable_items(tables):
    t = dict(tables)
    t["client_w1"] = t["client_w1"].assign(wai_01=pd.NA)
    w = contract.from_tables(t).item_warnings
    assert ((w["table"] == "client_w1") & (w["item"] == "wai_01") & (w["issue"] == "entirely missing")).any()


def test_datasets_differ_by_seed_and_repeat_by_seed(tables):
    a, b = montecarlo.dataset(20181000), montecarlo.dataset(6)
    for name in a:
        pd.testing.assert_frame_equal(a[name], tables[name])
    assert not a["client_w1"].equals(b["client_w1"])
    # the design is fixed: same questionnaires, same outcome counts
    assert len(a["client_w2"]) == len(b["client_w2"])
    assert a["registry"]["dropout"].sum() == b["registry"]["dropout"].sum()


def test_monte_carlo_datasets_are_drawn_without_exact_moments(tables):
    """The replicates use exact=False in both stages: the same seed with the book's exact
    moments gives other answers and other background values (the design's counts stay)."""
    exact = extend.generate_all(20181000, exact=True)
    assert not exact["client_w1"].equals(tables["client_w1"])
    assert not exact["clients"]["detention_count"].equals(tables["clients"]["detention_count"])
    assert exact["registry"]["dropout"].sum() == tables["registry"]["dropout"].sum()


def test_pipeline_chapter_selection_and_unknown_chapter(tables):
    study = contract.from_tables(tables)
    rows = pipeline.ledger_rows(study, chapters_run=(8,))
    assert set(rows["chapter"]) == {8}
    assert rows["ref"].str.match(r"^(T8|S8)").all()
    assert list(rows.columns[:9]) == ["ref", "section", "perspective", "wave", "analysis", "variable", "group",
                                      "statistic", "value"]
    with pytest.raises(ValueError, match="unknown chapter"):
        pipeline.ledger_rows(study, chapters_run=(6,))


def _toy(values, keys, selections=None):
    keys = pd.DataFrame(keys, columns=montecarlo.KEY)
    sel = pd.DataFrame(selections or [], columns=["seed", "ref", "outcome", "selected"])
    return montecarlo.MonteCarlo(np.arange(len(values)), keys, np.asarray(values, float), sel,
                                 pd.DataFrame(columns=["seed", "error"]), {})


def test_summary_statistics_against_numpy():
    rng = np.random.default_rng(1)
    r = rng.normal(0.3, 0.1, 41)
    p = rng.uniform(0, 0.2, 41)
    p[3] = np.nan  # a replicate where the test was not computed
    key = ["T1", "1", "client", "1", "correlation", "trust", "grade"]
    mc = _toy(np.column_stack([r, p]), [key + ["r"], key + ["p"]])
    s = montecarlo.summarise(mc).set_index("statistic")
    assert s.loc["r", "median"] == pytest.approx(np.median(r))
    assert s.loc["r", "low"] == pytest.approx(np.percentile(r, 2.5))
    assert s.loc["r", "high"] == pytest.approx(np.percentile(r, 97.5))
    assert s.loc["r", "sd"] == pytest.approx(np.std(r, ddof=1))
    assert s.loc["p", "replicates"] == 40
    share = np.sum(p[np.isfinite(p)] < 0.05) / 40
    assert s.loc["r", "share_significant"] == pytest.approx(share)  # every statistic of the test
    assert s.loc["p", "share_significant"] == pytest.approx(share)
    assert s.loc["r", "replicates_tested"] == 40


def test_summary_of_a_row_without_p_has_no_share():
    mc = _toy([[1.0], [2.0], [3.0]], [["T8.1", "8.2.1", "client", "1", "descriptives", "trust", "", "M"]])
    s = montecarlo.summarise(mc)
    assert np.isnan(s.loc[0, "share_significant"]) and s.loc[0, "median"] == 2.0


def test_selection_shares():
    sel = [(0, "T10.7", "dropout", "a+b"), (1, "T10.7", "dropout", "a+b"), (2, "T10.7", "dropout", ""),
           (0, "T10.8", "dropout", "c")]
    mc = _toy(np.zeros((3, 0)), [], sel)
    s = montecarlo.selection_shares(mc)
    t7 = s[s["ref"] == "T10.7"].set_index("selected")
    assert t7.loc["a+b", "replicates"] == 2 and t7.loc["a+b", "share"] == pytest.approx(2 / 3)
    assert t7.loc["", "share"] == pytest.approx(1 / 3)
    assert s[s["ref"] == "T10.8"]["share"].tolist() == [1.0]


def test_selections_from_ledger_rows():
    rows = pd.DataFrame([
        dict(ref="T10.7", analysis="logistic", variable="model", group="outcome=dropout", statistic="n", value=200),
        dict(ref="T10.7", analysis="logistic", variable="po1_trust", group="outcome=dropout", statistic="ExpB", value=2),
        dict(ref="T10.7", analysis="logistic", variable="client1_bond", group="outcome=dropout", statistic="ExpB",
             value=np.nan),
        dict(ref="T10.7", analysis="logistic", variable="model", group="outcome=no_show", statistic="n", value=190),
        dict(ref="S10.3.1a", analysis="logistic", variable="po1_trust", group="outcome=dropout", statistic="ExpB",
             value=2),
    ])
    assert montecarlo.selections(rows) == {("T10.7", "dropout"): "client1_bond+po1_trust", ("T10.7", "no_show"): ""}


def test_a_failing_replicate_is_reported_not_raised(monkeypatch):
    def boom(seed):
        raise RuntimeError(f"no data for {seed}")
    monkeypatch.setattr(montecarlo, "dataset", boom)
    mc = montecarlo.run(2, seed=7, n_jobs=1, progress=False)
    assert mc.info["replicates_failed"] == 2 and mc.values.shape[0] == 0
    assert mc.errors["error"].tolist() == ["RuntimeError: no data for 7", "RuntimeError: no data for 8"]


def test_seeds():
    assert montecarlo.seeds_for(3, 10).tolist() == [10, 11, 12]
    with pytest.raises(ValueError):
        montecarlo.seeds_for(0)


@pytest.fixture(scope="module")
def serial():
    """Two replicates of chapter 10 in this process (the reference of the backends)."""
    return montecarlo.run(2, seed=31, n_jobs=1, chapters=(10,), progress=False)


def test_small_study_end_to_end(serial, tmp_path):
    mc = serial
    assert mc.info["replicates_ok"] == 2 and mc.seeds.tolist() == [31, 32]
    assert mc.values.shape == (2, len(mc.keys)) and len(mc.keys) > 300
    assert set(mc.selections["ref"]) == {"T10.7", "T10.8", "T10.9"}
    s = montecarlo.summarise(mc)
    assert s["share_significant"].between(0, 1).any()
    montecarlo.write(mc, tmp_path)
    summary, shares, info = montecarlo.read_summary(tmp_path)
    assert len(summary) == len(s) and info["R"] == 2
    assert np.allclose(summary["median"], s["median"], equal_nan=True)
    assert shares.groupby(["ref", "outcome"])["share"].sum().round(12).eq(1).all()
    with np.load(tmp_path / "replicates.npz") as raw:
        assert np.array_equal(raw["values"], mc.values, equal_nan=True)


def test_the_same_seeds_give_the_same_rows_on_joblib(serial):
    par = montecarlo.run(2, seed=31, n_jobs=2, chapters=(10,), progress=False)
    assert par.info["backend"] == "joblib"
    pd.testing.assert_frame_equal(par.keys, serial.keys)
    assert np.array_equal(par.values, serial.values, equal_nan=True)
    pd.testing.assert_frame_equal(par.selections, serial.selections)


def test_the_same_seeds_give_the_same_rows_on_a_local_dask_cluster(serial):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        dask = montecarlo.run(2, seed=31, scheduler=cluster.scheduler_address, chapters=(10,), progress=False)
    assert dask.info["backend"] == "dask" and dask.info["workers"] == 2
    pd.testing.assert_frame_equal(dask.keys, serial.keys)
    assert np.array_equal(dask.values, serial.values, equal_nan=True)
    pd.testing.assert_frame_equal(dask.selections, serial.selections)


def test_a_replicate_gives_the_same_rows_with_arrow_and_python_text_storage(monkeypatch):
    """The replicate holds text as Python strings for speed; the rows must not depend on it."""
    fast = montecarlo.replicate(41, chapters=(7, 8))
    monkeypatch.setattr(montecarlo, "STRING_STORAGE", "pyarrow")
    arrow = montecarlo.replicate(41, chapters=(7, 8))
    assert not fast.error and not arrow.error
    assert fast.keys == arrow.keys and len(fast.keys) > 1000
    assert np.array_equal(fast.values, arrow.values, equal_nan=True)
