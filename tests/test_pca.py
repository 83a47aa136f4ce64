"""wagk.pca: PCA + varimax.

References: psych::principal(rotate = "varimax") through Rscript (skipped without R); an
independent computation (SVD of the standardised complete data and a separately written varimax,
R's stats::varimax algorithm).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cfa_data import FACTORS, simulate
from rtools import needs_r, run_r
from wagk.pca import nearest_correlation, pca_varimax

TARGET = {k: [i for i in v] for k, v in {
    "trust": ["i01", "i02", "i03", "i04", "i05"],
    "goals": ["i06", "i07", "i08", "i09"],
    "bond": ["i10", "i11", "i12", "i13", "i14"],
    "reactance": ["i15", "i16", "i17", "i18", "i19"],
}.items()}


@pytest.fixture(scope="module")
def complete():
    return simulate(n=302, seed=21)


@pytest.fixture(scope="module")
def incomplete():
    return simulate(n=302, seed=22, missing=0.05)


def match_columns(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Reorder and re-sign b's columns to line up with a's (components are unordered, unsigned)."""
    out = np.empty_like(b)
    used = set()
    for j in range(a.shape[1]):
        c = np.abs(a[:, j] @ b)
        c[list(used)] = -1
        k = int(np.argmax(c))
        used.add(k)
        out[:, j] = b[:, k] * np.sign(a[:, j] @ b[:, k])
    return out


def varimax_reference(x: np.ndarray, eps: float = 1e-10) -> np.ndarray:
    """R's stats::varimax (Kaiser normalisation), written out independently."""
    sc = np.sqrt((x ** 2).sum(axis=1))
    x = x / sc[:, None]
    p, k = x.shape
    tt = np.eye(k)
    d = 0.0
    for _ in range(1000):
        z = x @ tt
        b = x.T @ (z ** 3 - z @ np.diag((z ** 2).sum(axis=0)) / p)
        u, s, vt = np.linalg.svd(b)
        tt = u @ vt
        d_past, d = d, s.sum()
        if d < d_past * (1 + eps):
            break
    return (x @ tt) * sc[:, None]


def psych_principal(data: pd.DataFrame, workdir, use: str) -> dict[str, np.ndarray]:
    data.to_csv(workdir / "data.csv", index=False)
    run_r(f"""
suppressMessages(library(psych))
d <- read.csv("data.csv")
r <- cor(d, use = "{use}")
pc <- principal(r, nfactors = 4, rotate = "varimax")
write.csv(unclass(pc$loadings), "loadings.csv")
write.csv(data.frame(values = pc$values), "values.csv", row.names = FALSE)
un <- principal(r, nfactors = 4, rotate = "none")
write.csv(unclass(varimax(unclass(un$loadings), eps = 1e-10)$loadings), "converged.csv")
""", workdir)
    items = list(data.columns)
    return dict(loadings=pd.read_csv(workdir / "loadings.csv", index_col=0).loc[items].to_numpy(),
                converged=pd.read_csv(workdir / "converged.csv", index_col=0).loc[items].to_numpy(),
                values=pd.read_csv(workdir / "values.csv")["values"].to_numpy())


@needs_r
@pytest.mark.parametrize("missing, use", [("pairwise", "pairwise.complete.obs"), ("listwise", "complete.obs")])
def test_matches_psych_principal(incomplete, tmp_path, missing, use):
    res = pca_varimax(incomplete, 4, missing=missing)
    ref = psych_principal(incomplete, tmp_path, use)
    ours = res.loadings.to_numpy()
    np.testing.assert_allclose(match_columns(ours, ref["loadings"]), ours, atol=1e-6)  # brief asks 3 decimals
    np.testing.assert_allclose(res.eigenvalues.to_numpy(), ref["values"], atol=1e-8)
    # psych orders rotated components by variance explained, as we do without a target
    np.testing.assert_allclose(res.explained["ss_loadings"], (ref["loadings"] ** 2).sum(axis=0), atol=1e-3)
    conv = pca_varimax(incomplete, 4, missing=missing, varimax_tol=1e-10).loadings.to_numpy()
    np.testing.assert_allclose(match_columns(conv, ref["converged"]), conv, atol=1e-6)


def test_matches_svd_of_standardised_data_and_independent_varimax(complete):
    res = pca_varimax(complete, 4, missing="listwise", varimax_tol=1e-10)
    x = complete.to_numpy(dtype=float)
    z = (x - x.mean(0)) / x.std(0, ddof=1)
    _, s, vt = np.linalg.svd(z, full_matrices=False)
    evals = s ** 2 / (len(z) - 1)
    np.testing.assert_allclose(res.eigenvalues.to_numpy(), evals, atol=1e-10)
    unrot = vt[:4].T * s[:4] / np.sqrt(len(z) - 1)
    ref = varimax_reference(unrot)
    ours = res.loadings.to_numpy()
    np.testing.assert_allclose(match_columns(ours, ref), ours, atol=1e-8)
    # unrotated solution reproduces the eigen-structure
    unr = pca_varimax(complete, 4, missing="listwise", rotate=False).loadings.to_numpy()
    np.testing.assert_allclose(match_columns(unr, unrot), unr, atol=1e-10)


