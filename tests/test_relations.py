"""wagk.relations (every test of chapters 8 and 9) and wagk.result_tables against second computations.

References: scipy (one-way ANOVA, correlations), statsmodels (multiple testing, MixedLM), the
thesis's own recipes (wagk.perspective / wagk.outcomes rows on the same cases), and formulas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.multitest import multipletests

from ch89_data import write_background_study
from wagk import background, groups, outcomes, perspective, relations, result_tables
from wagk.contract import load_study


@pytest.fixture(scope="module")
def frame(tmp_path_factory):
    study = load_study(write_background_study(tmp_path_factory.mktemp("ch89") / "data", seed=5))
    return background.analysis_frame(study)


@pytest.fixture(scope="module")
def screens(frame):
    return {p: relations.adjust(relations.screen(frame, p)) for p in ("client", "po")}


def test_every_factor_and_wave_is_tested(screens):
    for persp, tests in screens.items():
        for f in relations.factors(persp):
            for wave in f.columns:
                g = tests[(tests["factor"] == f.name) & (tests["wave"] == wave)]
                assert (g["status"] != "pending").all(), (persp, f.name, wave, g["note"].tolist())
                per_score = g[g["dv"] != "scales"]
                assert set(per_score["dv"]) == set(relations.scores_of(persp)), (f.name, wave)
                if f.kind == "group":
                    assert set(g.loc[g["dv"] == "scales", "test"]) == {"MANOVA Pillai", "MANOVA Wilks"}
                    assert per_score["p_cr1"].notna().all()


def test_anova_rows_match_scipy_and_eta_squared_its_f_and_df(frame, screens):
    t = screens["client"]
    row = t[(t["factor"] == "risc_category") & (t["wave"] == "1") & (t["dv"] == "bond")].iloc[0]
    sub = frame[frame["in_client_w1"]].dropna(subset=["client1_bond", "risc_category"])
    ref = stats.f_oneway(*[g["client1_bond"] for _, g in sub.groupby("risc_category")])  # reference: scipy
    assert row["statistic"] == pytest.approx(ref.statistic, rel=1e-10)
    assert row["p"] == pytest.approx(ref.pvalue, rel=1e-8)
    anova = t[t["test"] == "ANOVA"]
    from_f = anova["statistic"] * anova["df1"] / (anova["statistic"] * anova["df1"] + anova["df2"])
    np.testing.assert_allclose(anova["effect"], from_f, rtol=1e-10)


def test_correlation_rows_match_scipy(frame, screens):
    t = screens["po"]
    row = t[(t["factor"] == "client_difficult") & (t["wave"] == "2") & (t["dv"] == "reactance")].iloc[0]
    sub = frame[frame["in_po_w2"]][["po2_reactance", "client_difficult_w2"]].dropna()
    ref = stats.spearmanr(sub["po2_reactance"], sub["client_difficult_w2"])  # reference: scipy
    assert row["statistic"] == pytest.approx(ref.statistic, rel=1e-10)
    assert row["n"] == len(sub) and row["direction"] == np.sign(ref.statistic)


def test_screen_agrees_with_the_printed_recipe_on_the_same_comparison(frame, screens):
    """S8.4.1d (goals and restriction by detention history, wave 1) is one of the screen's tests."""
    rows = perspective.client_background_rows(frame)
    rec = rows[rows["ref"] == "S8.4.1d"].set_index("statistic")["value"]
    t = screens["client"]
    row = t[(t["factor"] == "detention_history") & (t["wave"] == "1") & (t["dv"] == "goals_restriction")].iloc[0]
    assert row["statistic"] == pytest.approx(rec["F"], rel=1e-10)
    assert row["effect"] == pytest.approx(rec["eta2"], rel=1e-10)
    means = rows[(rows["ref"] == "S8.4.1d") & (rows["statistic"] == "M")].set_index("group")["value"]
    assert row["direction"] == np.sign(means["detention_history=yes"] - means["detention_history=no"])


