"""The data loader of the book page "How stable is each finding?" (wagk.report_stability) on a
tiny hand-made Monte Carlo summary: which summary is chosen, the join with published rows, the
significance of the thesis's tests and the forward-selection shares. The expected values are
worked out by hand from the toy numbers below."""

import json

import numpy as np
import pandas as pd
import pytest

from wagk import montecarlo, report_stability

KEY = ["T8.4", "8.3.1", "client", "1", "ttest", "trust", "sex"]


def _mc(info):
    """Five replicates of one t-test (t and p) and one mean, and three forward selections."""
    t = [1.0, 2.0, 3.0, 4.0, 5.0]
    p = [0.20, 0.04, 0.01, 0.001, 0.03]  # 4 of 5 below .05
    m = [6.0, 6.1, 6.2, 6.3, 6.4]
    keys = pd.DataFrame([KEY + ["t"], KEY + ["p"], ["T8.1", "8.2.1", "client", "1", "descriptives", "trust", "", "M"]],
                        columns=montecarlo.KEY)
    sel = pd.DataFrame([(0, "T10.7", "dropout", "a+b"), (1, "T10.7", "dropout", "a"), (2, "T10.7", "dropout", "a+b+c"),
                        (3, "T10.7", "dropout", "a+b"), (4, "T10.7", "dropout", "")],
                       columns=["seed", "ref", "outcome", "selected"])
    return montecarlo.MonteCarlo(np.arange(5), keys, np.column_stack([t, p, m]), sel,
                                 pd.DataFrame(columns=["seed", "error"]), dict(info, replicates_ok=5, replicates_failed=0))


def _published():
    rows = [("T8.4", "client", "1", "ttest", "trust", "sex", "t", 2.5, "2.50"),
            ("T8.4", "client", "1", "ttest", "trust", "sex", "p", np.nan, "<.05"),
            ("T8.1", "client", "1", "descriptives", "trust", "", "M", 7.0, "7.00"),
            ("T8.1", "client", "1", "descriptives", "trust", "", "SD", 1.0, "1.00"),  # not in the replicates
            ("T10.7", "client", "1", "logistic", "model", "outcome=dropout", "n", 200, "200"),
            ("T10.7", "client", "1", "logistic", "a", "outcome=dropout", "ExpB", 2.0, "2.00"),
            ("T10.7", "client", "1", "logistic", "b", "outcome=dropout", "ExpB", 1.5, "1.50")]
    out = pd.DataFrame(rows, columns=["ref", "perspective", "wave", "analysis", "variable", "group", "statistic",
                                      "value", "printed"])
    out["chapter"] = out["ref"].str.extract(r"^T(\d+)\.")[0]
    out["remark"], out["section"] = "", ""
    return out


@pytest.fixture
def written(tmp_path):
    local, committed = tmp_path / "local", tmp_path / "committed"
    montecarlo.write(_mc(dict(R=5, seed=1, finished="2026-01-02T00:00:00Z")), committed, raw=False)
    return local, committed


def test_the_committed_summary_without_a_local_run(written):
    local, committed = written
    found = report_stability.load(local, committed)
    assert found.committed and found.folder == committed and found.info["R"] == 5


def test_a_newer_local_run_wins_and_an_older_one_does_not(written):
    local, committed = written
    montecarlo.write(_mc(dict(R=5, seed=1, finished="2026-03-01T00:00:00Z")), local, raw=False)
    assert report_stability.locate(local, committed) == (local, False)
    info = json.loads((local / "run.json").read_text())
    (local / "run.json").write_text(json.dumps(dict(info, finished="2025-12-31T00:00:00Z")))
    assert report_stability.locate(local, committed) == (committed, True)


def test_no_summary_at_all(tmp_path):
    assert report_stability.load(tmp_path / "a", tmp_path / "b") is None


def test_findings_join_with_published(written):
    local, committed = written
    found = report_stability.load(local, committed)
    table = report_stability.findings(found.summary, _published(), scope=("8",)).set_index("statistic")
    assert list(table.index) == ["M", "SD", "p", "t"]  # chapter 8 only, sorted by key
    assert table.loc["t", "median"] == 3.0
    assert table.loc["t", "low"] == pytest.approx(np.percentile([1, 2, 3, 4, 5], 2.5))
    assert table.loc["t", "inside"] == 1.0  # 2.5 within [1.1, 4.9]
    assert table.loc["M", "inside"] == 0.0  # 7.0 beyond 6.39
    assert table.loc["SD", "replicates"] == 0 and np.isnan(table.loc["SD", "inside"])
    assert table.loc["t", "thesis_significant"] == 1.0  # printed '<.05'
    assert table.loc["t", "share_significant"] == pytest.approx(0.8)
    assert np.isnan(table.loc["M", "share_significant"])
    per = report_stability.chapter_summary(table.reset_index())
    assert per.loc["overall", "published"] == 4 and per.loc["overall", "in_replicates"] == 3
    assert per.loc["overall", "share_inside"] == pytest.approx(0.5)  # t inside, M outside
    assert per.loc["overall", "tests_significant"] == 1
    assert per.loc["overall", "median_share_sig"] == pytest.approx(0.8)


def test_selection_shares_against_the_thesis(written):
    local, committed = written
    found = report_stability.load(local, committed)
    sel = report_stability.selection_table(found.selections, _published())
    row = sel.set_index("outcome").loc["dropout"]
    assert row["thesis"] == "a+b" and row["replicates"] == 5
    assert row["share_same"] == pytest.approx(2 / 5)  # exactly a+b
    assert row["share_superset"] == pytest.approx(3 / 5)  # a+b and a+b+c
    assert row["most_frequent"] == "a+b" and row["share_most_frequent"] == pytest.approx(2 / 5)
    kept = report_stability.predictor_shares(found.selections).set_index("predictor")["share"]
    assert kept.to_dict() == pytest.approx({"a": 4 / 5, "b": 3 / 5, "c": 1 / 5})