def test_canonical_order_and_sign(complete):
    res = pca_varimax(complete, 4)
    ss = res.explained["ss_loadings"].to_numpy()
    assert np.all(np.diff(ss) <= 1e-12)
    big = res.loadings.abs().idxmax()
    for comp, item in big.items():
        assert res.loadings.loc[item, comp] > 0
    assert res.explained["cumulative"].iloc[-1] == pytest.approx(res.communalities.sum() / 19)
    # rotation preserves communalities
    unrot = pca_varimax(complete, 4, rotate=False)
    np.testing.assert_allclose(res.communalities, unrot.communalities, atol=1e-10)
    assert res.explained["cumulative"].iloc[-1] == pytest.approx(res.eigenvalues.iloc[:4].sum() / 19)


def test_target_names_orders_and_signs(complete):
    flipped = complete.copy()
    flipped[TARGET["reactance"]] = 8 - flipped[TARGET["reactance"]]
    shuffled = flipped[list(reversed(flipped.columns))]
    res = pca_varimax(shuffled, 4, target=TARGET)
    assert list(res.loadings.columns) == list(TARGET)
    for name, items in TARGET.items():
        block = res.loadings.loc[items]
        assert block[name].sum() > 0
        # each target's items load most on its own component
        assert (block.abs().idxmax(axis=1) == name).mean() >= 0.8
    five = pca_varimax(complete, 5, target=TARGET)
    assert list(five.loadings.columns) == list(TARGET) + ["PC5"]


def test_deterministic(incomplete):
    a, b = pca_varimax(incomplete), pca_varimax(incomplete)
    pd.testing.assert_frame_equal(a.loadings, b.loadings)


def test_pairwise_n_and_listwise_notes(incomplete):
    res = pca_varimax(incomplete)
    assert isinstance(res.n, pd.DataFrame)
    obs = incomplete.notna()
    assert res.n.loc["i01", "i02"] == int((obs["i01"] & obs["i02"]).sum())
    assert res.n_min == int(res.n.to_numpy().min())
    lw = pca_varimax(incomplete, missing="listwise")
    assert lw.n == int(obs.all(axis=1).sum())
    assert any("listwise deletion dropped" in n for n in lw.notes)


def test_too_few_cases_reported(complete):
    data = complete.copy()
    data.loc[data.index[:298], "i01"] = np.nan
    res = pca_varimax(data, min_n=10)
    assert not res.ok and "too few cases" in res.message and "i01: 4" in res.message
    lw = pca_varimax(data, missing="listwise")
    assert not lw.ok and "too few complete cases: 4" in lw.message
    flat = complete.assign(i05=3.0)
    assert "without variance" in pca_varimax(flat).message


def test_non_positive_definite_pairwise_matrix(complete):
    # pairs computed on different cases: r(a, b) ~ 1, r(a, c) ~ -.7, r(b, c) ~ +.7 is impossible
    rng = np.random.default_rng(5)
    n = 300
    a = rng.standard_normal(n)
    b = a + 0.05 * rng.standard_normal(n)
    c = rng.standard_normal(n)
    c[:100] = -a[:100]
    c[200:] = b[200:]
    data = pd.DataFrame({"a": a, "b": b, "c": c, "d": rng.standard_normal(n)})
    data.loc[200:, "a"] = np.nan
    data.loc[:99, "b"] = np.nan
    res = pca_varimax(data, 2)
    assert not res.positive_definite
    assert any("not positive definite" in n for n in res.notes)
    near = pca_varimax(data, 2, non_pd="nearest")
    assert near.ok and any("nearest correlation matrix" in n for n in near.notes)
    assert np.linalg.eigvalsh(near.correlation.to_numpy()).min() > 0
    np.testing.assert_allclose(np.diag(near.correlation), 1.0)


def test_nearest_correlation_keeps_a_valid_matrix():
    r = np.array([[1.0, 0.5, 0.4], [0.5, 1.0, 0.3], [0.4, 0.3, 1.0]])
    np.testing.assert_allclose(nearest_correlation(r), r, atol=1e-8)
    bad = np.array([[1.0, 0.99, -0.99], [0.99, 1.0, 0.99], [-0.99, 0.99, 1.0]])
    fixed = nearest_correlation(bad)
    assert np.linalg.eigvalsh(fixed).min() > 0 and np.allclose(np.diag(fixed), 1)


def test_bad_input(complete):
    with pytest.raises(ValueError, match="n_components"):
        pca_varimax(complete, 0)
    with pytest.raises(KeyError, match="zz"):
        pca_varimax(complete, 4, target={"t": ["zz"]})
    with pytest.raises(ValueError, match="not numeric"):
        pca_varimax(complete.assign(i02="x"))
    with pytest.raises(ValueError, match="missing"):
        pca_varimax(complete, missing="mean")
    one = pca_varimax(complete, 1)
    assert one.ok and one.loadings.shape == (19, 1)
