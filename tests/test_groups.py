"""wagk.groups against second computations: scipy, pingouin, formulas and hand-made matrices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import statsmodels.api as sm
from scipy import stats
from scipy.stats.contingency import association

from wagk import groups as G

SCALES = list(G.SCALES)


def scores(n: int = 150, k: int = 3, seed: int = 0, shift: float = 0.4,
           n_officers: int | None = None) -> pd.DataFrame:
    """Four correlated scales, a total, a k-level group and officer ids (1-4 clients each)."""
    rng = np.random.default_rng(seed)
    g = rng.integers(0, k, n)
    cov = np.full((4, 4), 0.4) + 0.6 * np.eye(4)
    y = rng.multivariate_normal(np.zeros(4), cov, size=n) + shift * (g == 1)[:, None]
    df = pd.DataFrame(y * 0.7 + 5, columns=SCALES)
    df["total"] = df[SCALES].mean(axis=1) + rng.normal(0, 0.1, n)
    df["g"] = g
    sizes = rng.integers(1, 5, n)
    df["po_id"] = np.repeat(np.arange(n), sizes)[:n]
    if n_officers:
        df["po_id"] = rng.integers(0, n_officers, n)
    return df


# ---------------------------------------------------------------- one-way ANOVA

def test_anova_matches_scipy_f_oneway_and_pingouin():
    df = scores(seed=1)
    df.loc[:9, "trust"] = np.nan
    res = G.anova_oneway(df, SCALES, "g").set_index("dv")
    for s in SCALES:
        sub = df.dropna(subset=[s])
        ref = stats.f_oneway(*[sub.loc[sub.g == j, s] for j in range(3)])  # reference: scipy
        assert res.loc[s, "F"] == pytest.approx(ref.statistic, rel=1e-10)
        assert res.loc[s, "p"] == pytest.approx(ref.pvalue, rel=1e-8)
        aov = pg.anova(data=sub, dv=s, between="g", detailed=True)  # reference: pingouin
        assert res.loc[s, "SS_between"] == pytest.approx(aov["SS"][0], rel=1e-10)
        assert res.loc[s, "SS_within"] == pytest.approx(aov["SS"][1], rel=1e-10)
        assert (res.loc[s, "df1"], res.loc[s, "df2"]) == (aov["DF"][0], aov["DF"][1])
        assert res.loc[s, "eta2"] == pytest.approx(aov["np2"][0], rel=1e-10)
        assert res.loc[s, "n"] == len(sub)
    assert res.loc["trust", "n"] == len(df) - 10  # pairwise: only trust loses cases


def test_eta_squared_from_sums_of_squares_equals_eta_squared_from_f_and_df():
    res = G.anova_oneway(scores(seed=2), SCALES, "g")
    from_f = res.F * res.df1 / (res.F * res.df1 + res.df2)  # eta2 = F df1 / (F df1 + df2)
    np.testing.assert_allclose(res.eta2, from_f, rtol=1e-12)
    np.testing.assert_allclose(res.eta2, res.SS_between / res.SS_total, rtol=1e-12)


def test_group_descriptives_match_pandas_groupby():
    df = scores(seed=3)
    df.loc[:5, "bond"] = np.nan
    res = G.group_descriptives(df, ["bond"], "g", total=True)
    ref = df.groupby("g")["bond"].agg(["count", "mean", "std", "median", "min", "max"])
    got = res[res.level != "(all)"].set_index("level")
    for j in range(3):
        r = got.loc[str(j)]
        np.testing.assert_allclose([r.n, r.M, r.SD, r.Mdn, r.Min, r.Max], ref.loc[j].to_numpy())
    assert res[res.level == "(all)"].n.iloc[0] == df.bond.notna().sum()


# ---------------------------------------------------------------- t-tests

@pytest.mark.parametrize("welch", [False, True])
def test_ttest_matches_scipy_and_d_matches_its_formula(welch):
    df = scores(k=2, seed=4)
    df.loc[df.g == 1, "trust"] = df.loc[df.g == 1, "trust"] * 1.8  # unequal variances
    r = G.ttest_ind(df, "trust", "g", welch=welch).iloc[0]
    a, b = df.trust[df.g == 0], df.trust[df.g == 1]
    ref = stats.ttest_ind(a, b, equal_var=not welch)  # reference: scipy
    assert r.t == pytest.approx(ref.statistic, rel=1e-10)
    assert r.p == pytest.approx(ref.pvalue, rel=1e-8)
    assert r.df == pytest.approx(ref.df, rel=1e-10)
    n1, n2 = len(a), len(b)
    sp = np.sqrt(((n1 - 1) * a.var() + (n2 - 1) * b.var()) / (n1 + n2 - 2))  # Cohen (1988)
    assert r.d == pytest.approx((a.mean() - b.mean()) / sp, rel=1e-12)
    ci = ref.confidence_interval()
    assert (r.ci_low, r.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-8)


def test_t_squared_equals_anova_f_for_two_groups():
    df = scores(k=2, seed=5)
    t = G.ttest_ind(df, SCALES, "g").t.to_numpy()
    f = G.anova_oneway(df, SCALES, "g").F.to_numpy()
    np.testing.assert_allclose(t ** 2, f, rtol=1e-10)


def test_levene_option_switches_to_welch_when_variances_differ():
    df = scores(n=300, k=2, seed=6)
    df.loc[df.g == 1, "trust"] = 5 + (df.loc[df.g == 1, "trust"] - 5) * 3
    r = G.ttest_ind(df, ["trust", "bond"], "g", welch="levene").set_index("dv")
    lev = stats.levene(df.trust[df.g == 0], df.trust[df.g == 1], center="mean")  # scipy
    assert r.loc["trust", "levene_p"] == pytest.approx(lev.pvalue)
    assert r.loc["trust", "welch"] and not r.loc["bond", "welch"]


def test_ttest_needs_levels_when_more_than_two_groups():
    df = scores(k=3, seed=7)
    with pytest.raises(ValueError, match="levels"):
        G.ttest_ind(df, "trust", "g")
    r = G.ttest_ind(df, "trust", "g", levels=(2, 0)).iloc[0]
    ref = stats.ttest_ind(df.trust[df.g == 2], df.trust[df.g == 0])
    assert (r.level1, r.level2) == ("2", "0")
    assert r.t == pytest.approx(ref.statistic)


def test_paired_ttest_matches_scipy_and_dz_formula():
    rng = np.random.default_rng(8)
    df = pd.DataFrame({"client": rng.normal(6, 0.8, 120)})
    df["po"] = 0.3 * df.client + rng.normal(3.5, 0.9, 120)
    df.loc[:4, "po"] = np.nan
    r = G.ttest_paired(df, "client", "po").iloc[0]
    ok = df.dropna()
    ref = stats.ttest_rel(ok.client, ok.po)  # reference: scipy
    assert r.t == pytest.approx(ref.statistic, rel=1e-10)
    assert r.p == pytest.approx(ref.pvalue, rel=1e-8)
    assert r.n == 115 and r.df == 114
    assert r.d == pytest.approx(r.t / np.sqrt(r.n), rel=1e-12)  # d_z = t / sqrt(n)
    dd = ok.client - ok.po
    assert r.d_av == pytest.approx(dd.mean() / ((ok.client.std() + ok.po.std()) / 2))


# ---------------------------------------------------------------- chi-square

def test_chi2_matches_scipy_and_phi_matches_the_2x2_formula():
    rng = np.random.default_rng(9)
    df = pd.DataFrame({"a": rng.integers(0, 2, 200)})
    df["b"] = np.where(rng.random(200) < 0.3 + 0.3 * df.a, 1, 0)
    for correction in (False, True):
        r = G.chi2_independence(df, "a", "b", correction=correction).iloc[0]
        tab = pd.crosstab(df.a, df.b).to_numpy()
        ref = stats.chi2_contingency(tab, correction=correction)  # reference: scipy
        assert r.chi2 == pytest.approx(ref.statistic, rel=1e-10)
        assert r.p == pytest.approx(ref.pvalue, rel=1e-8)
        assert r.df == 1
    (a, b), (c, d) = tab
    phi = (a * d - b * c) / np.sqrt((a + b) * (c + d) * (a + c) * (b + d))  # 2 x 2 formula
    r = G.chi2_independence(df, "a", "b").iloc[0]
    assert r.phi == pytest.approx(phi, rel=1e-12) and r.phi > 0
    assert r.V == pytest.approx(abs(phi), rel=1e-12)
    assert r.phi ** 2 * r.n == pytest.approx(r.chi2, rel=1e-10)  # chi2 = n phi^2
    assert r.fisher_p == pytest.approx(stats.fisher_exact(tab).pvalue)


def test_cramers_v_matches_scipy_association_for_a_larger_table():
    rng = np.random.default_rng(10)
    df = pd.DataFrame({"risc": rng.integers(0, 4, 300), "out": rng.integers(0, 3, 300)})
    r = G.chi2_independence(df, "risc", "out").iloc[0]
    tab = pd.crosstab(df.risc, df.out).to_numpy()
    assert r.V == pytest.approx(association(tab, method="cramer"), rel=1e-10)  # scipy
    assert r.df == 6 and r.chi2 == pytest.approx(stats.chi2_contingency(tab).statistic)


def test_chi2_warns_about_small_expected_counts():
    df = pd.DataFrame({"a": [0] * 18 + [1] * 4, "b": [0] * 15 + [1] * 3 + [0, 1, 1, 1]})
    r = G.chi2_independence(df, "a", "b").iloc[0]
    assert r.status == "warning" and "expected count less than 5" in r.note
    expected = stats.chi2_contingency(pd.crosstab(df.a, df.b).to_numpy()).expected_freq
    assert r.cells_expected_lt5 == (expected < 5).sum() == 3  # 13.1, 4.9, 2.9, 1.1
    assert r.min_expected == pytest.approx(expected.min())


# ---------------------------------------------------------------- MANOVA

def _direct_manova(df, dvs, g):
    """Pillai and Wilks from the eigenvalues of E^-1 H (Rencher 2002, ch. 6), F as SAS/SPSS."""
    y = df[dvs].to_numpy(float)
    levels = sorted(df[g].unique())
    N, p, k = len(y), len(dvs), len(levels)
    grand = y.mean(0)
    H = np.zeros((p, p))
    E = np.zeros((p, p))
    for lv in levels:
        yy = y[df[g].to_numpy() == lv]
        d = (yy.mean(0) - grand)[:, None]
        H += len(yy) * d @ d.T
        r = yy - yy.mean(0)
        E += r.T @ r
    lam = np.linalg.eigvals(np.linalg.solve(E, H)).real
    q, ve = k - 1, N - k
    s, m, nn = min(p, q), (abs(p - q) - 1) / 2, (ve - p - 1) / 2
    V = np.sum(lam / (1 + lam))
    fV = (2 * nn + s + 1) / (2 * m + s + 1) * V / (s - V)
    df1V, df2V = s * (2 * m + s + 1), s * (2 * nn + s + 1)
    W = np.prod(1 / (1 + lam))
    t = np.sqrt((p ** 2 * q ** 2 - 4) / (p ** 2 + q ** 2 - 5)) if p ** 2 + q ** 2 - 5 > 0 else 1
    df1W = p * q
    df2W = (ve - (p - q + 1) / 2) * t - (p * q - 2) / 2
    fW = (1 - W ** (1 / t)) / W ** (1 / t) * df2W / df1W
    return {"Pillai's trace": (V, fV, df1V, df2V, stats.f.sf(fV, df1V, df2V), V / s),
            "Wilks' lambda": (W, fW, df1W, df2W, stats.f.sf(fW, df1W, df2W),
                              1 - W ** (1 / s))}


@pytest.mark.parametrize("k", [2, 3, 4])
def test_manova_matches_direct_eigenvalue_computation(k):
    df = scores(n=180, k=k, seed=11)
    df.loc[:7, "bond"] = np.nan
    res = G.manova(df, SCALES, "g").set_index("test")
    ref = _direct_manova(df.dropna(subset=SCALES), SCALES, "g")
    for test, (value, f, df1, df2, p, eta2) in ref.items():
        r = res.loc[test]
        np.testing.assert_allclose([r.value, r.F, r.df1, r.df2, r.p, r.eta2],
                                   [value, f, df1, df2, p, eta2], rtol=1e-8)
    assert res["n"].iloc[0] == 172 and res["n_excluded"].iloc[0] == 8


def test_manova_with_two_groups_equals_hotelling_t2():
    df = scores(n=120, k=2, seed=12)
    res = G.manova(df, SCALES, "g").set_index("test")
    a, b = (df.loc[df.g == j, SCALES].to_numpy() for j in (0, 1))
    n1, n2, p = len(a), len(b), 4
    Sp = ((n1 - 1) * np.cov(a.T) + (n2 - 1) * np.cov(b.T)) / (n1 + n2 - 2)
    d = a.mean(0) - b.mean(0)
    T2 = n1 * n2 / (n1 + n2) * d @ np.linalg.solve(Sp, d)  # Hotelling's T^2
    F = (n1 + n2 - p - 1) / (p * (n1 + n2 - 2)) * T2
    assert res.loc["Pillai's trace", "F"] == pytest.approx(F, rel=1e-9)
    assert res.loc["Wilks' lambda", "F"] == pytest.approx(F, rel=1e-9)


# ---------------------------------------------------------------- edge cases

def test_empty_and_single_member_groups_are_reported():
    df = scores(n=60, k=2, seed=13)
    df["cat"] = pd.Categorical(np.where(df.g == 1, "b", "a"), categories=["a", "b", "c"])
    df.loc[0, "cat"] = "b"
    df.loc[df.index[1:], "cat"] = df.loc[df.index[1:], "cat"].where(df.g[1:] == 0, "a")
    df.loc[0, "cat"] = "b"  # "b" has one member, "c" none
    r = G.anova_oneway(df, "trust", "cat").iloc[0]
    assert r.status == "warning" and r.k == 2
    assert "empty group(s) left out: c" in r.note and "single-member group(s): b" in r.note
    assert np.isfinite(r.F)
    m = G.manova(df, SCALES, "cat")
    assert (m.status == "warning").all() and "c" in m.note.iloc[0]


def test_constant_all_missing_and_one_group_give_not_computed_rows():
    df = scores(n=40, seed=14)
    df["const"] = 3.0
    df["gone"] = np.nan
    df["one"] = "x"
    res = G.anova_oneway(df, ["const", "gone"], "g").set_index("dv")
    assert res.loc["const", "status"] == "not_computed" and "constant" in res.loc["const", "note"]
    assert res.loc["gone", "status"] == "not_computed" and res.loc["gone", "n"] == 0
    assert np.isnan(res.loc["gone", "F"]) and np.isnan(res.loc["const", "eta2"])
    assert G.anova_oneway(df, "trust", "one").status.iloc[0] == "not_computed"
    t = G.ttest_ind(df, "gone", "one").iloc[0]
    assert t.status == "not_computed" and np.isnan(t.t)
    assert G.ttest_paired(df, "gone", "trust").status.iloc[0] == "not_computed"
    m = G.manova(df, SCALES + ["const"], "g")
    assert (m.status == "not_computed").all() and "constant" in m.note.iloc[0]
    m = G.manova(df, SCALES + ["gone"], "g")
    assert (m.status == "not_computed").all() and m["n"].iloc[0] == 0
    c = G.chi2_independence(df, "one", "g").iloc[0]
    assert c.status == "not_computed" and "two levels" in c.note


def test_manova_reports_a_collinear_total():
    df = scores(n=80, seed=15)
    df["exact_total"] = df[SCALES].mean(axis=1)
    m = G.manova(df, SCALES + ["exact_total"], "g")
    assert (m.status == "not_computed").all() and "singular" in m.note.iloc[0]


def test_zero_within_group_variance_gives_infinite_f_with_a_warning():
    df = pd.DataFrame({"y": [1.0, 1, 1, 2, 2, 2], "g": [0, 0, 0, 1, 1, 1]})
    r = G.anova_oneway(df, "y", "g").iloc[0]
    assert np.isinf(r.F) and r.p == 0 and r.eta2 == 1 and r.status == "warning"


def test_bad_input_raises_naming_the_column_and_rows():
    df = scores(n=20, seed=16)
    with pytest.raises(ValueError, match="nope"):
        G.anova_oneway(df, "nope", "g")
    df["text"] = df.trust.astype(object)
    df.loc[3, "text"] = "n.v.t."
    with pytest.raises(ValueError, match=r"'text' is not numeric: rows \[3\]"):
        G.anova_oneway(df, "text", "g")


# ---------------------------------------------------------------- clustering

def test_naive_omnibus_equals_anova_and_cr1_matches_a_hand_sandwich():
    df = scores(n=200, seed=17, n_officers=70)
    res = G.group_difference_clustered(df, "trust", "g", "po_id")
    ols = res[(res.method == "ols") & (res.term == "omnibus")].iloc[0]
    an = G.anova_oneway(df, "trust", "g").iloc[0]
    assert ols.statistic == pytest.approx(an.F, rel=1e-10) and ols.df2 == an.df2

    # hand CR1 sandwich (Cameron & Miller 2015, eq. 11 with the Stata factor)
    y = df.trust.to_numpy()
    X = np.column_stack([np.ones(len(df)), df.g == 1, df.g == 2]).astype(float)
    bread = np.linalg.inv(X.T @ X)
    b = bread @ X.T @ y
    e = y - X @ b
    meat = np.zeros((3, 3))
    clusters = df.po_id.to_numpy()
    for c in np.unique(clusters):
        s = X[clusters == c].T @ e[clusters == c]
        meat += np.outer(s, s)
    Gn, N, K = len(np.unique(clusters)), len(y), 3
    V = Gn / (Gn - 1) * (N - 1) / (N - K) * bread @ meat @ bread
    cr1 = res[res.method == "cr1"].set_index("term")
    assert cr1.loc["1 - 0", "SE"] == pytest.approx(np.sqrt(V[1, 1]), rel=1e-10)
    assert cr1.loc["2 - 0", "SE"] == pytest.approx(np.sqrt(V[2, 2]), rel=1e-10)
    assert cr1.loc["1 - 0", "estimate"] == pytest.approx(b[1])
    R = np.eye(3)[1:]
    W = (R @ b) @ np.linalg.solve(R @ V @ R.T, R @ b) / 2
    assert cr1.loc["omnibus", "statistic"] == pytest.approx(W, rel=1e-10)
    assert cr1.loc["omnibus", "df2"] == Gn - 1


def test_mixed_model_fixed_effects_equal_gls_with_its_variance_components():
    rng = np.random.default_rng(18)
    df = scores(n=240, seed=18, n_officers=80)
    df["trust"] += rng.normal(0, 0.6, 80)[df.po_id]  # a real officer effect
    res = G.group_difference_clustered(df, "trust", "g", "po_id", methods=["mixedlm"])
    omni = res[res.term == "omnibus"].iloc[0]
    assert 0.05 < omni.icc < 0.9
    fit = sm.MixedLM(df.trust.to_numpy(),
                     np.column_stack([np.ones(len(df)), df.g == 1, df.g == 2]).astype(float),
                     groups=df.po_id.to_numpy()).fit(reml=True)
    tau2, s2 = float(np.asarray(fit.cov_re)[0, 0]), float(fit.scale)
    # GLS with V = s2 I + tau2 Z Z' (hand): the fixed effects and their SEs
    Z = (df.po_id.to_numpy()[:, None] == np.unique(df.po_id)[None, :]).astype(float)
    Vm = s2 * np.eye(len(df)) + tau2 * Z @ Z.T
    X = np.column_stack([np.ones(len(df)), df.g == 1, df.g == 2]).astype(float)
    Vi = np.linalg.inv(Vm)
    cov = np.linalg.inv(X.T @ Vi @ X)
    b = cov @ X.T @ Vi @ df.trust.to_numpy()
    c = res[res.term != "omnibus"].set_index("term")
    assert c.loc["1 - 0", "estimate"] == pytest.approx(b[1], rel=1e-6)
    assert c.loc["2 - 0", "SE"] == pytest.approx(np.sqrt(cov[2, 2]), rel=1e-5)
    assert omni.icc == pytest.approx(tau2 / (tau2 + s2), rel=1e-6)


def test_mixed_model_on_the_boundary_is_reported_not_crashed():
    df = scores(n=200, seed=1, n_officers=67)  # no officer effect: variance estimate at zero
    res = G.group_difference_clustered(df, "trust", "g", "po_id", methods=["mixedlm"])
    assert res.status.isin(["ok", "warning"]).all()
    assert np.isfinite(res.statistic).all()


# ---------------------------------------------------------------- multiplicity

def test_adjust_pvalues_matches_holm_and_benjamini_hochberg_by_hand():
    p = np.array([0.01, 0.04, 0.03, 0.20, np.nan, 0.002])
    ok = p[~np.isnan(p)]
    m = len(ok)
    order = np.argsort(ok)
    holm = np.empty(m)
    holm[order] = np.maximum.accumulate(np.minimum(1, (m - np.arange(m)) * ok[order]))
    bh = np.empty(m)
    bh[order] = np.minimum.accumulate((m * ok[order] / np.arange(1, m + 1))[::-1])[::-1]
    got_h = G.adjust_pvalues(p, "holm")
    got_b = G.adjust_pvalues(p, "fdr_bh")
    assert np.isnan(got_h[4]) and np.isnan(got_b[4])
    np.testing.assert_allclose(got_h[~np.isnan(p)], holm)
    np.testing.assert_allclose(got_b[~np.isnan(p)], np.minimum(bh, 1))


def test_adjust_pvalues_within_families_of_a_table():
    tab = pd.DataFrame({"section": ["a", "a", "b", "b", "b"], "p": [0.01, 0.04, 0.01, 0.02, 0.5]})
    out = G.adjust_pvalues(tab, "holm", family="section")
    np.testing.assert_allclose(out.p_adj, [0.02, 0.04, 0.03, 0.04, 0.5])
    assert out.m.tolist() == [2, 2, 3, 3, 3] and out.reject.tolist() == [1, 1, 1, 1, 0]


# ---------------------------------------------------------------- the recipe

def test_anova_by_scales_runs_the_thesis_recipe():
    df = scores(n=160, k=2, seed=19)
    df.loc[:11, "reactance"] = np.nan
    out = G.anova_by_scales(df, "g", cluster="po_id")
    assert set(out.analysis) == {"manova", "manova_univariate", "anova", "ttest",
                                 "descriptives", "clustered"}
    mv = out[(out.analysis == "manova") & (out.statistic == "n")]
    assert (mv.value == 148).all()
    uni = out[(out.analysis == "manova_univariate") & (out.statistic == "n")]
    assert (uni.value == 148).all() and set(uni.dv) == set(SCALES)
    an = out[(out.analysis == "anova")].pivot(index="dv", columns="statistic", values="value")
    assert an.loc["trust", "n"] == 160 and an.loc["reactance", "n"] == 148
    assert "total" in an.index
    tt = out[out.analysis == "ttest"].pivot(index="dv", columns="statistic", values="value")
    np.testing.assert_allclose(tt.t ** 2, an.loc[tt.index, "F"], rtol=1e-10)
    desc = out[out.analysis == "descriptives"]
    assert set(desc.term) == {"g=0", "g=1"} and set(desc.statistic) == {"n", "M", "SD"}


def test_anova_by_scales_passes_the_cluster_methods_on():
    df = scores(n=120, k=3, seed=21)
    out = G.anova_by_scales(df, "g", cluster="po_id", cluster_methods=("cr1",), descriptives=False)
    cl = out[out.analysis == "clustered"]
    assert set(cl.term.str.split(":").str[0]) == {"cr1"}
    ref = G.group_difference_clustered(df, "bond", "g", "po_id", methods=("cr1",))
    p = cl[(cl.dv == "bond") & (cl.term == "cr1:omnibus") & (cl.statistic == "p")].value.iloc[0]
    assert p == pytest.approx(ref.loc[ref.term == "omnibus", "p"].iloc[0], rel=1e-12)


def test_anova_by_scales_notes_a_missing_extra_score():
    df = scores(n=60, seed=20).drop(columns="total")
    out = G.anova_by_scales(df, "g")
    row = out[out.dv == "total"].iloc[0]
    assert row.status == "not_computed" and "not in the data" in row.note


def test_single_member_group_in_a_t_test():
    df = pd.DataFrame({"y": [4.0, 5, 6, 5, 3.0], "g": ["a", "a", "a", "a", "b"]})
    student = G.ttest_ind(df, "y", "g").iloc[0]
    ref = stats.ttest_ind(df.y[df.g == "a"], df.y[df.g == "b"])  # scipy: pooled SD works
    assert student.t == pytest.approx(ref.statistic) and student.status == "warning"
    assert "single-member group(s): b" in student.note
    welch = G.ttest_ind(df, "y", "g", welch=True).iloc[0]
    assert welch.status == "not_computed" and np.isnan(welch.t)


def test_clustered_comparison_with_one_officer_is_reported():
    df = scores(n=30, seed=21)
    df["po_id"] = 7
    res = G.group_difference_clustered(df, "trust", "g", "po_id").set_index("method")
    assert res.loc["ols", "status"].tolist()[0] == "ok"
    assert res.loc["cr1", "status"] == "not_computed" and "two clusters" in res.loc["cr1", "note"]
    assert res.loc["mixedlm", "status"] == "not_computed"


def test_chi2_with_all_values_missing():
    df = pd.DataFrame({"a": [np.nan] * 4, "b": [0, 1, 0, 1]})
    r = G.chi2_independence(df, "a", "b").iloc[0]
    assert r.status == "not_computed" and r.n == 0 and "4 row(s) missing" in r.note


def test_paired_difference_clustered_against_the_paired_t_test_and_a_hand_sandwich():
    rng = np.random.default_rng(22)
    po = np.repeat(np.arange(50), 3)
    u = rng.normal(0, 0.5, 50)[po]
    df = pd.DataFrame({"client": 6 + u + rng.normal(0, 0.7, 150),
                       "officer": 5.2 + rng.normal(0, 0.7, 150), "po": po})
    res = G.paired_difference_clustered(df, "client", "officer", "po").set_index("method")
    pt = G.ttest_paired(df, "client", "officer").iloc[0]
    assert res.loc["ols", "statistic"] == pytest.approx(pt.t, rel=1e-10)  # paired t-test
    assert res.loc["ols", "estimate"] == pytest.approx(pt["diff"])
    d = (df.client - df.officer).to_numpy()
    e = d - d.mean()
    meat = sum(e[po == c].sum() ** 2 for c in range(50))
    V = 50 / 49 * 149 / 149 * meat / 150 ** 2  # CR1: G/(G-1) (N-1)/(N-K), K = 1
    assert res.loc["cr1", "SE"] == pytest.approx(np.sqrt(V), rel=1e-10)
    assert res.loc["cr1", "SE"] > res.loc["ols", "SE"]  # the officer effect widens it
    assert res.loc["mixedlm", "icc"] > 0.1
