"""wagk.association against scipy, pingouin and hand-made bootstraps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from wagk import association as A


def pairs(n: int = 120, rho: float = 0.4, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = rho * x + np.sqrt(1 - rho ** 2) * rng.normal(size=n)
    df = pd.DataFrame({"x": np.round(5 + x, 1), "y": np.round(5 + y, 1)})  # rounding: ties
    df["grade"] = np.clip(np.round(6 + 1.2 * y + rng.normal(size=n)), 1, 10)
    return df


def test_pearson_matches_scipy_and_pingouin():
    df = pairs(seed=1)
    df.loc[:6, "y"] = np.nan
    r = A.correlation(df, "x", "y").iloc[0]
    ok = df.dropna(subset=["x", "y"])
    ref = stats.pearsonr(ok.x, ok.y)  # reference: scipy
    assert r.r == pytest.approx(ref.statistic, rel=1e-12)
    assert r.p == pytest.approx(ref.pvalue, rel=1e-8)
    assert r.n == 113 and r.df == 111
    ci = ref.confidence_interval(0.95)  # scipy's Fisher-z interval
    assert (r.ci_low, r.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-10)
    pgr = pg.corr(df.x, df.y)  # reference: pingouin (pairwise n)
    assert pgr["n"].iloc[0] == r.n and pgr["r"].iloc[0] == pytest.approx(r.r)


def test_spearman_with_ties_matches_scipy_and_its_interval_the_formula():
    df = pairs(seed=2)
    r = A.correlation(df, "grade", "x", method="spearman").iloc[0]
    ref = stats.spearmanr(df.grade, df.x)  # reference: scipy (mid-ranks, t approximation)
    assert r.r == pytest.approx(ref.statistic, rel=1e-12)
    assert r.p == pytest.approx(ref.pvalue, rel=1e-8)
    se = np.sqrt(1.06 / (r.n - 3))  # Fieller, Hartley & Pearson (1957)
    z = np.arctanh(r.r)
    assert r.ci_low == pytest.approx(np.tanh(z - stats.norm.ppf(0.975) * se))
    assert r.ci_high == pytest.approx(np.tanh(z + stats.norm.ppf(0.975) * se))


def test_correlation_table_pairwise_n_per_cell_and_listwise():
    df = pairs(seed=3)
    df["z"] = df.x + df.y
    df.loc[:9, "x"] = np.nan
    df.loc[5:19, "z"] = np.nan
    tab = A.correlation_table(df, ["x", "y"], ["z", "grade"])
    assert list(zip(tab.x, tab.y)) == [("x", "z"), ("x", "grade"), ("y", "z"), ("y", "grade")]
    assert tab.n.tolist() == [100, 110, 105, 120]  # x: rows 10+, z: rows 0-4 and 20+
    r = stats.pearsonr(df.dropna(subset=["y", "z"]).y, df.dropna(subset=["y", "z"]).z)
    assert tab.r[2] == pytest.approx(r.statistic)
    lw = A.correlation_table(df, ["x", "y"], ["z", "grade"], missing="listwise")
    assert (lw.n == 100).all()
    tri = A.correlation_table(df, ["x", "y", "grade"])
    assert list(zip(tri.x, tri.y)) == [("x", "y"), ("x", "grade"), ("y", "grade")]


def test_edge_cases_are_reported():
    df = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 2, 2, 2], "c": [1.0, np.nan, np.nan, 2]})
    const = A.correlation(df, "a", "b").iloc[0]
    assert const.status == "not_computed" and "constant" in const.note and np.isnan(const.r)
    few = A.correlation(df, "a", "c").iloc[0]
    assert few.status == "not_computed" and few.n == 2
    perfect = A.correlation(df.assign(d=2 * df.a), "a", "d").iloc[0]
    assert perfect.r == pytest.approx(1.0) and perfect.status == "warning"
    with pytest.raises(ValueError, match="method"):
        A.correlation(df, "a", "c", method="kendall")


def test_cluster_bootstrap_with_singleton_clusters_is_the_ordinary_pairs_bootstrap():
    df = pairs(n=80, seed=4)
    df["po"] = np.arange(80)[::-1]  # one dyad per officer, ids in reverse order
    res = A.cluster_bootstrap_correlation(df, "x", "y", "po", n_boot=500, seed=7).iloc[0]
    # hand: the same draws (officers sorted by id, so draw j is row 79 - j)
    rng = np.random.default_rng(7)
    draws = rng.integers(0, 80, size=(500, 80))
    x, y = df.x.to_numpy(), df.y.to_numpy()
    rs = np.array([np.corrcoef(x[79 - d], y[79 - d])[0, 1] for d in draws])
    assert res.ci_low == pytest.approx(np.quantile(rs, 0.025), rel=1e-10)
    assert res.ci_high == pytest.approx(np.quantile(rs, 0.975), rel=1e-10)
    assert res.se_boot == pytest.approx(rs.std(ddof=1), rel=1e-10)
    assert res.r == pytest.approx(stats.pearsonr(x, y).statistic)


def test_cluster_bootstrap_widens_the_interval_for_clustered_data_and_is_deterministic():
    rng = np.random.default_rng(5)
    n_po = 60
    po = np.repeat(np.arange(n_po), 4)
    u = rng.normal(size=n_po)[po]  # shared officer component in both scores
    df = pd.DataFrame({"client": u + 0.5 * rng.normal(size=len(po)),
                       "officer": u + 0.5 * rng.normal(size=len(po)), "po": po})
    a = A.cluster_bootstrap_correlation(df, "client", "officer", "po", n_boot=800, seed=3)
    b = A.cluster_bootstrap_correlation(df, "client", "officer", "po", n_boot=800, seed=3)
    pd.testing.assert_frame_equal(a, b)
    r = a.iloc[0]
    assert r.n_clusters == n_po and r.n == 240
    assert r.deff > 1.5
    assert (r.ci_high - r.ci_low) > (r.ci_high_fisher - r.ci_low_fisher)
    assert r.ci_low < 0.8 < r.ci_high  # the true correlation 1 / 1.25


def test_cluster_bootstrap_spearman_and_missing_cluster_ids():
    df = pairs(n=90, seed=6)
    df["po"] = np.repeat(np.arange(30), 3).astype(float)
    df.loc[0, "po"] = np.nan
    r = A.cluster_bootstrap_correlation(df, "grade", "x", "po", method="spearman",
                                        n_boot=200, seed=1).iloc[0]
    assert r.n == 89 and "without a cluster id" in r.note
    ok = df.dropna()
    assert r.r == pytest.approx(stats.spearmanr(ok.grade, ok.x).statistic)
    assert r.ci_low < r.r < r.ci_high
