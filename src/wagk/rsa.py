"""Response surface analysis of client-officer (dis)agreement (beyond the thesis, ch. 10).

Chapter 10 relates outcomes to the absolute and relative difference between the client's and
the officer's score of the same dyad. Difference scores confound the two components and
impose constraints that are never tested (Edwards 1994). Polynomial regression with response
surface analysis keeps both scores:

.. math::

    Z = b_0 + b_1 X + b_2 Y + b_3 X^2 + b_4 XY + b_5 Y^2 + e

with X the client's and Y the officer's score, both centred at the same value, and reads the
surface along the line of congruence (Y = X) and the line of incongruence (Y = -X):

=====  =====================  ==============================================================
a1     b1 + b2                slope along Y = X: does agreement at a higher level matter?
a2     b3 + b4 + b5           curvature along Y = X
a3     b1 - b2                slope along Y = -X: does the direction of disagreement matter?
a4     b3 - b4 + b5           curvature along Y = -X: does the size of disagreement matter?
=====  =====================  ==============================================================

A congruence effect in the strict sense needs a4 < 0 (for a "good" outcome), a3 = 0, and a
first principal axis along Y = X (Humberg, Nestler & Back 2019). For binary outcomes (the
ch. 10 outcomes) the same polynomial is a logistic regression and the surface is on the logit
scale.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from wagk._stats import Notes, frame, numeric, require_columns, require_frame

RSA_COLUMNS = ["term", "estimate", "SE", "test", "statistic", "df", "p", "ci_low", "ci_high",
               "n", "center", "family", "R2", "status", "note"]
TERMS = ["b0", "b1", "b2", "b3", "b4", "b5"]
# rows of the linear combinations a = C b (b0 ... b5)
SURFACE = {
    "a1": np.array([0, 1, 1, 0, 0, 0], dtype=float),
    "a2": np.array([0, 0, 0, 1, 1, 1], dtype=float),
    "a3": np.array([0, 1, -1, 0, 0, 0], dtype=float),
    "a4": np.array([0, 0, 0, 1, -1, 1], dtype=float),
}


def surface_parameters(b: np.ndarray, cov: np.ndarray | None = None) -> pd.DataFrame:
    """a1-a4 (and their SEs) from polynomial coefficients b0..b5 and their covariance.

    Parameters
    ----------
    b : array (6,)
        b0 (constant), b1 (X), b2 (Y), b3 (X^2), b4 (XY), b5 (Y^2).
    cov : array (6, 6), optional
        Covariance matrix of b; gives :math:`SE(a) = \\sqrt{c'\\Sigma c}`.

    Returns
    -------
    DataFrame
        ``term`` (a1..a4), ``estimate``, ``SE``.
    """
    b = np.asarray(b, dtype=float)
    if b.shape != (6,):
        raise ValueError(f"need six coefficients b0..b5, got shape {b.shape}")
    rows = []
    for name, c in SURFACE.items():
        se = float(np.sqrt(c @ cov @ c)) if cov is not None else np.nan
        rows.append(dict(term=name, estimate=float(c @ b), SE=se))
    return pd.DataFrame(rows)


def stationary_point(b: np.ndarray) -> dict:
    """Stationary point (X0, Y0) and first principal axis (p10, p11) of the fitted surface.

    Edwards & Parry (1993): with :math:`D = 4b_3b_5 - b_4^2`,
    :math:`X_0 = (b_2b_4 - 2b_1b_5)/D`, :math:`Y_0 = (b_1b_4 - 2b_2b_3)/D`,
    :math:`p_{11} = (b_5 - b_3 + \\sqrt{(b_3-b_5)^2 + b_4^2})/b_4`,
    :math:`p_{10} = Y_0 - p_{11}X_0`. NaN where undefined (D = 0 or b4 = 0).
    """
    b0, b1, b2, b3, b4, b5 = np.asarray(b, dtype=float)
    D = 4 * b3 * b5 - b4 ** 2
    if D == 0:
        return dict(X0=np.nan, Y0=np.nan, p10=np.nan, p11=np.nan)
    x0 = (b2 * b4 - 2 * b1 * b5) / D
    y0 = (b1 * b4 - 2 * b2 * b3) / D
    p11 = (b5 - b3 + np.sqrt((b3 - b5) ** 2 + b4 ** 2)) / b4 if b4 != 0 else np.nan
    p10 = y0 - p11 * x0 if np.isfinite(p11) else np.nan
    return dict(X0=float(x0), Y0=float(y0), p10=float(p10), p11=float(p11))


def response_surface(data: pd.DataFrame, outcome: str, x: str, y: str, *,
                     center: str | float = "midpoint", midpoint: float = 4.0,
                     family: str = "auto", cluster: str | None = None,
                     confidence: float = 0.95) -> pd.DataFrame:
    """Polynomial regression of an outcome on two scores with response surface parameters.

    Parameters
    ----------
    data : DataFrame
        One row per dyad.
    outcome : str
        Outcome column: continuous, or 0/1 for a logistic model.
    x, y : str
        The two scores (client: X, officer: Y), on the same scale.
    center : {"midpoint", "pooled_mean"} or float
        Value subtracted from *both* scores (the same value, so the line X = Y stays the line
        of agreement): the scale midpoint ``midpoint`` (4 on the 1-7 items; the default,
        which makes b0 the expected outcome at neutral agreement and keeps the origin fixed
        across samples), the mean of all X and Y values of the complete cases pooled, or a
        number.
    midpoint : float
        The scale midpoint for ``center = "midpoint"``.
    family : {"auto", "gaussian", "binomial"}
        ``"auto"`` picks binomial (logistic) when the outcome only takes 0 and 1.
    cluster : str, optional
        Cluster column (officer): cluster-robust (CR1) covariance of b, so the SEs of a1-a4
        respect the nesting of dyads in officers.
    confidence : float
        Level of the intervals.

    Returns
    -------
    DataFrame
        Rows ``b0 .. b5`` (coefficients), ``a1 .. a4`` (surface parameters) and ``X0, Y0,
        p10, p11`` (stationary point and first principal axis, estimates only); columns
        ``term, estimate, SE, test`` (t for OLS, z for logistic), ``statistic, df, p, ci_low,
        ci_high, n, center`` (the value subtracted), ``family, R2`` (OLS R2 or Nagelkerke),
        ``status, note``.

    Notes
    -----
    b and its covariance :math:`\\Sigma` come from ``statsmodels`` OLS or Logit (cluster-robust
    when ``cluster`` is given); each :math:`a = c'b` has :math:`SE = \\sqrt{c'\\Sigma c}` and is
    tested with the model's t (df = residual df, or G - 1 with clusters) or z.

    References
    ----------
    Edwards, J. R., & Parry, M. E. (1993). On the use of polynomial regression equations as an
    alternative to difference scores in organizational research. *Academy of Management
    Journal*, 36, 1577-1613.
    Shanock, L. R., Baran, B. E., Gentry, W. A., Pattison, S. C., & Heggestad, E. D. (2010).
    Polynomial regression with response surface analysis. *Journal of Business and
    Psychology*, 25, 543-554.
    Humberg, S., Nestler, S., & Back, M. D. (2019). Response surface analysis in personality
    and social psychology. *Social Psychological and Personality Science*, 10, 409-419.

    Validated in ``tests/test_rsa.py`` against hand computation of a1-a4 and their SEs from
    the coefficient covariance, on simulated data with known coefficients.
    """
    import statsmodels.api as sm

    require_frame(data)
    cols = [outcome, x, y] + ([cluster] if cluster else [])
    require_columns(data, cols)
    if family not in ("auto", "gaussian", "binomial"):
        raise ValueError(f"family must be 'auto', 'gaussian' or 'binomial', got {family!r}")
    z, xs, ys = numeric(data, outcome), numeric(data, x), numeric(data, y)
    ok = z.notna() & xs.notna() & ys.notna()
    notes = Notes()
    if cluster:
        no_cl = int((ok & data[cluster].isna()).sum())
        if no_cl:
            notes.warn(f"{no_cl} complete row(s) without a cluster id left out")
        ok &= data[cluster].notna()
    dropped = int((~ok).sum())
    if dropped:
        notes.warn(f"{dropped} row(s) with a missing value left out")
    zv, xv, yv = z[ok].to_numpy(float), xs[ok].to_numpy(float), ys[ok].to_numpy(float)
    n = len(zv)
    binary = n > 0 and set(np.unique(zv)) <= {0.0, 1.0}
    fam = ("binomial" if binary else "gaussian") if family == "auto" else family
    if fam == "binomial" and n and not binary:
        raise ValueError(f"family='binomial' needs a 0/1 outcome; column {outcome!r} has "
                         f"values {np.unique(zv)[:5].tolist()}")
    if center == "midpoint":
        c0 = float(midpoint)
    elif center == "pooled_mean":
        c0 = float(np.concatenate([xv, yv]).mean()) if n else np.nan
    elif isinstance(center, (int, float)) and not isinstance(center, bool):
        c0 = float(center)
    else:
        raise ValueError(f"center must be 'midpoint', 'pooled_mean' or a number, got {center!r}")
    base = dict(n=n, center=c0, family=fam)
    if n < 7:
        notes.fail(f"too few complete cases for six coefficients (n = {n})")
    elif fam == "binomial" and zv.sum() in (0, n):
        notes.fail("the outcome does not vary")
    X, Y = xv - c0, yv - c0
    design = np.column_stack([np.ones(n), X, Y, X ** 2, X * Y, Y ** 2]) if n else np.empty((0, 6))
    if not notes.failed and np.linalg.matrix_rank(design) < 6:
        notes.fail("the polynomial terms are collinear (too little variation in X or Y)")
    if notes.failed:
        return frame([{**base, "term": t, **notes.fields()} for t in TERMS + list(SURFACE)],
                     RSA_COLUMNS)
    kw = {}
    G = None
    if cluster:
        groups = pd.factorize(data.loc[ok, cluster], sort=True)[0]
        G = int(groups.max()) + 1
        kw = dict(cov_type="cluster", cov_kwds={"groups": groups})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if fam == "gaussian":
            res = sm.OLS(zv, design).fit(use_t=True, **kw)
            r2 = float(res.rsquared)
            df = float(G - 1) if cluster else float(res.df_resid)
            test = "t"
        else:
            from wagk.logistic import detect_separation, nagelkerke_r2
            sep = detect_separation(design, zv)
            if sep != "none":
                notes.fail(f"{sep} separation: the logistic surface cannot be estimated")
                return frame([{**base, "term": t, **notes.fields()}
                              for t in TERMS + list(SURFACE)], RSA_COLUMNS)
            res = sm.Logit(zv, design).fit(method="newton", maxiter=100, disp=0, **kw)
            ll0 = sm.Logit(zv, np.ones((n, 1))).fit(method="newton", disp=0).llf
            r2 = nagelkerke_r2(ll0, res.llf, n)
            df = float(G - 1) if cluster else np.nan
            test = "t" if cluster else "z"
    for w in caught:
        notes.warn(f"{type(w.message).__name__}: {str(w.message).splitlines()[0]}")
    b = np.asarray(res.params, dtype=float)
    cov = np.asarray(res.cov_params(), dtype=float)
    dist = stats.t(df) if test == "t" else stats.norm()
    q = dist.ppf(0.5 + confidence / 2)
    rows = []
    est = [(t, b[i], float(np.sqrt(cov[i, i]))) for i, t in enumerate(TERMS)]
    sp = surface_parameters(b, cov)
    est += list(zip(sp["term"], sp["estimate"], sp["SE"]))
    for term, e, se in est:
        stat = e / se if se > 0 else np.nan
        rows.append(dict(term=term, estimate=float(e), SE=se, test=test, statistic=stat,
                         df=df, p=float(2 * dist.sf(abs(stat))), ci_low=e - q * se,
                         ci_high=e + q * se, R2=r2, **base, **notes.fields()))
    for term, e in stationary_point(b).items():
        rows.append(dict(term=term, estimate=e, R2=r2, **base, **notes.fields()))
    return frame(rows, RSA_COLUMNS)
