"""Correlations (chapters 8-10): Pearson r, Spearman rS, Fisher-z intervals, cluster bootstrap.

The thesis (ch. 8.1): Pearson's r where both variables are at least interval, Spearman's rS
where one is ordinal; significance from the usual t approximation; n printed per cell
(pairwise deletion). Chapter 10 correlates the client's and the officer's score of the same
dyad; because one officer rates several clients, those dyads are not independent, and
:func:`cluster_bootstrap_correlation` (beyond the thesis) resamples officers to get an interval
that respects the nesting.

Every function returns a tidy DataFrame, one row per pair, with columns ``x, y, method, n, r,
df, p, ci_low, ci_high, status, note`` (``r`` holds Spearman's rS when ``method =
"spearman"``; the published schema calls that statistic ``rs``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from wagk._stats import Notes, as_list, frame, numeric, require_columns, require_frame

METHODS = ("pearson", "spearman")
CORR_COLUMNS = ["x", "y", "method", "n", "r", "df", "p", "ci_low", "ci_high", "status", "note"]
BOOT_COLUMNS = ["x", "y", "method", "n", "n_clusters", "r", "p", "ci_low_fisher",
                "ci_high_fisher", "ci_low", "ci_high", "se_boot", "deff", "n_boot", "n_failed",
                "seed", "status", "note"]


def fisher_ci(r: float, n: int, *, confidence: float = 0.95,
              method: str = "pearson") -> tuple[float, float]:
    """Confidence interval of a correlation by Fisher's z transformation.

    Parameters
    ----------
    r : float
        The correlation.
    n : int
        The number of pairs it was computed from.
    confidence : float
        Confidence level.
    method : {"pearson", "spearman"}
        Sets the standard error of z (below).

    Returns
    -------
    (low, high) : tuple of float
        NaN for n <= 3 or a non-finite r; (r, r) when \\|r\\| = 1.

    Notes
    -----
    :math:`z = \\operatorname{artanh}(r)`, interval :math:`\\tanh(z \\pm q\\,SE)` with
    :math:`q` the normal quantile. Pearson: :math:`SE = 1/\\sqrt{n-3}`. Spearman:
    :math:`SE = \\sqrt{1.06/(n-3)}` (Fieller, Hartley & Pearson 1957), the variance
    correction Bonett & Wright (2000) recommend for \\|rS\\| up to .9.

    References
    ----------
    Fieller, E. C., Hartley, H. O., & Pearson, E. S. (1957). Tests for rank correlation
    coefficients. I. *Biometrika*, 44, 470-481.
    Bonett, D. G., & Wright, T. A. (2000). Sample size requirements for estimating Pearson,
    Kendall and Spearman correlations. *Psychometrika*, 65, 23-28.

    Validated against ``scipy.stats.pearsonr(...).confidence_interval()`` (Pearson) and the
    formula (Spearman) in ``tests/test_association.py``.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if not np.isfinite(r) or n <= 3:
        return (np.nan, np.nan)
    if abs(r) >= 1:
        return (float(r), float(r))
    se = np.sqrt((1.06 if method == "spearman" else 1.0) / (n - 3))
    q = stats.norm.ppf(0.5 + confidence / 2)
    z = np.arctanh(r)
    return (float(np.tanh(z - q * se)), float(np.tanh(z + q * se)))


def _r(a: np.ndarray, b: np.ndarray, method: str) -> float:
    if method == "spearman":
        a, b = stats.rankdata(a), stats.rankdata(b)
    a = a - a.mean()
    b = b - b.mean()
    den = np.sqrt((a @ a) * (b @ b))
    return float(a @ b / den) if den > 0 else np.nan


