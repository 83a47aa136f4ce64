"""Chapter 10's models: the stepwise tables through the chapter's recipes on a fixture with a known
answer, Nagelkerke's R2 against its formula, and wagk.dyadic (response surfaces, selection
stability beside the lasso, officer-clustered agreement) against the functions it wraps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.special import expit

from wagk import association, dyadic, logistic, outcomes, rsa

SCALES = ("trust", "goals_restriction", "bond", "reactance")
ALL16 = [f"{p}{w}_{s}" for p in ("client", "po") for w in (1, 2) for s in SCALES]


def known_answer_dyads(seed: int = 5, n: int = 300) -> pd.DataFrame:
    """An analysis frame whose outcome depends on client1_trust (-) and po1_reactance (+) only.

    The other 14 candidate scales are noise made orthogonal to the constant, the outcome and the
    fitted probabilities of every model a forward selection over the true pair visits ({a}, {b},
    {a, b}): their score statistic is 0 at every step, so the right selection is known by
    construction (as ``tests/test_logistic.py::known_answer``, with the thesis's column names).
    Every outcome column holds the same y; rows 0-9 miss po2_bond (listwise deletion in Table
    10.8 and 10.9 only).
    """
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.normal(size=n)
    y = (rng.random(n) < expit(-0.4 - 1.2 * a + 1.1 * b)).astype(float)
    fitted = [sm.Logit(y, sm.add_constant(np.column_stack(c))).fit(disp=0).predict() for c in ([a], [b], [a, b])]
    basis = np.column_stack([np.ones(n), y] + fitted)
    noise = rng.normal(size=(n, 14))
    noise -= basis @ np.linalg.lstsq(basis, noise, rcond=None)[0]
    others = [c for c in ALL16 if c not in ("client1_trust", "po1_reactance")]
    df = pd.DataFrame(4 + noise, columns=others)
    df["client1_trust"] = 5 + a
    df["po1_reactance"] = 4 + b
    for o in outcomes.OUTCOMES:
        df[o] = y
    df.loc[:9, "po2_bond"] = np.nan
    df.index = [f"C{i:03d}" for i in range(n)]
    return df


def nagelkerke_by_formula(y: np.ndarray, X: np.ndarray) -> float:
    """R2_N = (1 - (L0/L1)^(2/n)) / (1 - L0^(2/n)), with the likelihoods from statsmodels
    (written in logs: L^(2/n) = exp(2 ll / n), so n = 300 does not underflow)."""
    n = len(y)
    ll1 = sm.Logit(y, sm.add_constant(X)).fit(disp=0).llf
    ll0 = sm.Logit(y, np.ones(n)).fit(disp=0).llf
    return (1 - np.exp(2 * (ll0 - ll1) / n)) / (1 - np.exp(2 * ll0 / n))


@pytest.fixture(scope="module")
def fixture_fits():
    df = known_answer_dyads()
    fits = {t: outcomes.logistic_models(df, t) for t in outcomes.LOGISTIC_MODELS}
    return df, fits


def test_tables_10_7_to_10_9_select_exactly_the_true_predictors(fixture_fits):
    df, fits = fixture_fits
    for o in outcomes.OUTCOMES:
        assert sorted(fits["T10.7"][o].selected) == ["client1_trust", "po1_reactance"]
        assert sorted(fits["T10.9"][o].selected) == ["client1_trust", "po1_reactance"]
        assert fits["T10.8"][o].selected == []  # wave 2 holds only noise
    # listwise over all candidates of the model, as SPSS
    assert fits["T10.7"]["dropout"].fit["n"].iloc[0] == 300
    assert fits["T10.8"]["dropout"].fit["n"].iloc[0] == 290
    assert fits["T10.9"]["dropout"].fit["n"].iloc[0] == 290


def test_ledger_rows_carry_expb_se_and_nagelkerke_r2_by_formula(fixture_fits):
    df, fits = fixture_fits
    rows = outcomes.logistic_rows(df, fits=fits)
    t7 = rows[(rows.ref == "T10.7") & (rows.group == "outcome=no_show")].set_index(["variable", "statistic"])["value"]
    X = df[["client1_trust", "po1_reactance"]].to_numpy()
    y = df["no_show"].to_numpy()
    ref = sm.Logit(y, sm.add_constant(X)).fit(disp=0)
    assert t7[("client1_trust", "ExpB")] == pytest.approx(np.exp(ref.params[1]), rel=1e-7)
    assert t7[("po1_reactance", "SE")] == pytest.approx(ref.bse[2], rel=1e-6)  # SE of B, as printed
    assert t7[("model", "n")] == 300
    assert t7[("model", "R2")] == pytest.approx(nagelkerke_by_formula(y, X), rel=1e-8)
    assert {v for v, _ in t7.index} == {"model", "client1_trust", "po1_reactance"}
    # Table 10.8 selected nothing: n and R2 = 0 only
    t8 = rows[(rows.ref == "T10.8") & (rows.group == "outcome=dropout")]
    assert set(t8["variable"]) == {"model"} and t8.set_index("statistic")["value"]["R2"] == pytest.approx(0, abs=1e-12)
    # the running text repeats the table (S10.3.1a: Exp(B) of client trust for no-show)
    s = rows[(rows.ref == "S10.3.1a") & (rows.statistic == "ExpB")]["value"].iloc[0]
    assert s == pytest.approx(t7[("client1_trust", "ExpB")])
    # refitting gives the same rows as reusing the fits
    pd.testing.assert_frame_equal(rows, outcomes.logistic_rows(df))


def test_logistic_models_for_the_outcomes_a_dataset_has():
    df = known_answer_dyads().drop(columns=["no_show", "formal_action"])
    res = outcomes.logistic_models(df, "T10.7", outcomes=("dropout", "early_help"))
    assert set(res) == {"dropout", "early_help"}


def test_candidates_and_selection_summary(fixture_fits):
    assert dyadic.candidates("T10.7") == [f"client1_{s}" for s in SCALES] + [f"po1_{s}" for s in SCALES]
    assert dyadic.candidates("T10.9")[:8] == [f"client{w}_{s}" for w in (1, 2) for s in SCALES]
    with pytest.raises(KeyError):
        dyadic.candidates("T10.6")
    summary = dyadic.selection_summary(fixture_fits[1]).set_index(["table", "outcome"])
    assert len(summary) == 12
    assert summary.loc[("T10.8", "dropout"), "selected"] == ""
    assert set(summary.loc[("T10.7", "dropout"), "selected"].split("+")) == {"client1_trust", "po1_reactance"}


# ------------------------------------------------------------------------------- stability

def test_stability_batch_equals_selection_stability_and_is_independent_of_n_jobs():
    df = known_answer_dyads(n=200)
    one = dyadic.start_stability(df, tables=("T10.7",), outcomes=("dropout", "early_help"), n_boot=40, seed=3,
                                 n_jobs=1)
    two = dyadic.start_stability(df, tables=("T10.7",), outcomes=("dropout", "early_help"), n_boot=40, seed=3,
                                 n_jobs=2)
    v1, m1 = one.result()
    v2, m2 = two.result()
    pd.testing.assert_frame_equal(v1, v2)
    pd.testing.assert_frame_equal(m1, m2)
    ref = logistic.selection_stability(df, "dropout", dyadic.candidates("T10.7"), n_boot=40, seed=3)
    got = v1[v1.outcome == "dropout"].reset_index(drop=True)
    np.testing.assert_array_equal(got["selected"], ref.variables["selected"])
    np.testing.assert_array_equal(got["in_full"], ref.variables["in_full"])
    l1 = logistic.l1_logistic(df, "dropout", dyadic.candidates("T10.7"), seed=3, cv=5, n_cs=16, c_range=(1e-4, 10))
    np.testing.assert_allclose(got["l1_B_std"], l1["B_std"])
    assert got.set_index("variable").loc["client1_trust", "share"] > 0.9
    # the set chosen on all cases is among the models, with its share of the resamples
    m = m1[m1.outcome == "dropout"]
    full = m[m.is_full]
    assert len(full) == 1 and full["model"].iloc[0] == "+".join(got.loc[got.in_full, "variable"])
    ref_share = ref.models.set_index("model")["share"].get(full["model"].iloc[0], 0.0)
    assert full["share"].iloc[0] == pytest.approx(ref_share)
    assert (m["rank"].dropna() <= 5).all() and m["rank"].dropna().is_monotonic_increasing


def test_the_worker_pool_leaves_joblib_parallel_working():
    """The batch uses joblib's own loky pool: joblib.Parallel runs after it in the same process."""
    df = known_answer_dyads(n=120)
    dyadic.prestart(2)
    dyadic.start_stability(df, tables=("T10.7",), outcomes=("dropout",), n_boot=4, seed=1, n_jobs=2).result()
    res = logistic.selection_stability(df, "dropout", dyadic.candidates("T10.7"), n_boot=4, seed=1, n_jobs=2)
    assert res.variables["n_boot"].eq(4).all()


def test_stability_reports_an_outcome_that_cannot_be_fitted():
    df = known_answer_dyads(n=60)
    df["dropout"] = 0.0
    df.loc[df.index[:1], "dropout"] = 1.0  # one event: the lasso's folds cannot be stratified
    v, _ = dyadic.start_stability(df, tables=("T10.7",), outcomes=("dropout",), n_boot=5, seed=1).result()
    assert len(v) == 8 and v["note"].str.len().gt(0).all() and v["l1_selected"].isna().all()


# ------------------------------------------------------------------------------- response surfaces

def _rsa_frame(seed=2, n=400):
    rng = np.random.default_rng(seed)
    x = np.clip(np.round(rng.normal(5, 1, n) * 4) / 4, 1, 7)
    y = np.clip(np.round(rng.normal(4.5, 1, n) * 4) / 4, 1, 7)
    eta = -1 + 0.6 * (x - y) ** 2 * 0.5 - 0.4 * (x - 4)
    out = (rng.random(n) < expit(eta)).astype(float)
    frame = pd.DataFrame({"client1_bond": x, "po1_bond": y, "dropout": out, "in_client_w1": True, "in_po_w1": True,
                          "po_id_w1": [f"P{i % 60:02d}" for i in range(n)]})
    frame.loc[frame.index[:20], "in_po_w1"] = False  # not a dyad at wave 1
    return frame


def test_response_surfaces_equal_rsa_on_the_dyads_with_officer_clusters():
    frame = _rsa_frame()
    got = dyadic.response_surfaces(frame, waves=(1,), scales=("bond",), outcomes=("dropout", "early_help"))
    assert set(got["outcome"]) == {"dropout"}  # an outcome the frame lacks is skipped
    ref = rsa.response_surface(frame.iloc[20:], "dropout", "client1_bond", "po1_bond", family="binomial",
                               cluster="po_id_w1")
    pd.testing.assert_frame_equal(got.drop(columns=["wave", "scale", "outcome"]), ref)
    a4 = got.set_index("term").loc["a4"]
    assert a4["estimate"] > 0 and a4["p"] < 0.05 and a4["n"] == 380
    gx, gy, P = dyadic.surface_grid(got)
    assert P.shape == (61, 61) and ((P > 0) & (P < 1)).all()
    # the surface is lowest near agreement: along X = -Y through (4, 4) the middle is the minimum
    anti = np.array([P[k, 60 - k] for k in range(61)])
    assert anti[30] <= anti[0] and anti[30] <= anti[60]


# ------------------------------------------------------------------------------- clustered agreement

def test_clustered_agreement_uses_the_officer_of_each_questionnaire():
    rng = np.random.default_rng(4)
    ids = [f"C{i:03d}" for i in range(90)]
    client = pd.DataFrame({s: rng.normal(5, 1, 90) for s in ("trust", "bond")}, index=ids)
    po = pd.DataFrame({"po_id": [f"P{i % 30:02d}" for i in range(85)],
                       **{s: client[s].iloc[:85].to_numpy() * 0.5 + rng.normal(0, 1, 85) for s in ("trust", "bond")}},
                      index=ids[:85])
    got = dyadic.clustered_agreement(client, po, variables=("trust", "bond"), n_boot=200, seed=9)
    d = pd.DataFrame({"client": client.loc[ids[:85], "trust"], "po": po["trust"], "po_id": po["po_id"]})
    ref = association.cluster_bootstrap_correlation(d, "client", "po", "po_id", n_boot=200, seed=9)
    row = got.set_index("variable").loc["trust"]
    assert row["n"] == 85 and row["n_clusters"] == 30
    assert row["r"] == pytest.approx(ref["r"].iloc[0]) and row["ci_low"] == pytest.approx(ref["ci_low"].iloc[0])
    with pytest.raises(KeyError, match="po_id"):
        dyadic.clustered_agreement(client, po.drop(columns="po_id"))
