"""Confirmatory factor analysis by maximum likelihood, with full-information ML for missing items.

The thesis fitted its CFAs in AMOS "with missing values" (Appendix 1, section 2.2, Tables 3 and
5, n = 302/204/267/175): every answered item counts, nothing is dropped listwise. This module
does the same computation in NumPy/SciPy, so the compendium does not depend on AMOS and is fast
enough for the synthetic-data calibration (hundreds of fits).

Model
-----
Correlated factors with variances fixed to 1 (``std.lv = TRUE`` in lavaan terms), free
loadings (an item listed under two factors gets two loadings: the cross-loadings of items 10, 17
and 32 of the WA-GK), free residual variances, optional free residual covariances, and a
saturated mean structure (one free mean per item)::

    Sigma = Lambda Phi Lambda' + Theta,        mu = nu (+ Lambda alpha in multi-group models)

Estimation
----------
- H0 (the model): minimise ``-2 logL`` summed over missingness patterns, with analytic gradient,
  by L-BFGS-B. The data are grouped by missingness pattern and the patterns by their number of
  observed items, so each likelihood evaluation is a handful of batched Cholesky/inverse calls on
  sufficient statistics (pattern n, mean, covariance), independent of the number of rows.
  ``Phi`` is kept a correlation matrix by construction: ``Phi = D L L' D`` with ``L`` unit lower
  triangular (free below the diagonal) and ``D`` the scaling that makes the diagonal one; every
  positive-definite correlation matrix has exactly one such ``L``. Residual variances have a
  lower bound of ``1e-6`` (standardised units); an estimate at that bound is a Heywood case and
  is reported, not used.
- Start values: the model is first fitted by ordinary ML to the saturated (H1) estimates (a
  single "pattern"), which is cheap; the FIML fit then starts from that solution. With complete
  data the first stage already is the ML solution.
- H1 (saturated model): means and covariance matrix by the EM algorithm over missingness
  patterns (closed form with complete data: the sample mean and the covariance with
  denominator N).
- Baseline (independence) model for CFI/TLI: diagonal covariance with free means. Its FIML
  estimates are closed form per item (mean and N-denominator variance of the answered values).

Fit statistics
--------------
``CMIN = 2 (logL_H1 - logL_H0)``: the deviance difference between the model and the saturated
model. With complete data it equals ``N * F_ML`` (F_ML with the N-denominator covariance;
lavaan's default ``likelihood = "normal"``). Degrees of freedom: ``G * (p (p + 3) / 2) - q``
(G groups, p items, q free parameters). ::

    CFI   = 1 - max(CMIN - df, 0) / max(CMIN_b - df_b, CMIN - df, 0)
    TLI   = (CMIN_b / df_b - CMIN / df) / (CMIN_b / df_b - 1)
    RMSEA = sqrt(max(CMIN - df, 0) / (df * N)) * sqrt(G)

N versus N - 1. The thesis's final models were fitted "with missing values", where AMOS's
CMIN is the same deviance difference as here. For complete data AMOS's User's Guide (appendix
on discrepancy functions) writes ``C = (N - G) F``, about 0.3% below ``N * F_ML`` at N = 302
(0.6% at N = 175) - well inside the compendium's CMIN tolerance of 10%. RMSEA uses N, as
lavaan does, with the sqrt(G) factor of Steiger (1998) that lavaan applies for G > 1 groups;
a divisor N - G instead (as AMOS and semopy use) makes RMSEA larger by ``sqrt(N / (N - 1))``,
1.0017 at N = 302 and 1.0029 at N = 175: at most .0003 at the thesis's RMSEAs, below the .001
it prints.

Validated against
-----------------
lavaan 0.6.14 (R 4.2, ``cfa(..., std.lv = TRUE, estimator = "ML", missing = "ml" | "listwise")``)
and semopy 2.3.11 (``Model.fit(obj="MLW")`` + ``calc_stats``, complete data), on a simulated
4-factor, 19-item model with three cross-loadings (tests/test_cfa.py). Measured agreement
(n = 302; complete data, then 4% of cells missing completely at random, 60 patterns):

- complete data, vs lavaan: |chi2 diff| 2e-9, CFI/TLI/RMSEA to 1e-11, standardised loadings
  to 1.1e-6, log-likelihood to 1e-9;
- FIML, vs lavaan ``missing = "ml"``: |chi2 diff| 1.5e-8 (2e-8 with two residual covariances),
  baseline chi2 2e-8, CFI/TLI/RMSEA to 1e-11, standardised loadings to 3e-6;
- listwise (161 complete rows), vs lavaan ``missing = "listwise"``: |chi2 diff| 7e-9;
- complete data, vs semopy ``MLW``: |chi2 diff| 3e-4, CFI/TLI to 2e-7, RMSEA to 1e-7 after
  semopy's N - 1, standardised loadings to 7e-4 (semopy's own standardisation);
- two groups (n = 302 + 267, 3% missing, FIML), vs lavaan ``group.equal`` = none /
  "loadings" / c("loadings", "intercepts"): |chi2 diff| <= 9e-8, CFI/TLI/RMSEA to 3e-11 (RMSEA
  with lavaan's sqrt(G)), standardised loadings to 6e-6, factor variances and means of the
  second group to 4e-5.

The tests assert 1e-3 (chi2) and 1e-5 (indices), 1e-4 (loadings) against lavaan.
Speed (benchmarks/bench_cfa.py, median of 5): 0.013 s complete data, 0.050 s with 3% of cells
missing (FIML, n = 302, 19 items, 66 parameters), about 0.11-0.13 s for two groups; lavaan
takes about 1 s for the single-group FIML fit.

References
----------
Arbuckle, J. L. (1996). Full information estimation in the presence of incomplete data. In
G. A. Marcoulides & R. E. Schumacker (Eds.), *Advanced structural equation modeling*.
Little, R. J. A., & Rubin, D. B. (2002). *Statistical analysis with missing data* (EM for the
multivariate normal, ch. 11).
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
Statistical Software*, 48(2).
Steiger, J. H. (1998). A note on multiple sample extensions of the RMSEA fit index. *Structural
Equation Modeling*, 5(4), 411-419.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Iterable, Mapping

import numpy as np
import pandas as pd
from scipy import optimize, special
from threadpoolctl import ThreadpoolController

__all__ = ["CFAResult", "fit_cfa", "fit_cfa_groups", "fit_indices", "invariance_table"]

LOG2PI = math.log(2.0 * math.pi)
THETA_LOWER = 1e-6  # lower bound of residual variances, standardised units
HEYWOOD_TOL = 1e-4  # a residual variance below this (standardised) is reported as a Heywood case
PHI_EIG_TOL = 1e-6  # smallest eigenvalue of the factor correlation matrix still called PD
GRAD_TOL = 1e-4  # largest projected gradient (per observation) accepted as converged


_CONTROLLER: ThreadpoolController | None = None


def one_blas_thread(fn):
    """Run ``fn`` with BLAS limited to one thread.

    The matrices here are small (at most items x items): a multi-threaded BLAS only adds
    overhead, which on a busy 2-core machine made a FIML fit 4-10 times slower (measured), and
    the thread count can change the last digits of reductions. One thread is fast and gives
    the same digits everywhere.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        global _CONTROLLER
        if _CONTROLLER is None:
            _CONTROLLER = ThreadpoolController()
        with _CONTROLLER.limit(limits=1, user_api="blas"):
            return fn(*args, **kwargs)

    return wrapper