def _corr_row(a, b, x: str, y: str, method: str, confidence: float) -> dict:
    """The row of :func:`correlation` for two float Series or arrays (pairs with a NaN left out)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    ok = ~np.isnan(a) & ~np.isnan(b)
    av, bv = a[ok], b[ok]
    n = len(av)
    notes = Notes()
    row = dict(x=x, y=y, method=method, n=n, df=n - 2 if n >= 2 else np.nan)
    if n < 3:
        notes.fail(f"fewer than three complete pairs (n = {n})")
        return {**row, **notes.fields()}
    const = [name for name, v in ((x, av), (y, bv)) if np.ptp(v) == 0]
    if const:
        notes.fail(f"constant variable(s): {', '.join(const)}")
        return {**row, **notes.fields()}
    r = float(np.clip(_r(av, bv, method), -1.0, 1.0))
    if abs(r) == 1:
        notes.warn("perfect correlation")
        p = 0.0
    else:
        t = r * np.sqrt((n - 2) / (1 - r * r))
        p = float(2 * stats.t.sf(abs(t), n - 2))
    lo, hi = fisher_ci(r, n, confidence=confidence, method=method)
    if n <= 3:
        notes.warn("no confidence interval for n <= 3")
    return {**row, "r": r, "p": p, "ci_low": lo, "ci_high": hi, **notes.fields()}


def correlation(data: pd.DataFrame, x: str, y: str, *, method: str = "pearson",
                confidence: float = 0.95) -> pd.DataFrame:
    """Pearson r or Spearman rS of two columns, pairwise, with n, p and a Fisher-z interval.

    Parameters
    ----------
    data : DataFrame
        One row per person (or dyad).
    x, y : str
        Numeric columns; pairs with either missing are left out.
    method : {"pearson", "spearman"}
        Spearman ranks each variable (ties get their average rank) and correlates the ranks.
    confidence : float
        Level of the Fisher-z interval (:func:`fisher_ci`).

    Returns
    -------
    DataFrame
        One row: ``x, y, method, n, r, df`` (n - 2), ``p`` (two-sided), ``ci_low, ci_high,
        status, note``. Fewer than three pairs or a constant variable: ``not_computed``.

    Notes
    -----
    Pearson :math:`r = \\sum (x-\\bar x)(y-\\bar y)/\\sqrt{\\sum (x-\\bar x)^2 \\sum (y-\\bar y)^2}`;
    Spearman: the same on mid-ranks. p from :math:`t = r\\sqrt{(n-2)/(1-r^2)}` with n - 2 df,
    which is how SPSS tests both coefficients.

    Validated against ``scipy.stats.pearsonr``, ``scipy.stats.spearmanr`` and
    ``pingouin.corr`` in ``tests/test_association.py``.
    """
    require_frame(data)
    require_columns(data, [x, y])
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    row = _corr_row(numeric(data, x), numeric(data, y), x, y, method, confidence)
    return frame([row], CORR_COLUMNS)


def correlation_table(data: pd.DataFrame, x: str | Iterable[str],
                      y: str | Iterable[str] | None = None, *, method: str = "pearson",
                      missing: str = "pairwise", confidence: float = 0.95) -> pd.DataFrame:
    """Correlations of every variable in ``x`` with every variable in ``y``, as tidy rows.

    Parameters
    ----------
    data : DataFrame
        One row per person.
    x : str or list of str
        Row variables (e.g. the alliance scales).
    y : str or list of str, optional
        Column variables (e.g. motivation scales). When omitted, every pair within ``x`` once
        (the upper triangle of the correlation matrix).
    method : {"pearson", "spearman"}
    missing : {"pairwise", "listwise"}
        Pairwise: each pair on its own complete cases (the thesis, n per cell). Listwise: only
        people complete on all variables of ``x`` and ``y``.
    confidence : float
        Level of the Fisher-z intervals.

    Returns
    -------
    DataFrame
        One row per pair, columns as :func:`correlation`, ``x`` varying slowest.
    """
    require_frame(data)
    xs = as_list(x)
    ys = as_list(y) if y is not None else None
    require_columns(data, xs + (ys or []))
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if missing not in ("pairwise", "listwise"):
        raise ValueError(f"missing must be 'pairwise' or 'listwise', got {missing!r}")
    cols = list(dict.fromkeys(xs + (ys or [])))
    num = pd.DataFrame({c: numeric(data, c) for c in cols}, index=data.index)
    if missing == "listwise":
        num = num[num.notna().all(axis=1)]
    if ys is None:
        pairs = [(a, b) for i, a in enumerate(xs) for b in xs[i + 1:]]
    else:
        pairs = [(a, b) for a in xs for b in ys]
    rows = [_corr_row(num[a], num[b], a, b, method, confidence) for a, b in pairs]
    return frame(rows, CORR_COLUMNS)


def cluster_bootstrap_correlation(data: pd.DataFrame, x: str, y: str, cluster: str, *,
                                  method: str = "pearson", n_boot: int = 2000,
                                  seed: int = 0, confidence: float = 0.95) -> pd.DataFrame:
    """Correlation with a cluster (officer) bootstrap interval, beside the naive Fisher interval.

    Parameters
    ----------
    data : DataFrame
        One row per dyad (client with the officer's rating of that client).
    x, y : str
        The two scores (e.g. client trust and officer trust of the same dyad).
    cluster : str
        Cluster id (the officer, ``po_id``). Complete pairs without a cluster id are left out
        with a note.
    method : {"pearson", "spearman"}
    n_boot : int
        Bootstrap resamples.
    seed : int
        Seed of ``numpy.random.default_rng``; same data and seed give identical output.
    confidence : float
        Level of both intervals.

    Returns
    -------
    DataFrame
        One row: ``x, y, method, n, n_clusters, r, p`` (naive), ``ci_low_fisher,
        ci_high_fisher`` (naive, independent pairs), ``ci_low, ci_high`` (percentile interval
        of the cluster bootstrap), ``se_boot`` (bootstrap SD of r), ``deff`` (design effect:
        bootstrap variance of Fisher's z times n - 3, i.e. relative to the independent-pairs
        variance), ``n_boot, n_failed`` (resamples where r was undefined, left out),
        ``seed, status, note``.

    Notes
    -----
    Each resample draws G officers with replacement (G = number of officers) and takes all
    dyads of each drawn officer, so the within-officer dependence is kept (Field & Welsh
    2007; Davison & Hinkley 1997, sec. 3.8). The percentile interval is the
    :math:`(1\\pm c)/2` quantiles of the resampled r. A design effect above 1 says the nesting
    widens the interval.

    References
    ----------
    Davison, A. C., & Hinkley, D. V. (1997). *Bootstrap methods and their application*.
    Field, C. A., & Welsh, A. H. (2007). Bootstrapping clustered data. *JRSS B*, 69, 369-390.

    Validated in ``tests/test_association.py``: with one dyad per officer it agrees with an
    ordinary pairs bootstrap of the same draws; with strongly clustered simulated data its
    interval is wider than the naive one and covers the true correlation.
    """
    require_frame(data)
    require_columns(data, [x, y, cluster])
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if n_boot < 1:
        raise ValueError("n_boot must be at least 1")
    a, b = numeric(data, x), numeric(data, y)
    ok = a.notna() & b.notna()
    notes = Notes()
    no_cl = int((ok & data[cluster].isna()).sum())
    if no_cl:
        notes.warn(f"{no_cl} complete pair(s) without a cluster id left out")
    ok &= data[cluster].notna()
    base = _corr_row(a[ok], b[ok], x, y, method, confidence)
    codes, uniq = pd.factorize(data.loc[ok, cluster], sort=True)
    G = len(uniq)
    row = dict(x=x, y=y, method=method, n=base["n"], n_clusters=G, r=base.get("r", np.nan),
               p=base.get("p", np.nan), ci_low_fisher=base.get("ci_low", np.nan),
               ci_high_fisher=base.get("ci_high", np.nan), n_boot=n_boot, seed=seed)
    if base["status"] == "not_computed":
        notes.fail(base["note"])
        return frame([{**row, **notes.fields()}], BOOT_COLUMNS)
    if G < 2:
        notes.fail("fewer than two clusters")
        return frame([{**row, **notes.fields()}], BOOT_COLUMNS)
    av, bv = a[ok].to_numpy(float), b[ok].to_numpy(float)
    order = np.argsort(codes, kind="stable")
    sizes = np.bincount(codes, minlength=G)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, G, size=(n_boot, G))
    rs = np.empty(n_boot)
    for i in range(n_boot):
        d = draws[i]
        s = sizes[d]
        total = int(s.sum())
        pos = np.repeat(starts[d] - np.concatenate([[0], np.cumsum(s)[:-1]]), s) + np.arange(total)
        idx = order[pos]
        xa, ya = av[idx], bv[idx]
        rs[i] = _r(xa, ya, method) if total >= 3 and np.ptp(xa) > 0 and np.ptp(ya) > 0 else np.nan
    good = rs[np.isfinite(rs)]
    n_failed = n_boot - len(good)
    if n_failed:
        notes.warn(f"{n_failed} resample(s) with an undefined correlation left out")
    if len(good) < 2:
        notes.fail("too few usable resamples")
        return frame([{**row, "n_failed": n_failed, **notes.fields()}], BOOT_COLUMNS)
    lo, hi = np.quantile(good, [0.5 - confidence / 2, 0.5 + confidence / 2])
    z = np.arctanh(np.clip(good, -1 + 1e-12, 1 - 1e-12))
    deff = float(np.var(z, ddof=1) * (base["n"] - 3)) if base["n"] > 3 else np.nan
    for item in base["note"].split("; ") if base["note"] else []:
        notes.warn(item)
    row.update(ci_low=float(lo), ci_high=float(hi), se_boot=float(np.std(good, ddof=1)),
               deff=deff, n_failed=n_failed)
    return frame([{**row, **notes.fields()}], BOOT_COLUMNS)