def test_cr1_omnibus_equals_group_difference_clustered():
    rng = np.random.default_rng(3)
    n = 240
    df = pd.DataFrame({"y": rng.normal(size=n), "g": rng.integers(0, 3, n), "c": rng.integers(0, 90, n)})
    df["y"] += 0.3 * (df["g"] == 2) + rng.normal(size=90)[df["c"]] * 0.5
    ref = groups.group_difference_clustered(df, "y", "g", "c", methods=("cr1",))
    p, G, note = relations.cr1_omnibus(df["y"].to_numpy(), df["g"].to_numpy(), df["c"].to_numpy())
    assert p == pytest.approx(ref.loc[ref["term"] == "omnibus", "p"].iloc[0], rel=1e-12)
    assert G == ref["n_clusters"].iloc[0] and note == ""
    p, _, note = relations.cr1_omnibus(np.ones(10), np.r_[np.zeros(5), np.ones(5)], np.arange(10))
    assert np.isnan(p) and "not computed" in note


def test_icc_anova_estimator_against_a_random_intercept_model():
    """Clustered data with a true ICC of .30: the ANOVA estimator and REML MixedLM agree closely."""
    rng = np.random.default_rng(11)
    sizes = rng.integers(1, 5, 150)
    officer = np.repeat(np.arange(150), sizes)
    y = rng.normal(0, np.sqrt(0.3), 150)[officer] + rng.normal(0, np.sqrt(0.7), len(officer))
    data = pd.DataFrame({"client1_trust": y, "po_id_w1": officer.astype(str), "in_client_w1": True})
    got = relations.icc_table(data.assign(**{c: np.nan for c in ()}), "client")
    got = got[(got["wave"] == "1") & (got["dv"] == "trust")].iloc[0]
    fit = sm.MixedLM(y, np.ones((len(y), 1)), groups=officer).fit(reml=True)  # reference: REML
    tau2 = float(np.asarray(fit.cov_re)[0, 0])
    assert got["icc"] == pytest.approx(tau2 / (tau2 + fit.scale), abs=0.03)
    # balanced clusters: ICC(1) = (MSB - MSW) / (MSB + (m - 1) MSW) by hand
    officer = np.repeat(np.arange(60), 3)
    y = rng.normal(size=60)[officer] + rng.normal(size=180)
    data = pd.DataFrame({"client1_trust": y, "po_id_w1": officer, "in_client_w1": True})
    by = pd.Series(y).groupby(officer)
    msb = 3 * ((by.mean() - y.mean()) ** 2).sum() / 59
    msw = ((y - by.transform("mean")) ** 2).sum() / 120
    got = relations.icc_table(data, "client").iloc[0]
    assert got["icc"] == pytest.approx((msb - msw) / (msb + 2 * msw), rel=1e-10)


def test_adjusted_p_values_are_benjamini_hochberg_and_holm_over_the_per_score_tests(screens):
    t = screens["client"]
    fam = t[(t["dv"] != "scales") & t["p"].notna()]
    np.testing.assert_allclose(fam["p_fdr"], multipletests(fam["p"], method="fdr_bh")[1], rtol=1e-12)
    np.testing.assert_allclose(fam["p_holm"], multipletests(fam["p"], method="holm")[1], rtol=1e-12)
    assert t.loc[t["dv"] == "scales", "p_fdr"].isna().all()
    assert (t["m"] == len(fam)).all()


def test_figure_inputs_follow_the_p_values(screens):
    t = screens["client"]
    links = relations.model_links(t).set_index("factor")
    per = t[t["dv"].isin(relations.SCALES + ("total",))]
    for factor, g in per.groupby("factor"):
        assert (links.loc[factor, "status"] == "significant") == bool((g["p"] < 0.05).any()), factor
        assert links.loc[factor, "n_links"] == int((g["p"] < 0.05).sum())
    ov = relations.outcome_overview(t)
    assert list(ov.index) == ["1", "2", "diff"] and list(ov.columns) == list(outcomes.OUTCOMES)
    for o in ov.columns:
        for w in ov.index:
            sig = t[(t["factor"] == o) & (t["wave"] == w) & (t["dv"] != "scales") & (t["p"] < 0.05)]
            assert [c[0] for c in ov.loc[w, o]] == sig["dv"].tolist()


