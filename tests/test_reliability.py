"""wagk.reliability: alpha, alpha if item deleted, alpha optimisation, omega and its interval.

References: the direct alpha formula; pingouin.cronbach_alpha; psych::alpha and lavaan one-factor
models through Rscript (skipped without R); wagk.cfa.fit_cfa for the bootstrap's one-factor ML.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin
import pytest

from cfa_data import simulate
from rtools import lavaan_cfa, needs_r, run_r
from wagk.cfa import fit_cfa
from wagk.reliability import (_omega_from, _one_factor_ml, alpha_if_deleted, alpha_optimisation,
                              cronbach_alpha, omega, omega_ci)

TRUST = ["i01", "i02", "i03", "i04", "i05"]
REACT = ["i15", "i16", "i17", "i18", "i19"]


@pytest.fixture(scope="module")
def data():
    return simulate(n=302, seed=41, missing=0.04)


def test_alpha_direct_formula(data):
    x = data[TRUST].dropna()
    k = x.shape[1]
    direct = k / (k - 1) * (1 - x.var(ddof=1).sum() / x.sum(axis=1).var(ddof=1))
    assert cronbach_alpha(data[TRUST]) == pytest.approx(direct, abs=1e-12)


@pytest.mark.parametrize("policy", ["listwise", "pairwise"])
def test_alpha_matches_pingouin(data, policy):
    ref, _ = pingouin.cronbach_alpha(data=data[TRUST], nan_policy=policy)
    assert cronbach_alpha(data[TRUST], missing=policy) == pytest.approx(ref, abs=1e-12)


def test_alpha_if_deleted_matches_recomputation(data):
    table = alpha_if_deleted(data[TRUST])
    complete = data[TRUST].dropna()
    assert (table["n"] == len(complete)).all()
    assert table["alpha"].iloc[0] == pytest.approx(cronbach_alpha(data[TRUST]), abs=1e-12)
    for item in TRUST:
        rest = [i for i in TRUST if i != item]
        assert table.loc[item, "alpha_if_deleted"] == pytest.approx(cronbach_alpha(complete[rest]), abs=1e-12)
        total = complete[rest].sum(axis=1)
        assert table.loc[item, "item_total_r"] == pytest.approx(np.corrcoef(complete[item], total)[0, 1], abs=1e-12)
        assert table.loc[item, "scale_var_if_deleted"] == pytest.approx(total.var(ddof=1), abs=1e-12)
        assert table.loc[item, "scale_mean_if_deleted"] == pytest.approx(total.mean(), abs=1e-12)


@needs_r
def test_alpha_matches_psych(data, tmp_path):
    data[TRUST].to_csv(tmp_path / "data.csv", index=False)
    run_r("""
suppressMessages(library(psych))
d <- read.csv("data.csv")
a <- alpha(d, use = "complete.obs")
write.csv(data.frame(total = a$total$raw_alpha), "total.csv", row.names = FALSE)
write.csv(data.frame(item = rownames(a$alpha.drop), drop = a$alpha.drop$raw_alpha, r = a$item.stats$r.drop),
          "drop.csv", row.names = FALSE)
