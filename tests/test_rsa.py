"""wagk.rsa: surface parameters against hand computation on data with known coefficients."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.special import expit

from wagk import rsa

B_TRUE = np.array([0.5, 0.30, -0.20, -0.10, 0.15, -0.05])  # b0 .. b5 at the midpoint 4
C = {"a1": [0, 1, 1, 0, 0, 0], "a2": [0, 0, 0, 1, 1, 1],
     "a3": [0, 1, -1, 0, 0, 0], "a4": [0, 0, 0, 1, -1, 1]}


def surface_data(n: int = 400, noise: float = 0.5, seed: int = 0, binary: bool = False):
    rng = np.random.default_rng(seed)
    x = np.clip(rng.normal(5.5, 1.0, n), 1, 7)
    y = np.clip(0.4 * (x - 5.5) + rng.normal(4.8, 1.0, n), 1, 7)
    X, Y = x - 4, y - 4
    lin = np.column_stack([np.ones(n), X, Y, X ** 2, X * Y, Y ** 2]) @ B_TRUE
    z = (rng.random(n) < expit(lin)).astype(float) if binary else lin + noise * rng.normal(size=n)
    return pd.DataFrame({"client": x, "officer": y, "z": z, "po": np.arange(n) // 3})


def test_surface_parameters_are_the_known_combinations_of_known_coefficients():
    df = surface_data(noise=1e-9)
    res = rsa.response_surface(df, "z", "client", "officer").set_index("term")
    np.testing.assert_allclose(res.loc[[f"b{i}" for i in range(6)], "estimate"], B_TRUE,
                               atol=1e-7)
    b = B_TRUE  # hand: a1 = b1 + b2, a2 = b3 + b4 + b5, a3 = b1 - b2, a4 = b3 - b4 + b5
    hand = {"a1": b[1] + b[2], "a2": b[3] + b[4] + b[5], "a3": b[1] - b[2],
            "a4": b[3] - b[4] + b[5]}
    for k, v in hand.items():
        assert res.loc[k, "estimate"] == pytest.approx(v, abs=1e-7)
    assert res.loc["a1", "estimate"] == pytest.approx(0.10, abs=1e-7)
    assert res.loc["a4", "estimate"] == pytest.approx(-0.30, abs=1e-7)


def test_surface_standard_errors_come_from_the_coefficient_covariance():
    df = surface_data(seed=1)
    res = rsa.response_surface(df, "z", "client", "officer").set_index("term")
    X, Y = df.client - 4, df.officer - 4
    design = np.column_stack([np.ones(len(df)), X, Y, X ** 2, X * Y, Y ** 2])
    ols = sm.OLS(df.z.to_numpy(), design).fit()  # reference: statsmodels OLS
    V = ols.cov_params()
    for k, c in C.items():
        c = np.array(c, dtype=float)
        assert res.loc[k, "estimate"] == pytest.approx(c @ ols.params, rel=1e-10)
        assert res.loc[k, "SE"] == pytest.approx(np.sqrt(c @ V @ c), rel=1e-10)
        assert res.loc[k, "df"] == ols.df_resid
    assert res.loc["a4", "p"] < 0.05 and res.loc["b0", "R2"] == pytest.approx(ols.rsquared)
    for k, v in zip(["a1", "a2", "a3", "a4"], [0.10, -0.0, 0.50, -0.30]):
        assert abs(res.loc[k, "estimate"] - v) < 3 * res.loc[k, "SE"]  # near the truth


def test_curvatures_do_not_depend_on_the_centre_but_slopes_do():
    df = surface_data(seed=2)
    mid = rsa.response_surface(df, "z", "client", "officer").set_index("term")
    pooled = rsa.response_surface(df, "z", "client", "officer",
                                  center="pooled_mean").set_index("term")
    c0 = np.concatenate([df.client, df.officer]).mean()
    assert pooled.center.iloc[0] == pytest.approx(c0) and mid.center.iloc[0] == 4
    for k in ("b3", "b4", "b5", "a2", "a4"):
        assert pooled.loc[k, "estimate"] == pytest.approx(mid.loc[k, "estimate"], rel=1e-9)
    d = c0 - 4  # moving the origin along X = Y by d: b1' = b1 + (2 b3 + b4) d
    b = mid.estimate
    assert pooled.loc["b1", "estimate"] == pytest.approx(b["b1"] + (2 * b["b3"] + b["b4"]) * d)


def test_stationary_point_of_a_known_surface():
    # Z = 2X - X^2 - Y^2 has its maximum at (1, 0)
    sp = rsa.stationary_point(np.array([0, 2, 0, -1, 0, -1.0]))
    assert (sp["X0"], sp["Y0"]) == pytest.approx((1.0, 0.0))
    # Z = -(X - Y)^2 = -X^2 + 2XY - Y^2: ridge along Y = X, first principal axis slope 1
    sp = rsa.stationary_point(np.array([0, 0, 0, -1, 2, -1.0]))
    assert np.isnan(sp["X0"])
    sp = rsa.stationary_point(np.array([0, 0.1, 0.1, -1, 1.9, -1.0]))
    assert sp["p11"] == pytest.approx(1.0) and sp["p10"] == pytest.approx(0.0, abs=1e-9)


def test_logistic_surface_for_a_binary_outcome():
    df = surface_data(n=3000, seed=3, binary=True)
    res = rsa.response_surface(df, "z", "client", "officer").set_index("term")
    assert res.family.iloc[0] == "binomial" and res.test.iloc[0] == "z"
    X, Y = df.client - 4, df.officer - 4
    design = np.column_stack([np.ones(len(df)), X, Y, X ** 2, X * Y, Y ** 2])
    fit = sm.Logit(df.z.to_numpy(), design).fit(disp=0)  # reference: statsmodels Logit
    V = fit.cov_params()
    for k, c in C.items():
        c = np.array(c, dtype=float)
        assert res.loc[k, "estimate"] == pytest.approx(c @ fit.params, rel=1e-7)
        assert res.loc[k, "SE"] == pytest.approx(np.sqrt(c @ V @ c), rel=1e-6)
    assert abs(res.loc["a4", "estimate"] + 0.30) < 3 * res.loc["a4", "SE"]


def test_cluster_robust_surface_uses_statsmodels_cluster_covariance():
    df = surface_data(seed=4)
    res = rsa.response_surface(df, "z", "client", "officer", cluster="po").set_index("term")
    X, Y = df.client - 4, df.officer - 4
    design = np.column_stack([np.ones(len(df)), X, Y, X ** 2, X * Y, Y ** 2])
    fit = sm.OLS(df.z.to_numpy(), design).fit(cov_type="cluster",
                                              cov_kwds={"groups": df.po.to_numpy()})
    c = np.array(C["a3"], dtype=float)
    assert res.loc["a3", "SE"] == pytest.approx(np.sqrt(c @ fit.cov_params() @ c), rel=1e-10)
    assert res.loc["a3", "df"] == df.po.nunique() - 1


def test_too_little_data_and_separation_are_reported():
    df = surface_data(n=6, seed=5)
    res = rsa.response_surface(df, "z", "client", "officer")
    assert (res.status == "not_computed").all() and "too few" in res.note.iloc[0]
    df = surface_data(n=200, seed=6)
    df["sep"] = (df.client > 5.5).astype(float)
    res = rsa.response_surface(df, "sep", "client", "officer")
    assert (res.status == "not_computed").all() and "separation" in res.note.iloc[0]
    with pytest.raises(ValueError, match="center"):
        rsa.response_surface(df, "z", "client", "officer", center="median")
