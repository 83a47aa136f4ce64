"""A small, fast maximum-likelihood CFA on a covariance matrix, for the calibration loop only.

The calibration needs hundreds of CFA fits; the package's CFA (``wagk.monitor_tables.fit_model``)
is what the report and the notebooks use. This one minimises the ML discrepancy
F = log|Sigma| + tr(S Sigma^-1) - log|S| - p for Sigma = L Phi L' + Theta (factor variances 1,
free loadings and factor correlations, diagonal Theta) with scipy's L-BFGS-B and the analytic
gradient, and reports chi2 = N F, CFI and RMSEA as semopy does. tests/test_synth.py checks it
against semopy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize


@dataclass
class Fit:
    chi2: float
    df: int
    cfi: float
    rmsea: float
    converged: bool


def fit(S: np.ndarray, pattern: np.ndarray, n: int) -> Fit:
    """ML CFA. ``S``: p x p covariance; ``pattern``: p x m boolean (item loads on factor)."""
    p, m = pattern.shape
    li = np.argwhere(pattern)
    npl = len(li)
    tri = np.triu_indices(m, 1)
    nphi = len(tri[0])
    sd = np.sqrt(np.diag(S))
    # starting values: loadings 0.6 sd, correlations 0.3, uniquenesses half the variance
    x0 = np.r_[0.6 * sd[li[:, 0]], np.full(nphi, 0.3), np.log(0.5 * np.diag(S))]
    logdet_s = np.linalg.slogdet(S)[1]

    def unpack(x):
        lam = np.zeros((p, m))
        lam[li[:, 0], li[:, 1]] = x[:npl]
        phi = np.eye(m)
        phi[tri] = x[npl:npl + nphi]
        phi[(tri[1], tri[0])] = x[npl:npl + nphi]
        theta = np.exp(x[npl + nphi:])
        return lam, phi, theta

    def f(x):
        lam, phi, theta = unpack(x)
        sig = lam @ phi @ lam.T + np.diag(theta)
        sign, logdet = np.linalg.slogdet(sig)
        if sign <= 0 or not np.isfinite(logdet):
            return 1e6, np.zeros_like(x)
        inv = np.linalg.inv(sig)
        val = logdet + np.trace(S @ inv) - logdet_s - p
        mmat = inv - inv @ S @ inv
        g_lam = 2 * mmat @ lam @ phi
        g_phi = lam.T @ mmat @ lam
        grad = np.r_[g_lam[li[:, 0], li[:, 1]], 2 * g_phi[tri], np.diag(mmat) * theta]
        return val, grad

    upper = np.log(10 * np.diag(S))
    bounds = [(None, None)] * npl + [(-0.999, 0.999)] * nphi + [(-12, float(u)) for u in upper]
    res = minimize(f, x0, jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": 2000, "gtol": 1e-8})
    df = p * (p + 1) // 2 - (npl + nphi + p)
    chi2 = max(float(res.fun), 0.0) * n
    chi2_0 = (np.sum(np.log(np.diag(S))) - logdet_s) * n
    df0 = p * (p - 1) // 2
    d1, d0 = max(chi2 - df, 0.0), max(chi2_0 - df0, 0.0)
    cfi = 1.0 - d1 / max(d0, d1, 1e-12)
    rmsea = float(np.sqrt(d1 / (df * (n - 1)))) if df > 0 else np.nan
    return Fit(chi2, df, cfi, rmsea, bool(res.success))


def pattern_for(items: list[str], factors: dict[str, list[str]]) -> np.ndarray:
    names = list(factors)
    pat = np.zeros((len(items), len(names)), bool)
    for j, f in enumerate(names):
        for it in factors[f]:
            pat[items.index(it), j] = True
    return pat