def test_a_missing_column_gives_pending_rows_not_an_error(tmp_path):
    study = load_study(write_background_study(tmp_path / "data", n_clients=120, n_officers=50,
                                              drop=("risc_category", "exp_advisor", "lvb")))
    data = background.analysis_frame(study)
    t = relations.screen(data, "client")
    pend = t[t["status"] == "pending"]
    assert set(pend["factor"]) == {"risc_category", "exp_advisor", "lvb"}
    assert pend["note"].str.contains("the dataset has no").all()
    links = relations.model_links(t).set_index("factor")
    assert links.loc["risc_category", "status"] == "pending"


def test_clustered_recipes_test_the_printed_comparison_on_its_own_cases(frame):
    rows = outcomes.client_outcome_rows(frame)
    cl = relations.clustered_recipes(outcomes.client_outcome_recipes(), frame).set_index("ref")
    p = rows[(rows["statistic"] == "p") & rows["analysis"].isin(["anova", "manova"])].groupby("ref")["value"].first()
    common = p.index.intersection(cl.index)
    assert len(common) >= 10
    np.testing.assert_allclose(cl.loc[common, "p"], p[common], rtol=1e-8)  # naive OLS = the ANOVA
    assert cl.loc[common, "p_cr1"].notna().all() and (cl.loc[common, "n_min"] >= 1).all()


# ---------------------------------------------------------------- result tables

def test_test_text_writes_tests_as_the_thesis_does():
    assert result_tables.test_text({"F": 4.2, "df1": 1, "df2": 166, "p": 0.042, "eta2": 0.0247}, "anova") == \
        "F(1, 166) = 4.20, p = .042, η² = .02"
    assert result_tables.test_text({"t": -2.45, "df": 84.01, "p": 0.016, "d": 0.42}, "ttest") == \
        "t(84.01) = -2.45, p = .016, d = 0.42"
    assert result_tables.test_text({"rs": -0.16, "df": 259, "p": 0.0009}, "spearman") == "rS(259) = -.16, p < .001"
    assert result_tables.test_text({"chi2": 16.16, "df": 1, "n": 176, "p": 0.0001, "phi": 0.3}, "chi2") == \
        "χ²(1, n = 176) = 16.16, p < .001, φ = .30"


def test_outcome_table_puts_the_anova_stars_on_the_negative_group(frame):
    rows = outcomes.client_outcome_rows(frame)
    t89 = rows[rows["ref"] == "T8.9"]
    table = result_tables.outcome_table(t89, relations.SCALES, outcomes.OUTCOMES)
    p = t89[(t89["statistic"] == "p") & (t89["variable"] == "bond") & (t89["group"] == "outcome=no_show")]["value"].iloc[0]
    cell = table.iloc[2, 1]  # bond, no_show = 1
    assert cell.endswith(("**" if p < 0.01 else "*") if p < 0.05 else ")")
    assert not table.iloc[2, 0].endswith("*")


def test_screen_grid_marks_an_anova_without_its_manova():
    tests = pd.DataFrame([
        dict(factor="x", wave="1", dv="scales", test="MANOVA Pillai", value=0.02, statistic=1.1, p=0.30, status="ok",
             note=""),
        dict(factor="x", wave="1", dv="scales", test="MANOVA Wilks", value=0.98, statistic=1.1, p=0.31, status="ok",
             note=""),
        dict(factor="x", wave="1", dv="trust", test="ANOVA", statistic=4.5, p=0.03, p_cr1=0.2, p_fdr=0.5, n=100,
             status="ok", note=""),
        dict(factor="x", wave="1", dv="bond", test="ANOVA", statistic=0.5, p=0.5, p_cr1=0.5, p_fdr=0.9, n=98,
             status="ok", note=""),
    ])
    grid = result_tables.screen_grid(tests, ["trust", "bond"])
    assert grid.loc[("x", "1"), "trust"] == "4.50* a \u2020 \u2021"
    assert grid.loc[("x", "1"), "bond"] == "0.50"
    assert grid.loc[("x", "1"), "MANOVA"].startswith("V = .02 (Wilks p = .310)")
