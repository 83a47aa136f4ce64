"""Internal consistency: Cronbach's alpha, alpha if item deleted, the thesis's alpha optimisation,
and (beyond the thesis) McDonald's omega with a bootstrap confidence interval.

The thesis judged its scales by Cronbach's alpha per dataset (Appendix 1, section 2.3, Table 4,
COTAN limits .60/.70/.80) and dropped items from goals_restriction while alpha improved. SPSS's
RELIABILITY procedure, which the thesis used, deletes cases listwise over the items of the
scale; that is the default here, and the choice is an explicit keyword.

Items must be keyed in one direction before they come here (reversed items reversed, e.g. with
:func:`wagk.scoring.keyed_items`): alpha and omega of a scale score assume it.

Validated against
-----------------
Measured on simulated 5-item data (n = 302, 4% of answers missing); tests/test_reliability.py
asserts the tolerances in brackets.

- alpha: the direct formula [1e-12]; pingouin 0.7.0 ``cronbach_alpha`` with
  ``nan_policy="listwise"`` and ``"pairwise"``: identical (difference 0) [1e-12]; psych 2.2.9
  ``alpha(use = "complete.obs")``: raw alpha, alpha if item deleted and corrected item-total
  correlations (``r.drop``) to 1e-15 [1e-10];
- omega: from lavaan 0.6.14 one-factor estimates (``std.lv = TRUE``), 6e-9 with
  ``missing = "ml"`` and 1e-7 listwise [1e-6];
- the bootstrap's vectorised one-factor ML against :func:`wagk.cfa.fit_cfa`: loadings to 3e-8
  [1e-6]; resamples it flags as improper are improper in ``fit_cfa`` too.

Speed (benchmarks/bench_reliability.py): ``omega_ci`` for 4 scales x 4 datasets x 1000
resamples, 0.6 s (median of 3).

References
----------
Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. *Psychometrika*,
16, 297-334.
McDonald, R. P. (1999). *Test theory: A unified treatment*. Erlbaum.
Rubin, D. B., & Thayer, D. T. (1982). EM algorithms for ML factor analysis. *Psychometrika*,
47, 69-76.
Varadhan, R., & Roland, C. (2008). Simple and globally convergent methods for accelerating the
convergence of any EM algorithm. *Scandinavian Journal of Statistics*, 35(2), 335-353.
Lucassen, W., Meijer, R. R., & Sijtsma, K. (2009). COTAN beoordelingssysteem.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wagk.cfa import fit_cfa, one_blas_thread

__all__ = ["cronbach_alpha", "alpha_if_deleted", "alpha_optimisation", "omega", "omega_ci", "OmegaCI"]


def _numeric(items: pd.DataFrame, min_items: int = 2) -> pd.DataFrame:
    if not isinstance(items, pd.DataFrame):
        raise TypeError("items must be a DataFrame with one column per item")
    bad = [c for c in items.columns if not pd.api.types.is_numeric_dtype(items[c])]
    if bad:
        raise ValueError(f"item columns {bad} are not numeric")
    if items.shape[1] < min_items:
        raise ValueError(f"need at least {min_items} items, got {items.shape[1]} ({list(items.columns)})")
    return items.astype(float)


def _alpha_from_cov(c: np.ndarray) -> float:
    k = c.shape[0]
    total = c.sum()
    if not np.isfinite(total) or total <= 0:
        return float("nan")
    return float(k / (k - 1) * (1.0 - np.trace(c) / total))


def cronbach_alpha(items: pd.DataFrame, *, missing: str = "listwise") -> float:
    """Cronbach's alpha of a set of (keyed) items.

    Parameters
    ----------
    items : DataFrame
        One column per item, NaN for a missing answer.
    missing : {"listwise", "pairwise"}
        "listwise" (default; SPSS RELIABILITY and ``psych::alpha(use = "complete.obs")``) uses
        the rows with every item answered; "pairwise" uses each pair's common rows for each
        covariance (pingouin's default).

    Returns
    -------
    float
        NaN when fewer than two rows remain or the total variance is not positive.

    Notes
    -----
    ``alpha = k / (k - 1) * (1 - sum_i var(x_i) / var(sum_i x_i))``, computed from the
    covariance matrix C as ``k / (k - 1) * (1 - tr(C) / 1'C1)``.
    """
    if missing not in ("listwise", "pairwise"):
        raise ValueError(f"missing must be 'listwise' or 'pairwise', not {missing!r}")
    x = _numeric(items)
    if missing == "listwise":
        x = x.dropna()
    if len(x) < 2:
        return float("nan")
    return _alpha_from_cov(x.cov().to_numpy())


def alpha_if_deleted(items: pd.DataFrame) -> pd.DataFrame:
    """SPSS's "Item-Total Statistics" on the listwise sample of all the items.

    Returns
    -------
    DataFrame
        One row per item: ``scale_mean_if_deleted``, ``scale_var_if_deleted`` (of the sum of
        the other items), ``item_total_r`` (corrected item-total correlation: the item with the
        sum of the other items), ``alpha_if_deleted``; plus the columns ``alpha`` (of all items)
        and ``n`` (rows used), equal in every row.
    """
    x = _numeric(items, min_items=3).dropna()
    n = len(x)
    cols = list(x.columns)
    if n < 2:
        out = pd.DataFrame(np.nan, index=pd.Index(cols, name="item"),
                           columns=["scale_mean_if_deleted", "scale_var_if_deleted", "item_total_r",
                                    "alpha_if_deleted", "alpha"])
        out["n"] = n
        return out
    a = x.to_numpy()
    c = np.cov(a, rowvar=False)
    total = a.sum(axis=1)
    rows = []
    for j, name in enumerate(cols):
        rest = total - a[:, j]
        keep = [i for i in range(len(cols)) if i != j]
        sd_r, sd_j = rest.std(ddof=1), a[:, j].std(ddof=1)
        r = float(np.corrcoef(a[:, j], rest)[0, 1]) if sd_r > 0 and sd_j > 0 else np.nan
        rows.append(dict(item=name, scale_mean_if_deleted=rest.mean(), scale_var_if_deleted=rest.var(ddof=1),
                         item_total_r=r, alpha_if_deleted=_alpha_from_cov(c[np.ix_(keep, keep)])))
    out = pd.DataFrame(rows).set_index("item")
    out["alpha"] = _alpha_from_cov(c)
    out["n"] = n
    return out


def alpha_optimisation(items: pd.DataFrame, *, min_items: int = 3, min_gain: float = 0.0,
                       protect: tuple[str, ...] | list[str] = ()) -> pd.DataFrame:
    """The thesis's alpha optimisation (Appendix 1, section 2.3): drop items while alpha improves.

    At each step the item whose deletion gives the highest alpha-if-item-deleted (on the
    current listwise sample) is removed, if that alpha exceeds the current alpha by more than
    ``min_gain``; then alpha is recomputed on the remaining items (whose listwise sample may be
    larger). Stops when no deletion helps or ``min_items`` are left.

    Parameters
    ----------
    items : DataFrame
        The scale's keyed items.
    min_items : int
        Never go below this many items.
    min_gain : float
        Smallest improvement of alpha that justifies a deletion.
    protect : sequence of str
        Items never to delete (e.g. the items shared by the client and officer versions).

    Returns
    -------
    DataFrame
        One row per step, step 0 the full scale: ``step``, ``removed`` (item, "" at step 0),
        ``alpha_if_deleted`` (the alpha that motivated the deletion, same sample as the previous
        row), ``alpha`` (recomputed), ``n`` (listwise rows), ``k`` and ``items`` (remaining,
        comma-separated).
    """
    unknown = [i for i in protect if i not in items.columns]
    if unknown:
        raise KeyError(f"protected items {unknown} are not columns of items")
    current = list(items.columns)
    x = _numeric(items)
    steps = [dict(step=0, removed="", alpha_if_deleted=np.nan, alpha=cronbach_alpha(x),
                  n=int(x.dropna().shape[0]), k=len(current), items=",".join(map(str, current)))]
    while len(current) > max(min_items, 2):
        table = alpha_if_deleted(x[current]).drop(index=[i for i in protect if i in current])
        if table.empty or table["alpha_if_deleted"].isna().all():
            break
        best = table["alpha_if_deleted"].idxmax()
        gain = table.loc[best, "alpha_if_deleted"] - table["alpha"].iloc[0]
        if not gain > min_gain:
            break
        current.remove(best)
        steps.append(dict(step=len(steps), removed=str(best), alpha_if_deleted=float(table.loc[best, "alpha_if_deleted"]),
                          alpha=cronbach_alpha(x[current]), n=int(x[current].dropna().shape[0]), k=len(current),
                          items=",".join(map(str, current))))
    return pd.DataFrame(steps)


# ----------------------------------------------------------------------------------- omega

def omega(items: pd.DataFrame, *, missing: str = "fiml") -> float:
    """McDonald's omega total of a (keyed) scale from a one-factor ML model.

    Parameters
    ----------
    items : DataFrame
        The scale's keyed items (at least three).
    missing : {"fiml", "listwise"}
        How the one-factor model treats missing answers (see :func:`wagk.cfa.fit_cfa`).

    Returns
    -------
    float
        NaN when the one-factor model did not converge or is improper (Heywood case).

    Notes
    -----
    ``omega = (sum_i lambda_i)^2 / ((sum_i lambda_i)^2 + sum_i theta_i)``: the share of the
    variance of the unweighted sum score due to the common factor, with the model-implied
    variance in the denominator (semTools' ``omega``). Raw (unstandardised) loadings, since the
    scale score is the mean of raw items.
    """
    x = _numeric(items, min_items=3)
    res = fit_cfa(x, {"f": list(x.columns)}, missing=missing)
    if not res.converged:
        return float("nan")
    lam = res.loadings["f"].to_numpy()
    theta = res.residual_var.to_numpy()
    return float(lam.sum() ** 2 / (lam.sum() ** 2 + theta.sum()))


_PSI_FLOOR = 1e-6  # lower bound of standardised residual variances in the bootstrap fits


def _em_step(r: np.ndarray, lam: np.ndarray, psi: np.ndarray):
    """One EM step of one-factor ML on correlation matrices r (B, k, k)."""
    w = lam / psi
    beta = w / (1.0 + (lam * w).sum(axis=1))[:, None]  # Sigma^-1 lambda (Sherman-Morrison)
    sb = np.einsum("bij,bj->bi", r, beta)  # S beta
    czz = 1.0 - (beta * lam).sum(axis=1) + (beta * sb).sum(axis=1)
    lam_new = sb / czz[:, None]
    return lam_new, np.maximum(1.0 - lam_new * sb, _PSI_FLOOR)


def _discrepancy(r: np.ndarray, lam: np.ndarray, psi: np.ndarray) -> np.ndarray:
    """log|Sigma| + tr(Sigma^-1 S) for Sigma = lam lam' + diag(psi) (closed form)."""
    w = lam / psi
    c = 1.0 + (lam * w).sum(axis=1)
    tr = (np.diagonal(r, axis1=1, axis2=2) / psi).sum(axis=1) - np.einsum("bi,bij,bj->b", w, r, w) / c
    return np.log(psi).sum(axis=1) + np.log(c) + tr


def _one_factor_ml(s: np.ndarray, max_iter: int = 5000, tol: float = 1e-10):
    """One-factor ML for a stack of covariance matrices (B, k, k) by accelerated EM.

    EM for factor analysis (Rubin & Thayer 1982) with SQUAREM acceleration (Varadhan & Roland
    2008; step length -||r|| / ||v||, at most an EM double step, and the accelerated point kept
    only when it lowers the ML discrepancy), vectorised over the stack.

    Returns ``lam (B, k), psi (B, k), converged (B,), heywood (B,)``; a resample whose
    standardised residual variance goes below 1e-3 while still moving is stopped there and
    flagged as a Heywood case (the ML estimate lies on the boundary psi = 0).
    """
    b, k, _ = s.shape
    d = np.diagonal(s, axis1=1, axis2=2).copy()
    sd = np.sqrt(np.maximum(d, 1e-300))
    r = s / (sd[:, :, None] * sd[:, None, :])
    # start: first principal axis of the correlation matrix
    vals, vecs = np.linalg.eigh(r)
    lam = vecs[:, :, -1] * np.sqrt(np.maximum(vals[:, -1], 1e-6))[:, None]
    lam *= np.where(lam.sum(axis=1) < 0, -1.0, 1.0)[:, None]
    lam = np.clip(lam, -0.95, 0.95)
    psi = np.maximum(1.0 - lam ** 2, 0.05)
    converged = np.zeros(b, dtype=bool)
    heywood = np.zeros(b, dtype=bool)
    active = np.arange(b)
    for it in range(max_iter):
        ra, l0, p0 = r[active], lam[active], psi[active]
        l1, p1 = _em_step(ra, l0, p0)
        l2, p2 = _em_step(ra, l1, p1)
        r_l, r_p = l1 - l0, p1 - p0
        v_l, v_p = l2 - l1 - r_l, p2 - p1 - r_p
        rn = np.sqrt((r_l ** 2).sum(axis=1) + (r_p ** 2).sum(axis=1))
        vn = np.sqrt((v_l ** 2).sum(axis=1) + (v_p ** 2).sum(axis=1))
        alpha = np.minimum(-rn / np.where(vn > 0, vn, np.inf), -1.0)[:, None]
        la = l0 - 2 * alpha * r_l + alpha ** 2 * v_l
        pa = np.maximum(p0 - 2 * alpha * r_p + alpha ** 2 * v_p, _PSI_FLOOR)
        la, pa = _em_step(ra, la, pa)
        better = _discrepancy(ra, la, pa) <= _discrepancy(ra, l2, p2)
        l_new = np.where(better[:, None], la, l2)
        p_new = np.where(better[:, None], pa, p2)
        change = np.maximum(np.abs(l_new - l0).max(axis=1), np.abs(p_new - p0).max(axis=1))
        lam[active], psi[active] = l_new, p_new
        done = change < tol
        improper = ~done & (p_new.min(axis=1) < 1e-3) & (it >= 50)
        converged[active[done]] = True
        heywood[active[improper]] = True
        active = active[~done & ~improper]
        if active.size == 0:
            break
    heywood |= (psi <= 10 * _PSI_FLOOR).any(axis=1)
    lam = lam * sd
    psi = psi * d
    flip = np.where(lam.sum(axis=1) < 0, -1.0, 1.0)
    return lam * flip[:, None], psi, converged, heywood


def _omega_from(lam: np.ndarray, psi: np.ndarray) -> np.ndarray:
    t = lam.sum(axis=-1) ** 2
    return t / (t + psi.sum(axis=-1))


@dataclass
class OmegaCI:
    """Omega total with a percentile bootstrap interval.

    Attributes
    ----------
    omega : float
        Point estimate (one-factor ML on the complete cases).
    lower, upper : float
        Percentile bootstrap limits at ``level``.
    level : float
    n : int
        Complete cases used (listwise).
    n_boot : int
        Resamples drawn.
    n_failed : int
        Resamples left out of the interval: one-factor ML did not converge or was improper
        (Heywood case), or the resample had an item without variance.
    """

    omega: float
    lower: float
    upper: float
    level: float
    n: int
    n_boot: int
    n_failed: int


@one_blas_thread
def omega_ci(items: pd.DataFrame, *, n_boot: int = 1000, seed: int = 0, level: float = 0.95,
             max_iter: int = 5000) -> OmegaCI:
    """McDonald's omega with a percentile bootstrap confidence interval (complete cases).

    Parameters
    ----------
    items : DataFrame
        The scale's keyed items (at least three); rows with a missing item are left out
        (listwise; their number is ``len(items) - OmegaCI.n``).
    n_boot : int
        Bootstrap resamples (cases drawn with replacement).
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same interval.
    level : float
        Coverage of the interval.
    max_iter : int
        Iteration limit of the resamples' EM (the point estimate always gets 5000). A resample
        still moving at the limit counts as failed. Resamples that converge slowly are those
        heading for a Heywood case; a lower limit (e.g. 1000) bounds the run time on skewed
        items and moves the interval by less than its last printed decimal (measured on the
        synthetic data: identical to four decimals, a few more resamples counted as failed).

    Returns
    -------
    OmegaCI

    Notes
    -----
    Each resample's covariance matrix (denominator n) is fitted by one-factor ML with an EM
    algorithm vectorised over all resamples at once (a per-resample call of
    :func:`wagk.cfa.fit_cfa` would take about 10 ms, too slow for 16 scales x 1000 resamples);
    it reaches the same ML solution (tested). Omega as in :func:`omega`. The interval is the
    ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles of the resampled omegas; resamples
    with a non-converged or improper solution are counted in ``n_failed`` and left out.
    Complete cases only: FIML per resample would need an EM per resample.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, not {level}")
    if n_boot < 1:
        raise ValueError(f"n_boot must be positive, not {n_boot}")
    if max_iter < 1:
        raise ValueError(f"max_iter must be positive, not {max_iter}")
    x = _numeric(items, min_items=3).dropna().to_numpy()
    n, k = x.shape
    if n < k + 2:
        nan = float("nan")
        return OmegaCI(nan, nan, nan, level, n, n_boot, n_boot)
    s0 = np.cov(x, rowvar=False, bias=True)[None]
    lam, psi, conv, hey = _one_factor_ml(s0)
    point = float(_omega_from(lam, psi)[0]) if conv[0] and not hey[0] else float("nan")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_boot, n))
    xb = x[idx]  # (B, n, k)
    xc = xb - xb.mean(axis=1, keepdims=True)
    s = np.matmul(np.swapaxes(xc, 1, 2), xc) / n
    ok = (np.diagonal(s, axis1=1, axis2=2) > 0).all(axis=1)
    om = np.full(n_boot, np.nan)
    if ok.any():
        lam_b, psi_b, conv_b, hey_b = _one_factor_ml(s[ok], max_iter=max_iter)
        vals = _omega_from(lam_b, psi_b)
        vals[~conv_b | hey_b] = np.nan
        om[ok] = vals
    good = om[np.isfinite(om)]
    lo, hi = (np.quantile(good, [(1 - level) / 2, (1 + level) / 2]) if good.size else (np.nan, np.nan))
    return OmegaCI(omega=point, lower=float(lo), upper=float(hi), level=level, n=n, n_boot=n_boot,
                   n_failed=int(n_boot - good.size))