# --------------------------------------------------------------------------------------------
# data: sufficient statistics per missingness pattern
# --------------------------------------------------------------------------------------------

@dataclass
class _Block:
    """Patterns with the same number of observed items, stacked for batched linear algebra."""

    idx: np.ndarray  # (K, k) observed item indices per pattern
    mis: np.ndarray  # (K, p - k) missing item indices per pattern
    flat: np.ndarray  # (K * k * k,) flat indices into a p x p matrix
    nk: np.ndarray  # (K,) rows per pattern
    xbar: np.ndarray  # (K, k) pattern means of the observed items
    cov: np.ndarray  # (K, k, k) pattern covariances (denominator n_k) around the pattern mean


class _Patterns:
    """One sample grouped by missingness pattern (values already centred and scaled)."""

    def __init__(self, x: np.ndarray) -> None:
        n, p = x.shape
        self.n, self.p = n, p
        obs = ~np.isnan(x)
        pats, inverse = np.unique(obs, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        self.n_patterns = len(pats)
        k_per = pats.sum(axis=1)
        self.blocks: list[_Block] = []
        for k in sorted(set(k_per.tolist()), reverse=True):
            members = np.flatnonzero(k_per == k)
            idx = np.array([np.flatnonzero(pats[j]) for j in members], dtype=np.intp).reshape(len(members), k)
            mis = np.array([np.flatnonzero(~pats[j]) for j in members], dtype=np.intp).reshape(len(members), p - k)
            nk = np.empty(len(members))
            xbar = np.empty((len(members), k))
            cov = np.empty((len(members), k, k))
            for r, j in enumerate(members):
                rows = x[inverse == j][:, idx[r]]
                nk[r] = rows.shape[0]
                xbar[r] = rows.mean(axis=0)
                dev = rows - xbar[r]
                cov[r] = dev.T @ dev / nk[r]
            self.blocks.append(_Block(idx, mis, _flat(idx, p), nk, xbar, cov))
        self.const = float(sum((b.nk * b.idx.shape[1]).sum() for b in self.blocks) * LOG2PI)

    @classmethod
    def from_moments(cls, n: int, mean: np.ndarray, cov: np.ndarray) -> "_Patterns":
        """A pseudo-sample with one complete pattern and the given moments (ML fit to moments)."""
        self = cls.__new__(cls)
        p = len(mean)
        self.n, self.p, self.n_patterns = n, p, 1
        idx = np.arange(p, dtype=np.intp)[None, :]
        self.blocks = [_Block(idx, np.empty((1, 0), dtype=np.intp), _flat(idx, p), np.array([float(n)]),
                              mean[None, :].copy(), cov[None, :, :].copy())]
        self.const = float(n * p * LOG2PI)
        return self

    @property
    def complete(self) -> bool:
        return len(self.blocks) == 1 and self.blocks[0].idx.shape[1] == self.p


def _flat(idx: np.ndarray, p: int) -> np.ndarray:
    return (idx[:, :, None] * p + idx[:, None, :]).ravel()


def _neg2ll(pat: _Patterns, mu: np.ndarray, sigma: np.ndarray, grad: bool = True):
    """-2 log-likelihood of the observed data and its gradient wrt (Sigma, mu).

    Returns ``f, G, gmu`` with ``df = tr(G dSigma) + gmu' dmu`` (G symmetric). Raises
    ``np.linalg.LinAlgError`` when a pattern's covariance block is not positive definite.
    """
    p = pat.p
    f = pat.const
    g_sigma = np.zeros(p * p) if grad else None
    g_mu = np.zeros(p) if grad else None
    for b in pat.blocks:
        s = sigma[b.idx[:, :, None], b.idx[:, None, :]]
        chol = np.linalg.cholesky(s)
        logdet = 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
        sinv = np.linalg.inv(s)
        d = b.xbar - mu[b.idx]
        m = b.cov + d[:, :, None] * d[:, None, :]
        f += float(np.sum(b.nk * (logdet + np.einsum("kij,kji->k", sinv, m))))
        if grad:
            gk = b.nk[:, None, None] * (sinv - sinv @ m @ sinv)
            g_sigma += np.bincount(b.flat, weights=gk.ravel(), minlength=p * p)
            gm = -2.0 * b.nk[:, None] * np.einsum("kij,kj->ki", sinv, d)
            g_mu += np.bincount(b.idx.ravel(), weights=gm.ravel(), minlength=p)
    if not grad:
        return f
    return f, g_sigma.reshape(p, p), g_mu


def _em(pat: _Patterns, max_iter: int = 5000, tol: float = 1e-9):
    """Saturated-model ML estimates (mean, covariance) by EM over missingness patterns.

    Returns ``mu, sigma, n_iter, converged``. Closed form when the data are complete.
    """
    p, n = pat.p, pat.n
    if pat.complete:
        b = pat.blocks[0]
        return b.xbar[0].copy(), b.cov[0].copy(), 0, True
    # start: observed means and variances, no covariances
    s1 = np.zeros(p)
    s2 = np.zeros(p)
    cnt = np.zeros(p)
    for b in pat.blocks:
        np.add.at(s1, b.idx, b.nk[:, None] * b.xbar)
        np.add.at(s2, b.idx, b.nk[:, None] * (np.diagonal(b.cov, axis1=1, axis2=2) + b.xbar ** 2))
        np.add.at(cnt, b.idx, np.broadcast_to(b.nk[:, None], b.idx.shape))
    mu = s1 / cnt
    sigma = np.diag(s2 / cnt - mu ** 2)
    for it in range(1, max_iter + 1):
        t1 = np.zeros(p)
        t2 = np.zeros(p * p)
        for b in pat.blocks:
            k = b.idx.shape[1]
            if k == p:
                t1 += (b.nk[:, None] * b.xbar).sum(axis=0)
                t2 += (b.nk[:, None, None] * (b.cov + b.xbar[:, :, None] * b.xbar[:, None, :])).sum(axis=0).ravel()
                continue
            o, mm = b.idx, b.mis
            soo = sigma[o[:, :, None], o[:, None, :]]
            smo = sigma[mm[:, :, None], o[:, None, :]]
            smm = sigma[mm[:, :, None], mm[:, None, :]]
            beta = np.linalg.solve(soo, np.swapaxes(smo, 1, 2))  # (K, k, q) = Soo^-1 Som
            beta = np.swapaxes(beta, 1, 2)  # (K, q, k) = Smo Soo^-1
            zm = mu[mm] + np.einsum("kqj,kj->kq", beta, b.xbar - mu[o])
            z = np.concatenate([b.xbar, zm], axis=1)  # completed pattern mean, order (o, m)
            w_oo = b.cov
            w_mo = beta @ b.cov
            w_mm = beta @ b.cov @ np.swapaxes(beta, 1, 2) + smm - beta @ np.swapaxes(smo, 1, 2)
            w = np.concatenate([np.concatenate([w_oo, np.swapaxes(w_mo, 1, 2)], axis=2),
                                np.concatenate([w_mo, w_mm], axis=2)], axis=1)
            perm = np.concatenate([o, mm], axis=1)
            t1 += np.bincount(perm.ravel(), weights=(b.nk[:, None] * z).ravel(), minlength=p)
            full = b.nk[:, None, None] * (w + z[:, :, None] * z[:, None, :])
            t2 += np.bincount(_flat(perm, p), weights=full.ravel(), minlength=p * p)
        mu_new = t1 / n
        sigma_new = t2.reshape(p, p) / n - np.outer(mu_new, mu_new)
        sigma_new = (sigma_new + sigma_new.T) / 2
        delta = max(np.max(np.abs(mu_new - mu)), np.max(np.abs(sigma_new - sigma)))
        mu, sigma = mu_new, sigma_new
        if delta < tol:
            return mu, sigma, it, True
    return mu, sigma, max_iter, False


def _baseline_neg2ll(pat: _Patterns) -> float:
    """-2 logL of the independence model (free means and variances), closed form per item."""
    p = pat.p
    s1, s2, cnt = np.zeros(p), np.zeros(p), np.zeros(p)
    for b in pat.blocks:
        np.add.at(s1, b.idx, b.nk[:, None] * b.xbar)
        np.add.at(s2, b.idx, b.nk[:, None] * (np.diagonal(b.cov, axis1=1, axis2=2) + b.xbar ** 2))
        np.add.at(cnt, b.idx, np.broadcast_to(b.nk[:, None], b.idx.shape))
    var = s2 / cnt - (s1 / cnt) ** 2
    return float(np.sum(cnt * (LOG2PI + np.log(var) + 1.0)))


# --------------------------------------------------------------------------------------------
# parameters: layout of the free parameters over the model matrices of each group
# --------------------------------------------------------------------------------------------

class _Layout:
    """Where each free parameter sits in Lambda, Phi, Theta, nu and alpha of each group.

    ``equal`` (multi-group) shares loadings and/or intercepts across groups. Identification:
    in the first (reference) group factor variances are 1 and factor means 0; in the other groups
    factor variances are free once loadings are equal and factor means free once intercepts are.
    """

    def __init__(self, p: int, m: int, lam_mask: np.ndarray, resid: list[tuple[int, int]],
                 n_groups: int, equal: frozenset[str]) -> None:
        self.p, self.m, self.n_groups, self.equal = p, m, n_groups, equal
        self.kind: list[str] = []
        self.where: list[tuple[int, int, int]] = []  # (group, row, col)
        self.lower: list[float] = []
        self.lam_rows, self.lam_cols = np.nonzero(lam_mask)
        self.resid = resid
        self.tril = np.tril_indices(m, -1)
        self.tril0 = np.tril_indices(m)
        self.groups: list[dict] = []
        for g in range(n_groups):
            ref = g == 0
            spec: dict = {}
            if "loadings" in equal and not ref:
                spec["lam"] = self.groups[0]["lam"]
            else:
                spec["lam"] = self._new("lambda", g, zip(self.lam_rows, self.lam_cols))
            if "intercepts" in equal and not ref:
                spec["nu"] = self.groups[0]["nu"]
            else:
                spec["nu"] = self._new("nu", g, ((i, 0) for i in range(p)))
            spec["alpha"] = (self._new("alpha", g, ((k, 0) for k in range(m)))
                             if ("intercepts" in equal and not ref) else None)
            spec["phi_kind"] = "cov" if ("loadings" in equal and not ref) else "corr"
            if spec["phi_kind"] == "corr":
                spec["phi"] = self._new("phi", g, zip(*self.tril))
            else:
                spec["phi"] = self._new("phi", g, zip(*self.tril0))
                spec["phi_diag"] = np.flatnonzero(self.tril0[0] == self.tril0[1])
            spec["theta"] = self._new("theta", g, ((i, i) for i in range(p)), lower=THETA_LOWER)
            spec["theta_off"] = self._new("theta_off", g, resid)
            self.groups.append(spec)
        self.n_par = len(self.kind)
        self.bounds = [(lo, None) for lo in self.lower]

    def _new(self, kind: str, g: int, cells, lower: float = -np.inf) -> np.ndarray:
        out = []
        for r, c in cells:
            self.kind.append(kind)
            self.where.append((g, int(r), int(c)))
            self.lower.append(lower)
            out.append(len(self.kind) - 1)
        return np.array(out, dtype=np.intp)

    def matrices(self, theta: np.ndarray, g: int) -> dict:
        spec = self.groups[g]
        p, m = self.p, self.m
        lam = np.zeros((p, m))
        lam[self.lam_rows, self.lam_cols] = theta[spec["lam"]]
        big_l = np.zeros((m, m))
        if spec["phi_kind"] == "corr":
            big_l[np.diag_indices(m)] = 1.0
            big_l[self.tril] = theta[spec["phi"]]
            c = big_l @ big_l.T
            dsc = 1.0 / np.sqrt(np.diag(c))
            phi = c * dsc[:, None] * dsc[None, :]
        else:
            vals = theta[spec["phi"]].copy()
            vals[spec["phi_diag"]] = np.exp(vals[spec["phi_diag"]])
            big_l[self.tril0] = vals
            c, dsc = None, None
            phi = big_l @ big_l.T
        th = np.diag(theta[spec["theta"]])
        for (i, j), k in zip(self.resid, spec["theta_off"]):
            th[i, j] = th[j, i] = theta[k]
        nu = theta[spec["nu"]]
        alpha = theta[spec["alpha"]] if spec["alpha"] is not None else np.zeros(m)
        sigma = lam @ phi @ lam.T + th
        mu = nu + lam @ alpha
        return dict(lam=lam, phi=phi, theta=th, nu=nu, alpha=alpha, sigma=sigma, mu=mu,
                    L=big_l, C=c, D=dsc)

    def gradient(self, mats: dict, g_sigma: np.ndarray, g_mu: np.ndarray, g: int, out: np.ndarray) -> None:
        """Chain rule from dF/dSigma, dF/dmu of group g into the parameter gradient ``out``."""
        spec = self.groups[g]
        lam, phi, alpha = mats["lam"], mats["phi"], mats["alpha"]
        g_lam = 2.0 * g_sigma @ lam @ phi + np.outer(g_mu, alpha)
        np.add.at(out, spec["lam"], g_lam[self.lam_rows, self.lam_cols])
        np.add.at(out, spec["nu"], g_mu)
        if spec["alpha"] is not None:
            np.add.at(out, spec["alpha"], lam.T @ g_mu)
        np.add.at(out, spec["theta"], np.diag(g_sigma))
        for (i, j), k in zip(self.resid, spec["theta_off"]):
            out[k] += 2.0 * g_sigma[i, j]
        a = lam.T @ g_sigma @ lam  # dF = tr(A dPhi)
        big_l = mats["L"]
        if spec["phi_kind"] == "corr":
            c, dsc = mats["C"], mats["D"]
            b = dsc[:, None] * a * dsc[None, :]
            gdiag = -np.diag(a @ np.diag(dsc) @ c) * np.diag(c) ** -1.5
            b[np.diag_indices(self.m)] += gdiag
            g_l = 2.0 * b @ big_l
            np.add.at(out, spec["phi"], g_l[self.tril])
        else:
            g_l = 2.0 * a @ big_l
            vals = g_l[self.tril0]
            vals[spec["phi_diag"]] *= big_l[np.diag_indices(self.m)]
            np.add.at(out, spec["phi"], vals)


class _Objective:
    """-2 logL of all groups as a function of the free parameters (scaled by 1/N)."""

    def __init__(self, layout: _Layout, pats: list[_Patterns]) -> None:
        self.layout, self.pats = layout, pats
        self.n_total = sum(p.n for p in pats)
        self.n_eval = 0

    def neg2ll(self, theta: np.ndarray) -> float:
        return sum(_neg2ll(pat, **self._moments(theta, g), grad=False) for g, pat in enumerate(self.pats))

    def _moments(self, theta, g):
        mats = self.layout.matrices(theta, g)
        return dict(mu=mats["mu"], sigma=mats["sigma"])

    def __call__(self, theta: np.ndarray):
        self.n_eval += 1
        total = 0.0
        grad = np.zeros_like(theta)
        try:
            for g, pat in enumerate(self.pats):
                mats = self.layout.matrices(theta, g)
                f, gs, gm = _neg2ll(pat, mats["mu"], mats["sigma"])
                total += f
                self.layout.gradient(mats, gs, gm, g, grad)
        except (np.linalg.LinAlgError, FloatingPointError, ValueError):
            return 1e10, np.zeros_like(theta)
        if not np.isfinite(total):
            return 1e10, np.zeros_like(theta)
        return total / self.n_total, grad / self.n_total


def _minimise(obj: _Objective, start: np.ndarray, max_iter: int):
    res = optimize.minimize(obj, start, jac=True, method="L-BFGS-B", bounds=obj.layout.bounds,
                            options=dict(maxiter=max_iter, maxfun=4 * max_iter, ftol=1e-15, gtol=1e-9,
                                         maxcor=20))
    return res


def _projected_gradient(theta: np.ndarray, grad: np.ndarray, lower: np.ndarray) -> np.ndarray:
    pg = grad.copy()
    at_lower = (theta <= lower + 1e-12) & (grad > 0)
    pg[at_lower] = 0.0
    return pg


# --------------------------------------------------------------------------------------------
# start values
# --------------------------------------------------------------------------------------------

def _start(layout: _Layout, mu_h1: list[np.ndarray], sigma_h1: list[np.ndarray], ns: list[int],
           lam_mask: np.ndarray) -> np.ndarray:
    p, m = layout.p, layout.m
    w = np.array(ns, dtype=float) / sum(ns)
    sig = sum(wi * s for wi, s in zip(w, sigma_h1))
    sd = np.sqrt(np.diag(sig))
    r = sig / np.outer(sd, sd)
    lam = np.zeros((p, m))
    n_fac = lam_mask.sum(axis=1)
    for k in range(m):
        items = np.flatnonzero(lam_mask[:, k])
        if len(items) == 1:
            lam[items, k] = 0.8
            continue
        vals, vecs = np.linalg.eigh(r[np.ix_(items, items)])
        v = vecs[:, -1] * math.sqrt(max(vals[-1], 1e-3))
        if v.sum() < 0:
            v = -v
        lam[items, k] = np.clip(v, -0.95, 0.95)
    lam = lam / np.sqrt(n_fac)[:, None]
    # factor correlations from unit-weighted composites of the standardised items
    wts = np.sign(lam) / np.maximum(np.abs(np.sign(lam)).sum(axis=0), 1)[None, :]
    comp = wts.T @ r @ wts
    dc = np.sqrt(np.diag(comp))
    phi0 = np.clip(comp / np.outer(dc, dc), -0.9, 0.9)
    np.fill_diagonal(phi0, 1.0)
    evals = np.linalg.eigvalsh(phi0)
    if evals.min() < 0.05:
        phi0 = 0.5 * phi0 + 0.5 * np.eye(m)
    lam = lam * sd[:, None]
    theta_d = np.maximum(np.diag(sig) - np.einsum("ik,kl,il->i", lam, phi0, lam), 0.2 * np.diag(sig))
    chol = np.linalg.cholesky(phi0)
    unit = chol / np.diag(chol)[:, None]
    x = np.zeros(layout.n_par)
    for g, spec in enumerate(layout.groups):
        x[spec["lam"]] = lam[layout.lam_rows, layout.lam_cols]
        x[spec["nu"]] = mu_h1[0] if ("intercepts" in layout.equal) else mu_h1[g]
        if spec["phi_kind"] == "corr":
            x[spec["phi"]] = unit[layout.tril]
        else:
            vals = chol[layout.tril0].copy()
            vals[spec["phi_diag"]] = np.log(vals[spec["phi_diag"]])
            x[spec["phi"]] = vals
        x[spec["theta"]] = theta_d
        if spec["alpha"] is not None:
            x[spec["alpha"]] = 0.0
    return x


# --------------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------------

@dataclass(eq=False)
class CFAResult:
    """A fitted CFA (one group or several), with the thesis's fit statistics.

    Attributes
    ----------
    n : int
        Rows used (all groups together); rows with every item missing are excluded and counted
        in ``notes``.
    cmin, df, p : float, int, float
        Chi-square (AMOS's CMIN) of the model against the saturated model, its degrees of
        freedom and p value.
    cfi, tli, rmsea : float
        Fit indices (formulas in the module docstring).
    baseline_cmin, baseline_df : float, int
        Chi-square and df of the independence model.
    loglik, loglik_h1 : float
        Log-likelihood of the model and of the saturated model (original units, as lavaan's
        ``logl`` and ``unrestricted.logl``).
    converged : bool
        True only when the optimiser converged, the saturated model converged, and the solution
        is admissible (no Heywood case, factor correlation matrix positive definite).
    message : str
        Why ``converged`` is False ("ok" otherwise).
    n_iter : int
        Optimiser iterations (both stages).
    std_loadings : DataFrame
        Standardised loadings (lavaan ``std.all``), item x factor, 0 where an item does not load.
        For several groups the index is (group, item).
    factor_corr : DataFrame
        Factor correlations (factor x factor; index (group, factor) for several groups).
    residual_var : Series
        Residual variances in the items' units (index item, or (group, item)).
    params : DataFrame
        Parameter table: group, lhs, op (``=~``, ``~~``, ``~1``), rhs, free, est, std.
    """

    n: int
    cmin: float
    df: int
    p: float
    cfi: float
    tli: float
    rmsea: float
    baseline_cmin: float
    baseline_df: int
    loglik: float
    loglik_h1: float
    converged: bool
    message: str
    n_iter: int
    std_loadings: pd.DataFrame
    factor_corr: pd.DataFrame
    residual_var: pd.Series
    params: pd.DataFrame
    loadings: pd.DataFrame = field(default_factory=pd.DataFrame)
    std_residual_var: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    n_free: int = 0
    n_patterns: int = 0
    group_n: dict = field(default_factory=dict)
    heywood: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    missing: str = "fiml"
    theta: np.ndarray | None = field(default=None, repr=False)

    def fit_rows(self) -> pd.DataFrame:
        """The thesis's fit rows (Appendix 1, Tables 3 and 5): CMIN, df, p, CFI, RMSEA, n."""
        return pd.DataFrame({"statistic": ["CMIN", "df", "p", "CFI", "RMSEA", "n"],
                             "value": [self.cmin, float(self.df), self.p, self.cfi, self.rmsea, float(self.n)]})

    thesis_rows = fit_rows

    def summary(self) -> str:
        """A short text summary: fit, then standardised loadings and factor correlations."""
        head = (f"CFA ({'FIML' if self.missing == 'fiml' else 'listwise ML'}), n = {self.n}, "
                f"{self.n_free} free parameters, {self.n_patterns} missingness pattern(s)\n"
                f"CMIN = {self.cmin:.3f}, df = {self.df}, p = {self.p:.4g}, CFI = {self.cfi:.3f}, "
                f"TLI = {self.tli:.3f}, RMSEA = {self.rmsea:.3f}\n"
                f"converged: {self.converged} ({self.message})")
        if self.std_loadings.empty:
            return head
        lines = [head, "", "Standardised loadings:", self.std_loadings.round(3).to_string(),
                 "", "Factor correlations:", self.factor_corr.round(3).to_string()]
        if self.notes:
            lines += ["", "Notes:"] + [f"- {n}" for n in self.notes]
        return "\n".join(lines)


def fit_indices(cmin: float, df: int, baseline_cmin: float, baseline_df: int, n: int,
                n_groups: int = 1) -> dict[str, float]:
    """CFI, TLI and RMSEA from the chi-squares (formulas in the module docstring).

    Returns a dict with ``p``, ``cfi``, ``tli`` and ``rmsea``; NaN where a formula is undefined
    (df = 0 for p, TLI and RMSEA).
    """
    d, db = float(df), float(baseline_df)
    p = float(special.chdtrc(df, cmin)) if df > 0 else np.nan
    num = max(cmin - d, 0.0)
    den = max(baseline_cmin - db, cmin - d, 0.0)
    cfi = 1.0 - num / den if den > 0 else 1.0
    if df > 0 and baseline_df > 0 and baseline_cmin / db != 1.0:
        tli = (baseline_cmin / db - cmin / d) / (baseline_cmin / db - 1.0)
    else:
        tli = np.nan
    rmsea = math.sqrt(num / (d * n)) * math.sqrt(n_groups) if df > 0 else np.nan
    return dict(p=p, cfi=cfi, tli=tli, rmsea=rmsea)


def _unfitted(n: int, message: str, notes: list[str], missing: str, group_n: dict) -> CFAResult:
    nan = float("nan")
    return CFAResult(n=n, cmin=nan, df=0, p=nan, cfi=nan, tli=nan, rmsea=nan, baseline_cmin=nan,
                     baseline_df=0, loglik=nan, loglik_h1=nan, converged=False, message=message,
                     n_iter=0, std_loadings=pd.DataFrame(), factor_corr=pd.DataFrame(),
                     residual_var=pd.Series(dtype=float), params=pd.DataFrame(), notes=notes,
                     missing=missing, group_n=group_n)


# --------------------------------------------------------------------------------------------
# the fitting engine (one or several groups)
# --------------------------------------------------------------------------------------------

def _model_items(factors: Mapping[str, Iterable[str]]) -> tuple[list[str], list[str], np.ndarray]:
    if not factors:
        raise ValueError("factors is empty: give {factor name: [item columns]}")
    names = list(factors)
    items: list[str] = []
    for f in names:
        its = list(factors[f])
        if not its:
            raise ValueError(f"factor {f!r} has no items")
        if len(set(its)) != len(its):
            raise ValueError(f"factor {f!r} lists an item twice: {its}")
        for i in its:
            if i not in items:
                items.append(i)
    mask = np.zeros((len(items), len(names)), dtype=bool)
    for k, f in enumerate(names):
        for i in factors[f]:
            mask[items.index(i), k] = True
    return names, items, mask


def _prepare(data: pd.DataFrame, items: list[str], missing: str, label: str) -> tuple[np.ndarray, list[str]]:
    absent = [c for c in items if c not in data.columns]
    if absent:
        raise KeyError(f"{label}: item columns {absent} not in the data")
    block = data.loc[:, items]
    bad = [c for c in items if not pd.api.types.is_numeric_dtype(block[c])]
    if bad:
        raise ValueError(f"{label}: item columns {bad} are not numeric")
    x = block.to_numpy(dtype=float)
    notes = []
    if np.isinf(x).any():
        cols = sorted({items[j] for j in np.nonzero(np.isinf(x))[1]})
        raise ValueError(f"{label}: infinite values in columns {cols}")
    obs = ~np.isnan(x)
    empty = ~obs.any(axis=1)
    if empty.any():
        # a count only: results must not carry row identities (ids) into reports
        notes.append(f"{label}: {int(empty.sum())} row(s) with every item missing excluded")
        x = x[~empty]
    if missing == "listwise":
        complete = ~np.isnan(x).any(axis=1)
        if not complete.all():
            notes.append(f"{label}: listwise deletion dropped {int((~complete).sum())} of {len(x)} "
                         f"row(s) with a missing item")
        x = x[complete]
    return x, notes


def _check_data(x: np.ndarray, items: list[str], label: str, min_pair_n: int) -> str | None:
    n, p = x.shape
    if n == 0:
        return f"{label}: no rows with data"
    obs = (~np.isnan(x)).astype(float)
    pairs = obs.T @ obs
    few = [(items[i], items[j], int(pairs[i, j])) for i in range(p) for j in range(i + 1)
           if pairs[i, j] < min_pair_n]
    if few:
        shown = ", ".join(f"{a}/{b}: {c}" if a != b else f"{a}: {c}" for a, b, c in few[:8])
        return (f"{label}: too few cases answering both items of {len(few)} pair(s) "
                f"(need >= {min_pair_n}): {shown}{' ...' if len(few) > 8 else ''}")
    sd = np.nanstd(x, axis=0)
    flat = [items[j] for j in np.flatnonzero(~(sd > 0))]
    if flat:
        return f"{label}: items without variance: {flat}"
    return None


@one_blas_thread
def _fit(xs: list[np.ndarray], labels: list[str], factor_names: list[str], items: list[str],
         lam_mask: np.ndarray, resid: list[tuple[int, int]], equal: frozenset[str], missing: str,
         start, notes: list[str], max_iter: int, min_pair_n: int) -> CFAResult:
    p, m = lam_mask.shape
    group_n = {lab: int(len(x)) for lab, x in zip(labels, xs)}
    n_total = sum(group_n.values())
    for x, lab in zip(xs, labels):
        problem = _check_data(x, items, lab, min_pair_n)
        if problem:
            return _unfitted(n_total, problem, notes, missing, group_n)
    # common centring and scaling (scale-free ML; keeps equality constraints meaningful)
    allx = np.vstack(xs)
    centre = np.nanmean(allx, axis=0)
    scale = np.nanstd(allx, axis=0)
    pats = [_Patterns((x - centre) / scale) for x in xs]
    jac = [float(2.0 * np.sum((~np.isnan(x)).sum(axis=0) * np.log(scale))) for x in xs]
    # H1 and baseline per group
    mu_h1, sig_h1, f_h1, f_base = [], [], [], []
    for pat, lab in zip(pats, labels):
        mu, sig, _, ok = _em(pat)
        if not ok:
            return _unfitted(n_total, f"{lab}: EM for the saturated model did not converge", notes, missing, group_n)
        if np.linalg.eigvalsh(sig).min() <= 1e-10:
            return _unfitted(n_total, f"{lab}: the saturated covariance matrix is not positive definite "
                                      f"(collinear items or too few cases)", notes, missing, group_n)
        mu_h1.append(mu)
        sig_h1.append(sig)
        f_h1.append(_neg2ll(pat, mu, sig, grad=False))
        f_base.append(_baseline_neg2ll(pat))
    layout = _Layout(p, m, lam_mask, resid, len(xs), equal)
    df = len(xs) * (p * (p + 3) // 2) - layout.n_par
    if df < 0:
        return _unfitted(n_total, f"model not identified: {layout.n_par} free parameters for "
                                  f"{len(xs) * (p * (p + 3) // 2)} sample moments", notes, missing, group_n)
    n_iter = 0
    if start is not None:
        x0 = start.theta if isinstance(start, CFAResult) else np.asarray(start, dtype=float)
        if x0 is None or x0.shape != (layout.n_par,):
            raise ValueError(f"start has {None if x0 is None else x0.shape} values, the model has {layout.n_par} free parameters")
        x0 = np.maximum(x0, np.asarray(layout.lower))
    else:
        x0 = _start(layout, mu_h1, sig_h1, [pt.n for pt in pats], lam_mask)
        # stage 1: ML fit to the saturated moments (exact ML for complete data)
        obj1 = _Objective(layout, [_Patterns.from_moments(pt.n, mu, sig) for pt, mu, sig in zip(pats, mu_h1, sig_h1)])
        res1 = _minimise(obj1, x0, max_iter)
        n_iter += int(res1.nit)
        if np.all(np.isfinite(res1.x)):
            x0 = res1.x
    obj = _Objective(layout, pats)
    complete = all(pt.complete for pt in pats)
    if complete and start is None:
        res = res1
    else:
        res = _minimise(obj, x0, max_iter)
        n_iter += int(res.nit)
    theta = res.x
    f0, grad = obj(theta)
    f0 *= obj.n_total
    pg = _projected_gradient(theta, grad, np.asarray(layout.lower))
    problems = []
    pg_max = float(np.max(np.abs(pg)))
    stationary = np.isfinite(f0) and f0 < 1e10 * obj.n_total * 0.999 and pg_max <= GRAD_TOL
    if not res.success and "ABNORMAL" in str(res.message) and stationary:
        # the line search could not improve further in floating point at a stationary point
        notes.append(f"optimiser: {res.message} at gradient {pg_max:.2g} (accepted as converged)")
    elif not res.success:
        problems.append(f"optimiser did not converge: {res.message}")
    elif not np.isfinite(f0) or f0 >= 1e10 * obj.n_total * 0.999:
        problems.append("optimiser ended at a point where the model covariance is not positive definite")
    elif pg_max > GRAD_TOL:
        problems.append(f"optimiser stopped with gradient {pg_max:.2g} (> {GRAD_TOL:g})")
    # canonical signs: each factor's loadings sum to a positive number in the reference group
    theta = _canonical_signs(layout, theta)
    out = _assemble(layout, theta, pats, labels, factor_names, items, centre, scale, resid)
    heywood = out["heywood"]
    if heywood:
        problems.append(f"Heywood case: residual variance of {heywood} at its lower bound 0 "
                        f"(standardised loading(s) at or beyond 1); the solution is improper")
    if out["phi_min_eig"] < PHI_EIG_TOL:
        problems.append(f"factor correlation matrix not positive definite (smallest eigenvalue "
                        f"{out['phi_min_eig']:.2g}): factors not distinguishable")
    loglik = -0.5 * (f0 + sum(jac))
    loglik_h1 = -0.5 * (sum(f_h1) + sum(jac))
    cmin = f0 - sum(f_h1)
    if cmin < -1e-3:
        problems.append(f"model log-likelihood above the saturated model's (CMIN {cmin:.3g}): the "
                        f"saturated (EM) solution is not the maximum")
    cmin = max(cmin, 0.0) if cmin > -1e-3 else cmin
    base_cmin = sum(f_base) - sum(f_h1)
    base_df = len(xs) * p * (p - 1) // 2
    idx = fit_indices(cmin, df, base_cmin, base_df, n_total, len(xs))
    return CFAResult(
        n=n_total, cmin=float(cmin), df=int(df), p=idx["p"], cfi=idx["cfi"], tli=idx["tli"],
        rmsea=idx["rmsea"], baseline_cmin=float(base_cmin), baseline_df=int(base_df),
        loglik=float(loglik), loglik_h1=float(loglik_h1), converged=not problems,
        message="; ".join(problems) if problems else "ok", n_iter=n_iter,
        std_loadings=out["std_loadings"], factor_corr=out["factor_corr"],
        residual_var=out["residual_var"], params=out["params"], loadings=out["loadings"],
        std_residual_var=out["std_residual_var"], n_free=layout.n_par,
        n_patterns=sum(pt.n_patterns for pt in pats), group_n=group_n, heywood=heywood,
        notes=notes, missing=missing, theta=theta)


def _canonical_signs(layout: _Layout, theta: np.ndarray) -> np.ndarray:
    """Flip factors so that each factor's loadings sum to a positive number in every group.

    With loadings shared across groups the flip is decided once (reference group) and applied
    to every group's factor covariances and means.
    """
    mats = [layout.matrices(theta, g) for g in range(layout.n_groups)]
    flips = [np.where(mt["lam"].sum(axis=0) < 0, -1.0, 1.0) for mt in mats]
    if all(np.all(f > 0) for f in flips):
        return theta
    theta = theta.copy()
    for g, (spec, mt, flip) in enumerate(zip(layout.groups, mats, flips)):
        lam = mt["lam"] * flip[None, :]
        phi = mt["phi"] * np.outer(flip, flip)
        theta[spec["lam"]] = lam[layout.lam_rows, layout.lam_cols]
        if spec["alpha"] is not None:
            theta[spec["alpha"]] = mt["alpha"] * flip
        chol = np.linalg.cholesky(phi)
        if spec["phi_kind"] == "corr":
            theta[spec["phi"]] = (chol / np.diag(chol)[:, None])[layout.tril]
        else:
            vals = chol[layout.tril0].copy()
            vals[spec["phi_diag"]] = np.log(vals[spec["phi_diag"]])
            theta[spec["phi"]] = vals
    return theta


def _assemble(layout, theta, pats, labels, factor_names, items, centre, scale, resid) -> dict:
    multi = len(labels) > 1
    rows, std_l, raw_l, fcorr, rvar, srvar, heywood = [], [], [], [], [], [], []
    min_eig = np.inf
    for g, lab in enumerate(labels):
        mats = layout.matrices(theta, g)
        lam = mats["lam"] * scale[:, None]
        th = mats["theta"] * np.outer(scale, scale)
        phi = mats["phi"]
        nu = centre + scale * mats["nu"]
        sigma = lam @ phi @ lam.T + th
        sd_i = np.sqrt(np.diag(sigma))
        sd_f = np.sqrt(np.diag(phi))
        std = lam * sd_f[None, :] / sd_i[:, None]
        corr = phi / np.outer(sd_f, sd_f)
        min_eig = min(min_eig, float(np.linalg.eigvalsh(corr).min()))
        idx = pd.MultiIndex.from_product([[lab], items], names=["group", "item"]) if multi else pd.Index(items, name="item")
        fidx = pd.MultiIndex.from_product([[lab], factor_names], names=["group", "factor"]) if multi else pd.Index(factor_names, name="factor")
        std_l.append(pd.DataFrame(std, index=idx, columns=factor_names))
        raw_l.append(pd.DataFrame(lam, index=idx, columns=factor_names))
        fcorr.append(pd.DataFrame(corr, index=fidx, columns=factor_names))
        rvar.append(pd.Series(np.diag(th), index=idx, name="residual_var"))
        srvar.append(pd.Series(np.diag(th) / np.diag(sigma), index=idx, name="std_residual_var"))
        heywood += [(f"{lab}:" if multi else "") + items[i]
                    for i in np.flatnonzero(np.diag(mats["theta"]) < HEYWOOD_TOL)]
        spec = layout.groups[g]
        for r, c in zip(layout.lam_rows, layout.lam_cols):
            rows.append((lab, factor_names[c], "=~", items[r], True, lam[r, c], std[r, c]))
        for a in range(layout.m):
            for b in range(a, layout.m):
                free = spec["phi_kind"] == "cov" or a != b
                rows.append((lab, factor_names[a], "~~", factor_names[b], free, phi[a, b], corr[a, b]))
        for i in range(layout.p):
            rows.append((lab, items[i], "~~", items[i], True, th[i, i], th[i, i] / sigma[i, i]))
        for (i, j) in resid:
            rows.append((lab, items[i], "~~", items[j], True, th[i, j], th[i, j] / math.sqrt(th[i, i] * th[j, j])))
        for i in range(layout.p):
            rows.append((lab, items[i], "~1", "", True, nu[i], nu[i] / sd_i[i]))
        for k in range(layout.m):
            rows.append((lab, factor_names[k], "~1", "", spec["alpha"] is not None, mats["alpha"][k],
                         mats["alpha"][k] / sd_f[k]))
    params = pd.DataFrame(rows, columns=["group", "lhs", "op", "rhs", "free", "est", "std"])
    if not multi:
        params = params.drop(columns="group")
    return dict(std_loadings=pd.concat(std_l), loadings=pd.concat(raw_l), factor_corr=pd.concat(fcorr),
                residual_var=pd.concat(rvar), std_residual_var=pd.concat(srvar), params=params,
                heywood=heywood, phi_min_eig=min_eig)


def _resid_pairs(residual_covariances, items: list[str]) -> list[tuple[int, int]]:
    out = []
    for pair in residual_covariances:
        a, b = pair
        for i in (a, b):
            if i not in items:
                raise KeyError(f"residual covariance {a} ~~ {b}: item {i!r} is not in the model")
        if a == b:
            raise ValueError(f"residual covariance {a} ~~ {b}: give two different items")
        i, j = items.index(a), items.index(b)
        if (i, j) in out or (j, i) in out:
            raise ValueError(f"residual covariance {a} ~~ {b} listed twice")
        out.append((i, j))
    return out


def fit_cfa(data: pd.DataFrame, factors: Mapping[str, Iterable[str]], *, missing: str = "fiml",
            residual_covariances: Iterable[tuple[str, str]] = (), start=None, max_iter: int = 2000,
            min_pair_n: int = 3) -> CFAResult:
    """Fit a CFA with correlated factors by maximum likelihood (FIML with missing items).

    Parameters
    ----------
    data : DataFrame
        One row per questionnaire; item columns numeric, missing answers NaN.
    factors : dict of str to list of str
        Factor name to its item columns. An item listed under two factors gets two loadings
        (a cross-loading).
    missing : {"fiml", "listwise"}
        "fiml" (default, as AMOS "with missing values" and lavaan ``missing = "ml"``) uses every
        answered item; "listwise" drops incomplete rows first (counted in ``notes``).
    residual_covariances : iterable of (item, item)
        Residual covariances to free (modification-index style model changes).
    start : CFAResult or array, optional
        Start values (``CFAResult.theta`` of an earlier fit of the same model, e.g. while
        calibrating); skips the first-stage fit to the saturated moments.
    max_iter : int
        Iteration limit of each optimiser stage.
    min_pair_n : int
        Fewest cases that must answer both items of every pair; below it the model is not
        fitted and the result says which pairs.

    Returns
    -------
    CFAResult
        Never raises on statistical problems (non-convergence, improper solutions, too few
        cases): ``converged`` is False and ``message`` says why. Bad input (missing or
        non-numeric columns, a malformed model) raises ``KeyError``/``ValueError``.

    Notes
    -----
    Factor variances are fixed to 1, so loadings are in item units and ``factor_corr`` holds
    the factor correlations. Estimation, formulas and the N-versus-(N - 1) choice are described
    in the module docstring; so is the agreement measured against lavaan and semopy.

    References
    ----------
    Arbuckle (1996); Rosseel (2012), see the module docstring.

    Examples
    --------
    >>> res = fit_cfa(items, {"trust": ["wai_01", "wai_07", "wai_09"],
    ...                       "bond": ["wai_03", "wai_07", "wai_12"]})  # doctest: +SKIP
    >>> res.fit_rows()  # doctest: +SKIP
    """
    if missing not in ("fiml", "listwise"):
        raise ValueError(f"missing must be 'fiml' or 'listwise', not {missing!r}")
    names, items, mask = _model_items(factors)
    resid = _resid_pairs(residual_covariances, items)
    x, notes = _prepare(data, items, missing, "data")
    return _fit([x], ["all"], names, items, mask, resid, frozenset(), missing, start, notes,
                max_iter, min_pair_n)


def fit_cfa_groups(groups: Mapping[str, pd.DataFrame], factors: Mapping[str, Iterable[str]], *,
                   equal: Iterable[str] = (), missing: str = "fiml",
                   residual_covariances: Iterable[tuple[str, str]] = (), start=None,
                   max_iter: int = 2000, min_pair_n: int = 3) -> CFAResult:
    """Multi-group CFA for measurement invariance (configural, metric, scalar).

    Parameters
    ----------
    groups : dict of str to DataFrame
        Group name to its data (e.g. {"client": ..., "po": ...} or {"wave 1": ..., "wave 2": ...}).
        The first group is the reference group.
    factors, missing, residual_covariances, start, max_iter, min_pair_n
        As in :func:`fit_cfa`; the same model in every group.
    equal : subset of {"loadings", "intercepts"}
        Parameters held equal across groups: () configural, ("loadings",) metric,
        ("loadings", "intercepts") scalar invariance.

    Returns
    -------
    CFAResult
        Fit of the joint model; ``std_loadings``, ``factor_corr``, ``residual_var`` are indexed
        by (group, item) / (group, factor); ``params`` has a ``group`` column.

    Notes
    -----
    Identification as lavaan's ``std.lv = TRUE`` with ``group.equal``: factor variances are 1
    and factor means 0 in the reference group; in the other groups the factor variances are
    free once the loadings are equal, and the factor means once the intercepts are. Residual
    variances and covariances are free in every group. The chi-square is the sum over groups;
    RMSEA carries the sqrt(G) factor; the baseline is the independence model in each group.

    The groups are treated as independent samples. The same clients at two waves, or the two
    sides of a dyad, are not independent: for them the multi-group tests are approximate, and a
    single-group model holding both sets of items (with correlated residuals of the same item)
    is the exact alternative.
    """
    equal = frozenset(equal)
    bad = equal - {"loadings", "intercepts"}
    if bad:
        raise ValueError(f"equal may contain 'loadings' and 'intercepts', not {sorted(bad)}")
    if missing not in ("fiml", "listwise"):
        raise ValueError(f"missing must be 'fiml' or 'listwise', not {missing!r}")
    if len(groups) < 2:
        raise ValueError("fit_cfa_groups needs at least two groups; use fit_cfa for one")
    names, items, mask = _model_items(factors)
    resid = _resid_pairs(residual_covariances, items)
    xs, notes = [], []
    for lab, frame in groups.items():
        x, nt = _prepare(frame, items, missing, str(lab))
        xs.append(x)
        notes += nt
    return _fit(xs, [str(g) for g in groups], names, items, mask, resid, equal, missing, start,
                notes, max_iter, min_pair_n)


def invariance_table(groups: Mapping[str, pd.DataFrame], factors: Mapping[str, Iterable[str]], *,
                     missing: str = "fiml", residual_covariances: Iterable[tuple[str, str]] = ()
                     ) -> pd.DataFrame:
    """Configural, metric and scalar models side by side, with the changes between steps.

    Returns
    -------
    DataFrame
        One row per model (configural, metric, scalar): CMIN, df, p, CFI, TLI, RMSEA, n,
        converged, and against the previous row delta_CMIN, delta_df, p of the chi-square
        difference test, delta_CFI and delta_RMSEA (Chen, 2007: a drop in CFI of more than .01
        together with a rise in RMSEA of more than .015 speaks against the stricter model).

    References
    ----------
    Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of measurement
    invariance. *Structural Equation Modeling*, 14(3), 464-504.
    """
    steps = [("configural", ()), ("metric", ("loadings",)), ("scalar", ("loadings", "intercepts"))]
    rows = []
    prev = None
    for name, eq in steps:
        r = fit_cfa_groups(groups, factors, equal=eq, missing=missing,
                           residual_covariances=residual_covariances)
        row = dict(model=name, CMIN=r.cmin, df=r.df, p=r.p, CFI=r.cfi, TLI=r.tli, RMSEA=r.rmsea,
                   n=r.n, converged=r.converged, message=r.message)
        if prev is None:
            row.update(delta_CMIN=np.nan, delta_df=np.nan, p_delta=np.nan, delta_CFI=np.nan, delta_RMSEA=np.nan)
        else:
            dc, dd = r.cmin - prev.cmin, r.df - prev.df
            row.update(delta_CMIN=dc, delta_df=dd,
                       p_delta=float(special.chdtrc(dd, dc)) if dd > 0 else np.nan,
                       delta_CFI=r.cfi - prev.cfi, delta_RMSEA=r.rmsea - prev.rmsea)
        rows.append(row)
        prev = r
    return pd.DataFrame(rows).set_index("model")
