"""wagk.logistic against statsmodels, formulas by hand, and fixtures with a known answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from scipy.special import expit

from wagk import logistic as L

SCALES = ["trust", "goals_restriction", "bond", "reactance"]
CANDIDATES = [f"client_{s}" for s in SCALES] + [f"po_{s}" for s in SCALES]


def dyads(n: int = 267, seed: int = 0) -> pd.DataFrame:
    """Eight correlated scale scores (1-7), outcome driven by client trust and PO reactance."""
    rng = np.random.default_rng(seed)
    cov = np.full((8, 8), 0.35) + 0.65 * np.eye(8)
    z = rng.multivariate_normal(np.zeros(8), cov, size=n)
    df = pd.DataFrame(np.clip(5 + 0.8 * z, 1, 7), columns=CANDIDATES)
    eta = -1.0 - 1.0 * (df.client_trust - 5) + 0.9 * (df.po_reactance - 5)
    df["dropout"] = (rng.random(n) < expit(eta)).astype(int)
    df["po_id"] = np.repeat(np.arange(n), rng.integers(1, 5, n))[:n]
    return df


# ---------------------------------------------------------------- R2

def test_nagelkerke_and_cox_snell_match_the_likelihood_formula_by_hand():
    rng = np.random.default_rng(1)
    n = 40  # small n, so the likelihoods themselves do not underflow
    x = rng.normal(size=n)
    y = (rng.random(n) < expit(0.3 + 1.2 * x)).astype(float)
    m1 = sm.Logit(y, sm.add_constant(x)).fit(disp=0)
    m0 = sm.Logit(y, np.ones(n)).fit(disp=0)
    L0, L1 = np.exp(m0.llf), np.exp(m1.llf)
    cs = 1 - (L0 / L1) ** (2 / n)  # Cox & Snell (1989)
    nk = cs / (1 - L0 ** (2 / n))  # Nagelkerke (1991)
    assert L.cox_snell_r2(m0.llf, m1.llf, n) == pytest.approx(cs, rel=1e-10)
    assert L.nagelkerke_r2(m0.llf, m1.llf, n) == pytest.approx(nk, rel=1e-10)
    assert 0 < cs < nk < 1


# ---------------------------------------------------------------- fitting

def test_fit_logit_matches_statsmodels_and_the_numpy_core():
    df = dyads(seed=2)
    df.loc[:4, "po_bond"] = np.nan
    res = L.fit_logit(df, "dropout", ["client_trust", "po_reactance", "po_bond"])
    ok = df.dropna(subset=["po_bond"])
    X = sm.add_constant(ok[["client_trust", "po_reactance", "po_bond"]].to_numpy())
    ref = sm.Logit(ok.dropout.to_numpy(), X).fit(disp=0)  # reference: statsmodels
    c = res.coefficients
    np.testing.assert_allclose(c.B, ref.params, rtol=1e-7)
    np.testing.assert_allclose(c.SE, ref.bse, rtol=1e-6)
    np.testing.assert_allclose(c.Wald, ref.tvalues ** 2, rtol=1e-6)
    np.testing.assert_allclose(c.ExpB, np.exp(ref.params), rtol=1e-7)
    f = res.fit.iloc[0]
    assert f.n == len(ok) and f.n_excluded == 5 and f.status == "warning"
    assert f.m2LL == pytest.approx(-2 * ref.llf) and f.chi2 == pytest.approx(ref.llr)
    assert f.R2 == pytest.approx(L.nagelkerke_r2(ref.llnull, ref.llf, len(ok)))
    core = L._newton(X, ok.dropout.to_numpy(float))  # the selection's own Newton-Raphson
    np.testing.assert_allclose(core.beta, ref.params, rtol=1e-7)
    np.testing.assert_allclose(np.sqrt(np.diag(core.cov)), ref.bse, rtol=1e-6)


def test_score_statistics_match_statsmodels_score_test():
    df = dyads(seed=3)
    y = df.dropout.to_numpy(float)
    Xm = sm.add_constant(df[["client_trust"]].to_numpy())
    fit = sm.Logit(y, Xm).fit(disp=0)
    cand = df[CANDIDATES[1:]].to_numpy()
    got = L._score_tests(Xm, cand, y, fit.predict())
    for j in range(cand.shape[1]):  # reference: statsmodels Rao score test
        ref = fit.score_test(exog_extra=cand[:, [j]])
        assert got[j] == pytest.approx(float(np.squeeze(ref.statistic)), rel=1e-8)


def test_removal_statistics_match_refitted_models_and_formulas():
    df = dyads(seed=4)
    preds = ["client_trust", "po_reactance", "client_bond"]
    res = L.removal_tests(df, "dropout", preds).set_index("variable")
    y = df.dropout.to_numpy(float)
    X = sm.add_constant(df[preds].to_numpy())
    full = sm.Logit(y, X).fit(disp=0)
    V = full.cov_params()
    for i, v in enumerate(preds):
        j = i + 1
        keep = [q for q in range(4) if q != j]
        red = sm.Logit(y, X[:, keep]).fit(disp=0)
        assert res.loc[v, "lr"] == pytest.approx(2 * (full.llf - red.llf), rel=1e-7)
        assert res.loc[v, "wald"] == pytest.approx(full.tvalues[j] ** 2, rel=1e-6)
        approx = full.params[keep] - V[keep, j] / V[j, j] * full.params[j]  # Lawless & Singhal
        eta = X[:, keep] @ approx
        ll = np.sum(y * eta - np.log1p(np.exp(eta)))
        assert res.loc[v, "conditional"] == pytest.approx(2 * (full.llf - ll), rel=1e-6)
        assert res.loc[v, "conditional"] >= res.loc[v, "lr"] - 1e-9  # an upper bound of LR
        assert res.loc[v, "p_lr"] == pytest.approx(stats.chi2.sf(res.loc[v, "lr"], 1))


# ---------------------------------------------------------------- stepwise selection

def known_answer(seed: int = 5, n: int = 300) -> pd.DataFrame:
    """Two strong predictors and six noise predictors whose score statistic is exactly zero.

    The noise columns are made orthogonal to the constant, y and the fitted probabilities of
    every model the selection visits ({a}, {b}, {a, b}), so U = x'(y - p) = 0 at every step:
    the right answer is {a, b} by construction, not by luck of the seed.
    """
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.normal(size=n)
    y = (rng.random(n) < expit(-0.3 + 1.3 * a - 1.1 * b)).astype(float)
    fitted = [sm.Logit(y, sm.add_constant(np.column_stack(c))).fit(disp=0).predict()
              for c in ([a], [b], [a, b])]
    basis = np.column_stack([np.ones(n), y] + fitted)
    noise = rng.normal(size=(n, 6))
    noise -= basis @ np.linalg.lstsq(basis, noise, rcond=None)[0]
    df = pd.DataFrame(noise, columns=[f"noise{j}" for j in range(6)])
    df.insert(0, "b", b)
    df.insert(0, "a", a)
    df["y"] = y
    return df


@pytest.mark.parametrize("removal", L.REMOVAL)
def test_forward_selection_picks_exactly_the_strong_predictors(removal):
    df = known_answer()
    cands = [c for c in df.columns if c != "y"]
    res = L.forward_stepwise(df, "y", cands, removal=removal)
    assert sorted(res.selected) == ["a", "b"]
    assert res.steps.action.tolist() == ["enter", "enter"]
    first = res.candidates[res.candidates.step == 0].set_index("variable")
    assert res.selected[0] == first.score.idxmax()  # the largest score statistic enters first
    noise = res.candidates[res.candidates.variable.str.startswith("noise")]
    assert (noise.score < 1e-16).all()
    ref = sm.Logit(df.y, sm.add_constant(df[res.selected])).fit(disp=0)
    np.testing.assert_allclose(res.coefficients.B, ref.params, rtol=1e-7)
    assert res.fit.R2.iloc[0] == pytest.approx(res.steps.R2.iloc[-1])


def removal_fixture(seed: int = 6, n: int = 500) -> pd.DataFrame:
    """c is marginally the best predictor (it carries a + b) but adds nothing given a and b:
    its noise part is orthogonal to the residual y - p of model {a, b}, so its MLE in {a, b, c}
    is exactly 0 and every removal test gives chi2 = 0."""
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.normal(size=n)
    y = (rng.random(n) < expit(1.0 * a + 1.0 * b)).astype(float)
    p_ab = sm.Logit(y, sm.add_constant(np.column_stack([a, b]))).fit(disp=0).predict()
    e = rng.normal(size=n)
    basis = np.column_stack([np.ones(n), a, b, y - p_ab])
    e -= basis @ np.linalg.lstsq(basis, e, rcond=None)[0]
    c = 0.9 * (a + b) / np.sqrt(2) + 0.45 * e / e.std()
    return pd.DataFrame({"a": a, "b": b, "c": c, "y": y})


@pytest.mark.parametrize("removal", L.REMOVAL)
def test_entry_order_matters_the_first_entry_is_removed_later(removal):
    df = removal_fixture()
    res = L.forward_stepwise(df, "y", ["a", "b", "c"], removal=removal)
    st = res.steps
    assert st.action.tolist() == ["enter", "enter", "enter", "remove"]
    assert st.variable.iloc[0] == "c" and st.variable.iloc[3] == "c"
    assert st.statistic.iloc[3] == pytest.approx(0, abs=1e-6) and st.p.iloc[3] > 0.99
    assert sorted(res.selected) == ["a", "b"]
    assert st.model.tolist()[-1] in ("a+b", "b+a")
    # without removal (forward only, POUT = 1) the early entry stays in the model
    fwd = L.forward_stepwise(df, "y", ["a", "b", "c"], removal=removal, p_remove=1.0)
    assert sorted(fwd.selected) == ["a", "b", "c"]


def test_listwise_deletion_over_all_candidates_as_spss():
    df = dyads(seed=7)
    df.loc[:9, "po_goals_restriction"] = np.nan  # a candidate that is not selected
    res = L.forward_stepwise(df, "dropout", CANDIDATES)
    assert "po_goals_restriction" not in res.selected
    assert res.fit.n.iloc[0] == 257 and res.fit.n_excluded.iloc[0] == 10


def test_method_sensitivity_reports_all_three_removal_tests():
    out = L.method_sensitivity(known_answer(), "y", ["a", "b"] + [f"noise{j}" for j in range(6)])
    assert out.removal.tolist() == ["lr", "conditional", "wald"] and out.same.all()


@pytest.mark.parametrize("p_remove", [0.10, 1.0])
def test_method_sensitivity_reuses_a_known_fit_and_equals_three_separate_selections(p_remove):
    """Each row equals forward_stepwise with that removal test, whether the LR model is passed
    in (known) or fitted here; the removal fixture selects a+b with removal, a+b+c without."""
    df = removal_fixture()
    cands = ["a", "b", "c"]
    lr = L.forward_stepwise(df, "y", cands, p_remove=p_remove)
    for known in (None, lr):
        out = L.method_sensitivity(df, "y", cands, p_remove=p_remove, known=known)
        for row in out.itertuples():
            ref = L.forward_stepwise(df, "y", cands, removal=row.removal, p_remove=p_remove)
            assert row.selected == "+".join(ref.selected) and row.n == ref.fit.n.iloc[0]
            assert row.R2 == pytest.approx(ref.fit.R2.iloc[0], rel=1e-12) and row.status == ref.status
    other = L.forward_stepwise(df, "y", ["a", "b"])  # another candidate list: not reused
    out = L.method_sensitivity(df, "y", cands, p_remove=p_remove, known=other)
    assert sorted(out.selected.iloc[0].split("+")) == (["a", "b"] if p_remove < 1 else ["a", "b", "c"])
    assert out.R2.iloc[0] == pytest.approx(lr.fit.R2.iloc[0], rel=1e-12)


def test_bad_outcome_coding_raises():
    df = dyads(n=50, seed=8)
    df["grade"] = 7
    df.loc[3, "grade"] = 8
    with pytest.raises(ValueError, match=r"'grade' must be coded 0/1: rows \[0, 1"):
        L.forward_stepwise(df, "grade", CANDIDATES)
    with pytest.raises(ValueError, match="p_enter"):
        L.forward_stepwise(df, "dropout", CANDIDATES, p_enter=0.2, p_remove=0.1)


# ---------------------------------------------------------------- separation

def test_detect_separation_on_textbook_cases():
    x = np.arange(10.0)
    X = np.column_stack([np.ones(10), x])
    assert L.detect_separation(X, (x > 4.5).astype(float)) == "complete"
    y_quasi = (x > 4).astype(float)
    X_quasi = np.column_stack([np.ones(11), np.append(x, 4.0)])  # a tie at the cut point
    assert L.detect_separation(X_quasi, np.append(y_quasi, 1.0)) == "quasi-complete"
    y_overlap = np.array([0, 0, 1, 0, 1, 0, 1, 1, 0, 1], dtype=float)
    assert L.detect_separation(X, y_overlap) == "none"


def test_separation_is_reported_not_crashed():
    df = dyads(seed=9)
    df["perfect"] = df.dropout * 3 + 2 + 0.1 * np.arange(len(df)) / len(df)
    fit = L.fit_logit(df, "dropout", ["client_trust", "perfect"])
    f = fit.fit.iloc[0]
    assert f.status == "not_computed" and f.separation == "complete"
    assert "separation" in f.note and fit.coefficients.empty
    res = L.forward_stepwise(df, "dropout", CANDIDATES + ["perfect"])
    assert res.selected[0] == "perfect"
    assert res.status == "not_computed" and "separation" in res.fit.note.iloc[0]


def test_constant_outcome_is_reported():
    df = dyads(n=60, seed=10)
    df["never"] = 0
    res = L.forward_stepwise(df, "never", CANDIDATES)
    assert res.selected == [] and res.status == "not_computed"
    assert "does not vary" in res.fit.note.iloc[0]


# ---------------------------------------------------------------- beyond: stability, lasso

def test_selection_stability_is_seeded_and_independent_of_the_number_of_jobs():
    df = dyads(seed=11)
    a = L.selection_stability(df, "dropout", CANDIDATES, n_boot=60, seed=3, n_jobs=1)
    b = L.selection_stability(df, "dropout", CANDIDATES, n_boot=60, seed=3, n_jobs=2)
    pd.testing.assert_frame_equal(a.variables, b.variables)
    pd.testing.assert_frame_equal(a.models, b.models)
    v = a.variables.set_index("variable")
    assert v.loc["client_trust", "share"] > 0.9 and v.loc["po_reactance", "share"] > 0.9
    assert v.loc["client_trust", "share_positive"] == 0  # B < 0 whenever selected
    assert v.loc[["client_trust", "po_reactance"], "in_full"].all()
    assert a.models["count"].sum() == 60 and (v.selected <= 60).all()


def test_selection_stability_matches_one_resample_run_by_hand():
    df = dyads(seed=12)
    res = L.selection_stability(df, "dropout", CANDIDATES, n_boot=1, seed=5)
    rows = np.random.default_rng(5).integers(0, len(df), size=(1, len(df)))[0]
    hand = L.forward_stepwise(df.iloc[rows].reset_index(drop=True), "dropout", CANDIDATES)
    v = res.variables.set_index("variable")
    assert sorted(v.index[v.selected == 1]) == sorted(hand.selected)
    for name in hand.selected:
        b = hand.coefficients.set_index("term").loc[name, "B"]
        assert v.loc[name, "median_ExpB"] == pytest.approx(np.exp(b), rel=1e-6)


def test_batched_bootstrap_takes_the_decisions_of_the_one_resample_selection():
    """_boot_lr_batched (all resamples side by side, resamples as case weights) against
    _boot_chunk (each resample's rows through _select): the same models, failures and signs,
    coefficients to the convergence tolerance; the removal fixture makes resamples remove an
    early entry, a weak outcome gives selections of every size, few events give separation."""
    cases = [(removal_fixture(n=200), "y", ["a", "b", "c"]), (dyads(seed=14, n=150), "dropout", CANDIDATES)]
    weak = dyads(seed=15, n=120)
    weak["dropout"] = (np.random.default_rng(2).random(120) < 0.08).astype(int)  # few events
    cases.append((weak, "dropout", CANDIDATES))
    for df, outcome, cands in cases:
        y, X, _names, _ = L._prepare(df, outcome, cands)
        rows = list(np.random.default_rng(4).integers(0, len(y), size=(150, len(y))))
        one = L._boot_chunk(X, y, rows, "lr", 0.05, 0.10, 2 * len(cands))
        bat = L._boot_lr_batched(X, y, rows, 0.05, 0.10, 2 * len(cands))
        ok = ~one[3]  # separated resamples (failed) may end elsewhere: their fits diverge
        np.testing.assert_array_equal(bat[3], one[3])
        np.testing.assert_array_equal(bat[0][ok], one[0][ok])
        np.testing.assert_array_equal(bat[1][ok], one[1][ok])
        np.testing.assert_allclose(bat[2][ok], one[2][ok], rtol=1e-6, atol=1e-7)
        assert one[0][ok].sum(axis=1).max() >= 2
    # splitting the resamples differently (n_jobs) gives identical bits
    y, X, _n, _ = L._prepare(cases[1][0], "dropout", CANDIDATES)
    rows = list(np.random.default_rng(4).integers(0, len(y), size=(90, len(y))))
    whole = L._boot_lr_batched(X, y, rows, 0.05, 0.10, 16)
    parts = [L._boot_lr_batched(X, y, rows[a:b], 0.05, 0.10, 16) for a, b in ((0, 31), (31, 90))]
    for i in range(4):
        np.testing.assert_array_equal(whole[i], np.concatenate([p[i] for p in parts]))


def test_selection_stability_by_officer_resampling_runs():
    df = dyads(seed=13)
    res = L.selection_stability(df, "dropout", CANDIDATES, n_boot=20, seed=1, cluster="po_id")
    assert res.variables.share.between(0, 1).all() and res.n_failed == 0


def test_l1_logistic_is_seeded_and_keeps_the_strong_predictors():
    df = dyads(n=400, seed=14)
    a = L.l1_logistic(df, "dropout", CANDIDATES, seed=2, n_cs=10, cv=5)
    b = L.l1_logistic(df, "dropout", CANDIDATES, seed=2, n_cs=10, cv=5)
    pd.testing.assert_frame_equal(a, b)
    v = a.set_index("variable")
    assert v.loc["client_trust", "selected"] and v.loc["po_reactance", "selected"]
    assert v.loc["client_trust", "B"] < 0 < v.loc["po_reactance", "B"]
    sd = df[CANDIDATES].std(ddof=0).to_numpy()
    np.testing.assert_allclose(a.B * sd, a.B_std, rtol=1e-12)


def test_l1_logistic_penalty_grid():
    """The default grid is sklearn's (1e-4 to 1e4); a narrower one keeps C inside it."""
    from sklearn.linear_model import LogisticRegressionCV
    from sklearn.model_selection import StratifiedKFold

    df = dyads(n=300, seed=15)
    a = L.l1_logistic(df, "dropout", CANDIDATES, seed=2, n_cs=8, cv=5)
    z = (df[CANDIDATES] - df[CANDIDATES].mean()) / df[CANDIDATES].std(ddof=0)
    ref = LogisticRegressionCV(Cs=8, cv=StratifiedKFold(5, shuffle=True, random_state=2), penalty="l1",
                               solver="saga", scoring="neg_log_loss", max_iter=20000, tol=1e-6,
                               random_state=2).fit(z.to_numpy(), df["dropout"].to_numpy())
    np.testing.assert_allclose(a.B_std, ref.coef_[0], rtol=1e-10, atol=1e-12)
    assert a.C.iloc[0] == pytest.approx(ref.C_[0])
    narrow = L.l1_logistic(df, "dropout", CANDIDATES, seed=2, n_cs=6, cv=5, c_range=(1e-3, 10))
    assert 1e-3 <= narrow.C.iloc[0] <= 10
    with pytest.raises(ValueError, match="c_range"):
        L.l1_logistic(df, "dropout", CANDIDATES, c_range=(10, 1))


def test_quasi_complete_separation_is_reported_by_fit_logit():
    df = dyads(seed=15)
    # every case above 5.5 has the event; at 5.5 and below both outcomes occur
    df["cut"] = np.where(df.dropout == 1, np.maximum(df.client_bond, 5.5),
                         np.minimum(df.client_bond, 5.5))
    fit = L.fit_logit(df, "dropout", ["cut"]).fit.iloc[0]
    assert fit.separation == "quasi-complete" and fit.status == "not_computed"