""", tmp_path)
    total = pd.read_csv(tmp_path / "total.csv")["total"].iloc[0]
    drop = pd.read_csv(tmp_path / "drop.csv").set_index("item")
    table = alpha_if_deleted(data[TRUST])
    assert cronbach_alpha(data[TRUST]) == pytest.approx(total, abs=1e-10)
    np.testing.assert_allclose(table["alpha_if_deleted"], drop.loc[TRUST, "drop"], atol=1e-10)
    np.testing.assert_allclose(table["item_total_r"], drop.loc[TRUST, "r"], atol=1e-10)


def test_alpha_edge_cases(data):
    assert np.isnan(cronbach_alpha(data[TRUST].iloc[:1]))
    assert np.isnan(cronbach_alpha(pd.DataFrame({"a": [1.0, 1, 1], "b": [2.0, 2, 2]})))
    with pytest.raises(ValueError, match="at least 2 items"):
        cronbach_alpha(data[["i01"]])
    with pytest.raises(ValueError, match="not numeric"):
        cronbach_alpha(data[TRUST].assign(i01="x"))
    with pytest.raises(ValueError, match="missing"):
        cronbach_alpha(data[TRUST], missing="mean")


def test_alpha_optimisation_drops_a_bad_item_first(data):
    scale = data[TRUST].copy()
    rng = np.random.default_rng(3)
    scale["noise"] = rng.integers(1, 8, len(scale)).astype(float)
    steps = alpha_optimisation(scale)
    assert steps.loc[0, "removed"] == "" and steps.loc[0, "k"] == 6
    assert steps.loc[1, "removed"] == "noise"
    assert steps.loc[1, "alpha_if_deleted"] > steps.loc[0, "alpha"]
    assert steps.loc[1, "alpha"] == pytest.approx(cronbach_alpha(scale.drop(columns="noise")), abs=1e-12)
    # every step improved alpha on its sample; the last state has no improving deletion left
    last = steps["items"].iloc[-1].split(",")
    if len(last) > 3:
        table = alpha_if_deleted(scale[last])
        assert table["alpha_if_deleted"].max() <= table["alpha"].iloc[0]
    kept = alpha_optimisation(scale, protect=["noise"])
    assert "noise" not in set(kept["removed"])
    short = alpha_optimisation(scale, min_items=6)
    assert len(short) == 1
    with pytest.raises(KeyError):
        alpha_optimisation(scale, protect=["zz"])


# ------------------------------------------------------------------ omega

@needs_r
@pytest.mark.parametrize("missing, lav_missing", [("fiml", "ml"), ("listwise", "listwise")])
def test_omega_matches_lavaan(data, tmp_path, missing, lav_missing):
    lav = lavaan_cfa(data[TRUST], {"f": TRUST}, tmp_path, missing=lav_missing)
    est = lav["est"]
    lam = est[(est.op == "=~")]["est"].to_numpy()
    theta = est[(est.op == "~~") & (est.lhs == est.rhs) & est.lhs.isin(TRUST)]["est"].to_numpy()
    ref = lam.sum() ** 2 / (lam.sum() ** 2 + theta.sum())
    assert omega(data[TRUST], missing=missing) == pytest.approx(ref, abs=1e-6)


def test_omega_of_reversed_scale_needs_keyed_items(data):
    keyed = data[REACT]
    unkeyed = keyed.assign(i15=8 - keyed["i15"])  # i15 loads negatively on reactance in the model
    assert omega(keyed) != pytest.approx(omega(unkeyed), abs=1e-3)


def test_batched_one_factor_ml_equals_fit_cfa(data):
    x = data[TRUST].dropna().to_numpy()
    rng = np.random.default_rng(0)
    covs, refs = [], []
    for _ in range(4):
        xb = x[rng.integers(0, len(x), len(x))]
        covs.append(np.cov(xb, rowvar=False, bias=True))
        res = fit_cfa(pd.DataFrame(xb, columns=TRUST), {"f": TRUST})
        refs.append(res)
    lam, psi, conv, hey = _one_factor_ml(np.stack(covs))
    assert conv.all() and not hey.any()
    for b, res in enumerate(refs):
        np.testing.assert_allclose(lam[b], res.loadings["f"].to_numpy(), atol=1e-6)
        np.testing.assert_allclose(psi[b], res.residual_var.to_numpy(), atol=1e-6)


def test_omega_ci(data):
    a = omega_ci(data[TRUST], n_boot=300, seed=7)
    b = omega_ci(data[TRUST], n_boot=300, seed=7)
    assert a == b
    assert a.omega == pytest.approx(omega(data[TRUST], missing="listwise"), abs=1e-6)
    assert a.lower < a.omega < a.upper
    assert a.n == len(data[TRUST].dropna()) and a.n_failed == 0
    c = omega_ci(data[TRUST], n_boot=300, seed=8)
    assert c.lower != a.lower
    wide = omega_ci(data[TRUST], n_boot=300, seed=7, level=0.99)
    assert wide.lower <= a.lower and wide.upper >= a.upper


def test_omega_ci_iteration_limit_counts_unfinished_resamples(data):
    full = omega_ci(data[TRUST], n_boot=200, seed=3)
    assert omega_ci(data[TRUST], n_boot=200, seed=3, max_iter=5000) == full
    cut = omega_ci(data[TRUST], n_boot=200, seed=3, max_iter=2)
    assert cut.omega == full.omega  # the point estimate is not limited
    assert cut.n_failed > full.n_failed  # resamples still moving after 2 steps are left out, counted
    with pytest.raises(ValueError, match="max_iter"):
        omega_ci(data[TRUST], max_iter=0)


def test_omega_heywood_gives_nan():
    rng = np.random.default_rng(1)
    z = rng.standard_normal((400, 3))
    r = np.array([[1.0, 0.8, 0.8], [0.8, 1.0, 0.4], [0.8, 0.4, 1.0]])
    x = pd.DataFrame(z @ np.linalg.cholesky(r).T, columns=list("abc"))
    assert np.isnan(omega(x))
    lam, psi, conv, hey = _one_factor_ml(np.cov(x.to_numpy(), rowvar=False, bias=True)[None])
    assert hey[0]
    res = omega_ci(x, n_boot=50, seed=0)
    assert np.isnan(res.omega) and res.n_failed > 0


def test_omega_formula():
    assert _omega_from(np.array([0.5, 0.5]), np.array([0.5, 0.5])) == pytest.approx(1.0 / 2.0)
