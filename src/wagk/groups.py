"""Group differences in alliance scores (chapters 8-10): MANOVA, ANOVA, t-tests, chi-square.

The thesis's recipe (ch. 8.1 and 9.1, "Analyses en rapportage"): where several alliance scales
are compared over a background variable, first a MANOVA over the four scales (listwise: only
people with all four scores), then one ANOVA or t-test per scale (pairwise: everyone with that
score, "om de N zo hoog mogelijk te houden"). Effect sizes: eta squared for (M)ANOVA, Cohen's d
for t-tests, phi (2 x 2) or Cramer's V (larger tables) for chi-square tests of independence;
thresholds from Cohen (1988). :func:`anova_by_scales` runs that recipe for one background
variable.

Beyond the thesis: clients are nested in officers (one officer supervises 1-4 clients of the
sample), so group comparisons of clients are not independent observations.
:func:`group_difference_clustered` sets the naive one-way test beside an OLS estimate with
cluster-robust (CR1) standard errors and a random-intercept (officer) mixed model;
:func:`adjust_pvalues` gives a false-discovery-rate or family-wise view over a table of tests.

All functions take tidy data (one row per person, one column per variable) and keyword
arguments, and return tidy DataFrames whose statistic columns carry the names of the
published schema (``n, M, SD, F, df1, df2, p, eta2, t, df, d, chi2, phi, V``) plus ``status``
and ``note`` (see :mod:`wagk._stats`). Edge cases (an empty or single-member group, a constant
or all-missing variable) come back as rows with NaN statistics and a note; they never raise.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from wagk._stats import (NOT_COMPUTED, OK, Notes, as_list, frame, label, long, numeric,
                         require_columns, require_frame)
from wagk._stats import levels as _levels

SCALES = ("trust", "goals_restriction", "bond", "reactance")

DESCRIPTIVE_COLUMNS = ["dv", "between", "level", "n", "M", "SD", "SE", "Mdn", "Min", "Max"]
ANOVA_COLUMNS = ["dv", "between", "n", "k", "SS_between", "SS_within", "SS_total", "F", "df1",
                 "df2", "p", "eta2", "omega2", "status", "note"]
TTEST_COLUMNS = ["dv", "between", "level1", "level2", "n1", "n2", "M1", "M2", "SD1", "SD2",
                 "diff", "ci_low", "ci_high", "t", "df", "p", "d", "welch", "levene_F",
                 "levene_p", "status", "note"]
PAIRED_COLUMNS = ["x", "y", "n", "M_x", "M_y", "SD_x", "SD_y", "diff", "SD_diff", "r_xy", "t",
                  "df", "p", "d", "d_av", "status", "note"]
CHI2_COLUMNS = ["row", "col", "n", "n_rows", "n_cols", "chi2", "df", "p", "phi", "V",
                "correction", "min_expected", "cells_expected_lt5", "pct_expected_lt5",
                "fisher_p", "status", "note"]
MANOVA_COLUMNS = ["dvs", "between", "test", "value", "F", "df1", "df2", "p", "eta2", "n", "k",
                  "n_excluded", "status", "note"]
CLUSTERED_COLUMNS = ["dv", "between", "method", "term", "estimate", "SE", "test", "statistic",
                     "df1", "df2", "p", "n", "n_clusters", "icc", "status", "note"]
LONG_COLUMNS = ["analysis", "dv", "between", "term", "statistic", "value", "status", "note"]

_TESTS = {"pillai": "Pillai's trace", "wilks": "Wilks' lambda",
          "hotelling": "Hotelling-Lawley trace", "roy": "Roy's greatest root"}


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------

def _groups(data: pd.DataFrame, dv: str, between: str, notes: Notes):
    """(labels, arrays) of the non-missing dv values per observed level; notes on empties."""
    y = numeric(data, dv)
    g = data[between]
    ok = y.notna() & g.notna()
    lv, empty_declared = _levels(g)
    arrays, labels = [], []
    empty = [label(v) for v in empty_declared]
    for v in lv:
        vals = y[ok & (g == v)].to_numpy(dtype=float)
        if len(vals) == 0:
            empty.append(label(v))
            continue
        labels.append(label(v))
        arrays.append(vals)
    if empty:
        notes.warn(f"empty group(s) left out: {', '.join(empty)}")
    singles = [lab for lab, a in zip(labels, arrays) if len(a) == 1]
    if singles:
        notes.warn(f"single-member group(s): {', '.join(singles)}")
    return labels, arrays


def _codes(series: pd.Series, lv: list) -> np.ndarray:
    """Integer codes 0..k-1 of ``series`` in the order of the levels ``lv``."""
    pos = {v: i for i, v in enumerate(lv)}
    return np.array([pos[v] for v in series], dtype=int)


def _describe(vals: np.ndarray) -> dict:
    n = len(vals)
    if n == 0:
        return dict(n=0, M=np.nan, SD=np.nan, SE=np.nan, Mdn=np.nan, Min=np.nan, Max=np.nan)
    sd = float(np.std(vals, ddof=1)) if n > 1 else np.nan
    return dict(n=n, M=float(np.mean(vals)), SD=sd, SE=sd / np.sqrt(n) if n > 1 else np.nan,
                Mdn=float(np.median(vals)), Min=float(np.min(vals)), Max=float(np.max(vals)))


# --------------------------------------------------------------------------------------------
# descriptives
# --------------------------------------------------------------------------------------------

def group_descriptives(data: pd.DataFrame, dv: str | Iterable[str], between: str, *,
                       total: bool = False) -> pd.DataFrame:
    """n, mean, SD, SE, median, minimum and maximum of each dependent variable per group.

    Parameters
    ----------
    data : DataFrame
        One row per person.
    dv : str or list of str
        Dependent variable(s), numeric. Each is described on its own non-missing values
        (pairwise).
    between : str
        Grouping column. Categorical columns keep their category order (declared but empty
        categories give a row with ``n = 0``); other columns are sorted.
    total : bool
        Add a row with ``level = "(all)"`` over everyone with a group and a value.

    Returns
    -------
    DataFrame
        One row per dv and level: ``dv, between, level, n, M, SD, SE, Mdn, Min, Max``. SD is the
        sample SD (ddof = 1, as SPSS); SD and SE are NaN for a group of one.

    Notes
    -----
    Validated against pandas ``groupby().agg(["count", "mean", "std", "median"])`` in
    ``tests/test_groups.py``.
    """
    require_frame(data)
    dvs = as_list(dv)
    require_columns(data, dvs + [between])
    rows = []
    for d in dvs:
        y = numeric(data, d)
        g = data[between]
        ok = y.notna() & g.notna()
        lv, empty = _levels(g)
        for v in list(lv) + list(empty):
            rows.append(dict(dv=d, between=between, level=label(v),
                             **_describe(y[ok & (g == v)].to_numpy(dtype=float))))
        if total:
            rows.append(dict(dv=d, between=between, level="(all)",
                             **_describe(y[ok].to_numpy(dtype=float))))
    return frame(rows, DESCRIPTIVE_COLUMNS)


# --------------------------------------------------------------------------------------------
# one-way ANOVA
# --------------------------------------------------------------------------------------------

def _anova_row(dv: str, between: str, labels: list, arrays: list, notes: Notes) -> dict:
    row = dict(dv=dv, between=between)
    n = int(sum(len(a) for a in arrays))
    k = len(arrays)
    row.update(n=n, k=k)
    if n == 0:
        notes.fail("no observations with both a group and a value")
    elif k < 2:
        notes.fail("fewer than two groups with data")
    elif n - k < 1:
        notes.fail("no within-group degrees of freedom (every group has one member)")
    if notes.failed:
        return {**row, **notes.fields()}
    allv = np.concatenate(arrays)
    grand = allv.mean()
    ss_b = float(sum(len(a) * (a.mean() - grand) ** 2 for a in arrays))
    ss_w = float(sum(((a - a.mean()) ** 2).sum() for a in arrays))
    df1, df2 = k - 1, n - k
    row.update(SS_between=ss_b, SS_within=ss_w, SS_total=ss_b + ss_w, df1=df1, df2=df2)
    if np.ptp(allv) == 0:
        notes.fail("dependent variable is constant")
        return {**row, **notes.fields()}
    ms_w = ss_w / df2
    if ss_w == 0:
        notes.warn("no variance within groups: F is infinite")
        f = np.inf
    else:
        f = (ss_b / df1) / ms_w
    row.update(F=f, p=float(stats.f.sf(f, df1, df2)), eta2=ss_b / (ss_b + ss_w),
               omega2=(ss_b - df1 * ms_w) / (ss_b + ss_w + ms_w))
    return {**row, **notes.fields()}


def anova_oneway(data: pd.DataFrame, dv: str | Iterable[str], between: str) -> pd.DataFrame:
    """One-way between-groups ANOVA of each dependent variable, with eta squared.

    Each dependent variable is tested on everyone with a value on it and a group (pairwise
    deletion, as the thesis did its per-scale ANOVAs).

    Parameters
    ----------
    data : DataFrame
        One row per person.
    dv : str or list of str
        Dependent variable(s), numeric.
    between : str
        Grouping column (two or more levels; empty levels are left out with a note).

    Returns
    -------
    DataFrame
        One row per dv: ``dv, between, n, k`` (groups with data), ``SS_between, SS_within,
        SS_total, F, df1, df2, p, eta2, omega2, status, note``. Group n/M/SD come from
        :func:`group_descriptives` (and are part of :func:`anova_by_scales`).

    Notes
    -----
    With :math:`k` groups of sizes :math:`n_j`, means :math:`\\bar y_j` and grand mean
    :math:`\\bar y`:

    .. math::

        SS_B = \\sum_j n_j(\\bar y_j - \\bar y)^2,\\quad SS_W = \\sum_j\\sum_i (y_{ij}-\\bar y_j)^2,
        \\quad F = \\frac{SS_B/(k-1)}{SS_W/(N-k)},\\quad
        \\eta^2 = \\frac{SS_B}{SS_B + SS_W} = \\frac{F\\,df_1}{F\\,df_1 + df_2}

    and :math:`\\omega^2 = (SS_B - df_1 MS_W)/(SS_T + MS_W)` (less biased, beyond the thesis).
    For a one-way design eta squared equals SPSS's partial eta squared.

    Edge cases: no data, fewer than two non-empty groups, no within-group df or a constant
    dependent variable give ``status = "not_computed"`` and NaN statistics; zero within-group
    variance with different means gives F = inf, p = 0 and a warning.

    References
    ----------
    Cohen, J. (1988). *Statistical power analysis for the behavioral sciences* (2nd ed.).

    Validated against ``scipy.stats.f_oneway`` and ``pingouin.anova`` (F, p, SS), and eta
    squared against F df1 / (F df1 + df2), in ``tests/test_groups.py``.
    """
    require_frame(data)
    dvs = as_list(dv)
    require_columns(data, dvs + [between])
    rows = []
    for d in dvs:
        notes = Notes()
        labels, arrays = _groups(data, d, between, notes)
        rows.append(_anova_row(d, between, labels, arrays, notes))
    return frame(rows, ANOVA_COLUMNS)


# --------------------------------------------------------------------------------------------
# t-tests
# --------------------------------------------------------------------------------------------

def ttest_ind(data: pd.DataFrame, dv: str | Iterable[str], between: str, *,
              levels: Sequence | None = None, welch: bool | str = False,
              confidence: float = 0.95) -> pd.DataFrame:
    """Independent-samples t-test of each dependent variable between two groups, with Cohen's d.

    Parameters
    ----------
    data : DataFrame
        One row per person.
    dv : str or list of str
        Dependent variable(s); each is tested pairwise (everyone with a value and a group).
    between : str
        Grouping column.
    levels : pair, optional
        The two levels to compare, in the order (group 1, group 2). Required when ``between``
        has more than two levels; otherwise the two observed levels in sorted (or category)
        order.
    welch : bool or "levene"
        ``False``: Student's t with pooled variance (SPSS's "equal variances assumed" row).
        ``True``: Welch's t with Welch-Satterthwaite df ("not assumed" row).
        ``"levene"``: Welch when Levene's test (mean-centred, as SPSS) has p < .05, else
        Student. The thesis reports both kinds (one fractional df, ch. 8.7.2).
    confidence : float
        Level of the confidence interval of the mean difference.

    Returns
    -------
    DataFrame
        One row per dv: ``dv, between, level1, level2, n1, n2, M1, M2, SD1, SD2, diff`` (M1 - M2),
        ``ci_low, ci_high, t, df, p`` (two-sided), ``d`` (signed, M1 - M2 over the pooled SD),
        ``welch`` (which t was used), ``levene_F, levene_p, status, note``.

    Notes
    -----
    Pooled SD :math:`s_p = \\sqrt{((n_1-1)s_1^2 + (n_2-1)s_2^2)/(n_1+n_2-2)}`;
    Student :math:`t = (\\bar y_1-\\bar y_2)/(s_p\\sqrt{1/n_1+1/n_2})`, df = n1 + n2 - 2;
    Welch :math:`t = (\\bar y_1-\\bar y_2)/\\sqrt{s_1^2/n_1+s_2^2/n_2}` with
    Welch-Satterthwaite df. Cohen's :math:`d = (\\bar y_1-\\bar y_2)/s_p` whichever t is used
    (the thesis prints |d|). With two groups, t squared equals the one-way ANOVA F.

    References
    ----------
    Cohen, J. (1988). *Statistical power analysis for the behavioral sciences* (2nd ed.).
    Welch, B. L. (1947). The generalization of "Student's" problem. *Biometrika*, 34, 28-35.

    Validated against ``scipy.stats.ttest_ind`` (both variants), ``scipy.stats.levene`` and d
    by its formula in ``tests/test_groups.py``.
    """
    require_frame(data)
    dvs = as_list(dv)
    require_columns(data, dvs + [between])
    if welch not in (True, False, "levene"):
        raise ValueError(f"welch must be True, False or 'levene', got {welch!r}")
    if levels is not None:
        levels = list(levels)
        if len(levels) != 2:
            raise ValueError(f"levels must name two levels of {between!r}, got {levels}")
        present = set(data[between].dropna().unique())
        absent = [v for v in levels if v not in present]
        if absent:
            raise ValueError(f"level(s) {absent} not found in column {between!r}")
    rows = []
    for d in dvs:
        notes = Notes()
        sub = data if levels is None else data[data[between].isin(levels)]
        if levels is not None:
            sub = sub.copy()
            sub[between] = pd.Categorical(sub[between].astype(object), categories=levels)
        labels, arrays = _groups(sub, d, between, notes)
        row = dict(dv=d, between=between, welch=bool(welch is True))
        if levels is None and len(labels) > 2:
            raise ValueError(f"column {between!r} has {len(labels)} levels {labels}; "
                             "pass levels=(a, b) to choose two")
        if len(labels) < 2:
            notes.fail("fewer than two groups with data")
            rows.append({**row, "level1": labels[0] if labels else np.nan, **notes.fields()})
            continue
        a, b = arrays
        n1, n2 = len(a), len(b)
        s1 = float(np.var(a, ddof=1)) if n1 > 1 else np.nan
        s2 = float(np.var(b, ddof=1)) if n2 > 1 else np.nan
        diff = float(a.mean() - b.mean())
        row.update(level1=labels[0], level2=labels[1], n1=n1, n2=n2, M1=float(a.mean()),
                   M2=float(b.mean()), SD1=np.sqrt(s1), SD2=np.sqrt(s2), diff=diff)
        if n1 + n2 < 3:
            notes.fail("fewer than three observations")
            rows.append({**row, **notes.fields()})
            continue
        ss = ((a - a.mean()) ** 2).sum() + ((b - b.mean()) ** 2).sum()
        sp = float(np.sqrt(ss / (n1 + n2 - 2)))
        if n1 > 1 and n2 > 1 and np.ptp(np.concatenate([a, b])) > 0:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                lev = stats.levene(a, b, center="mean")
            row.update(levene_F=float(lev.statistic), levene_p=float(lev.pvalue))
        use_welch = welch is True or (welch == "levene" and row.get("levene_p", 1.0) < 0.05)
        row["welch"] = bool(use_welch)
        if np.ptp(np.concatenate([a, b])) == 0:
            notes.fail("dependent variable is constant")
            rows.append({**row, **notes.fields()})
            continue
        if use_welch:
            if n1 < 2 or n2 < 2:
                notes.fail("Welch's t needs at least two members per group")
                rows.append({**row, **notes.fields()})
                continue
            v1, v2 = s1 / n1, s2 / n2
            se = np.sqrt(v1 + v2)
            df = (v1 + v2) ** 2 / (v1 ** 2 / (n1 - 1) + v2 ** 2 / (n2 - 1)) if se > 0 else np.nan
        else:
            se = sp * np.sqrt(1 / n1 + 1 / n2)
            df = n1 + n2 - 2
        if se == 0:
            notes.warn("no variance within groups: t is infinite")
            t = np.copysign(np.inf, diff)
            p = 0.0
        else:
            t = diff / se
            p = float(2 * stats.t.sf(abs(t), df))
        q = stats.t.ppf(0.5 + confidence / 2, df) if np.isfinite(df) else np.nan
        row.update(t=float(t), df=float(df), p=p, d=diff / sp if sp > 0 else np.nan,
                   ci_low=diff - q * se, ci_high=diff + q * se)
        rows.append({**row, **notes.fields()})
    return frame(rows, TTEST_COLUMNS)


def ttest_paired(data: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """Paired-samples t-test of x against y (e.g. client against officer score of one dyad).

    Parameters
    ----------
    data : DataFrame
        One row per pair (dyad or person), x and y in two columns.
    x, y : str
        The two paired measurements; pairs with either missing are left out.

    Returns
    -------
    DataFrame
        One row: ``x, y, n, M_x, M_y, SD_x, SD_y, diff`` (mean of x - y), ``SD_diff, r_xy, t, df,
        p, d`` (:math:`d_z`, signed), ``d_av, status, note``.

    Notes
    -----
    :math:`t = \\bar D / (s_D/\\sqrt n)`, df = n - 1, with :math:`D = x - y`.
    :math:`d_z = \\bar D / s_D = t/\\sqrt n` (Cohen 1988, the standardised mean difference of
    paired data); :math:`d_{av} = \\bar D / ((s_x + s_y)/2)` (Lakens 2013) is given as well. The
    thesis's paired d values of ch. 10.2.2 agree with :math:`|t|/\\sqrt{df+1}`, i.e. :math:`d_z`.

    References
    ----------
    Lakens, D. (2013). Calculating and reporting effect sizes to facilitate cumulative science.
    *Frontiers in Psychology*, 4, 863.

    Validated against ``scipy.stats.ttest_rel`` and ``pingouin.ttest(paired=True)`` in
    ``tests/test_groups.py``.
    """
    require_frame(data)
    require_columns(data, [x, y])
    a, b = numeric(data, x), numeric(data, y)
    ok = a.notna() & b.notna()
    a, b = a[ok].to_numpy(), b[ok].to_numpy()
    n = len(a)
    notes = Notes()
    row = dict(x=x, y=y, n=n)
    if n < 2:
        notes.fail("fewer than two complete pairs")
        return frame([{**row, **notes.fields()}], PAIRED_COLUMNS)
    dd = a - b
    sx, sy, sd = (float(np.std(v, ddof=1)) for v in (a, b, dd))
    row.update(M_x=float(a.mean()), M_y=float(b.mean()), SD_x=sx, SD_y=sy,
               diff=float(dd.mean()), SD_diff=sd, df=n - 1)
    if sx > 0 and sy > 0:
        row["r_xy"] = float(np.corrcoef(a, b)[0, 1])
    if sd == 0:
        if dd.mean() == 0:
            notes.fail("all differences are zero")
        else:
            notes.fail("all differences are equal: t is undefined (infinite)")
        return frame([{**row, **notes.fields()}], PAIRED_COLUMNS)
    t = dd.mean() / (sd / np.sqrt(n))
    row.update(t=float(t), p=float(2 * stats.t.sf(abs(t), n - 1)), d=float(dd.mean() / sd),
               d_av=float(dd.mean() / ((sx + sy) / 2)) if sx + sy > 0 else np.nan)
    return frame([{**row, **notes.fields()}], PAIRED_COLUMNS)


# --------------------------------------------------------------------------------------------
# chi-square
# --------------------------------------------------------------------------------------------

def chi2_independence(data: pd.DataFrame, row: str, col: str, *,
                      correction: bool = False) -> pd.DataFrame:
    """Pearson chi-square test of independence of two categorical columns, with phi and V.

    Parameters
    ----------
    data : DataFrame
        One row per person.
    row, col : str
        The two categorical columns; people missing either are left out (counted in ``note``).
    correction : bool
        Yates's continuity correction for 2 x 2 tables (SPSS prints it as a separate row;
        the thesis reports the uncorrected Pearson chi-square, so the default is ``False``).

    Returns
    -------
    DataFrame
        One row: ``row, col, n, n_rows, n_cols, chi2, df, p, phi, V, correction,
        min_expected, cells_expected_lt5, pct_expected_lt5, fisher_p`` (2 x 2 only),
        ``status, note``.

    Notes
    -----
    :math:`\\chi^2 = \\sum (O-E)^2/E` with :math:`E_{ij} = R_i C_j / n`,
    df = (r - 1)(c - 1). Phi as SPSS reports it: for a 2 x 2 table the signed
    :math:`\\varphi = (ad - bc)/\\sqrt{(a+b)(c+d)(a+c)(b+d)}` (rows and columns in sorted
    order), otherwise :math:`\\sqrt{\\chi^2/n}`. Cramer's :math:`V = \\sqrt{\\chi^2/(n(\\min(r,c)-1))}`
    (equal to |phi| whenever one side has two levels). As SPSS, the note counts cells with
    expected count below 5; the status is ``warning`` when more than 20% of the cells, or any
    cell below 1, are so (Cochran 1954). Empty rows or columns are dropped before testing.

    References
    ----------
    Cochran, W. G. (1954). Some methods for strengthening the common chi-square tests.
    *Biometrics*, 10, 417-451.

    Validated against ``scipy.stats.chi2_contingency``, ``scipy.stats.contingency.association``
    and the 2 x 2 phi formula in ``tests/test_groups.py``.
    """
    require_frame(data)
    require_columns(data, [row, col])
    notes = Notes()
    both = data[row].notna() & data[col].notna()
    dropped = int((~both).sum())
    if dropped:
        notes.warn(f"{dropped} row(s) missing {row!r} or {col!r} left out")
    sub = data.loc[both, [row, col]]
    out = dict(row=row, col=col, n=int(len(sub)), correction=bool(correction))
    rl, _ = _levels(sub[row]) if len(sub) else ([], [])
    cl, _ = _levels(sub[col]) if len(sub) else ([], [])
    table = np.array([[int(((sub[row] == r) & (sub[col] == c)).sum()) for c in cl] for r in rl],
                     dtype=float).reshape(len(rl), len(cl))
    out.update(n_rows=len(rl), n_cols=len(cl))
    if len(sub) == 0:
        notes.fail("no observations")
    elif len(rl) < 2 or len(cl) < 2:
        notes.fail(f"a table needs two levels on each side; got {len(rl)} x {len(cl)}")
    if notes.failed:
        return frame([{**out, **notes.fields()}], CHI2_COLUMNS)
    n = table.sum()
    expected = np.outer(table.sum(1), table.sum(0)) / n
    r, c = table.shape
    dof = (r - 1) * (c - 1)
    if correction and dof == 1:
        dev = np.maximum(np.abs(table - expected) - 0.5, 0.0)
        chi2 = float((dev ** 2 / expected).sum())
    else:
        chi2 = float(((table - expected) ** 2 / expected).sum())
    lt5 = int((expected < 5).sum())
    pct = 100.0 * lt5 / expected.size
    if lt5:
        notes.warn(f"{lt5} cell(s) ({pct:.1f}%) have expected count less than 5 "
                   f"(minimum {expected.min():.2f})")
    if pct > 20 or expected.min() < 1:
        notes.warn("chi-square approximation doubtful (Cochran's rule)")
    v = np.sqrt(chi2 / (n * (min(r, c) - 1)))
    if (r, c) == (2, 2):
        (a, b), (cc, dd) = table
        den = np.sqrt(table.sum(1).prod() * table.sum(0).prod())
        phi = (a * dd - b * cc) / den
        out["fisher_p"] = float(stats.fisher_exact(table.astype(int)).pvalue)
    else:
        phi = np.sqrt(chi2 / n)
    out.update(chi2=chi2, df=dof, p=float(stats.chi2.sf(chi2, dof)), phi=float(phi), V=float(v),
               min_expected=float(expected.min()), cells_expected_lt5=lt5,
               pct_expected_lt5=pct)
    return frame([{**out, **notes.fields()}], CHI2_COLUMNS)


# --------------------------------------------------------------------------------------------
# MANOVA
# --------------------------------------------------------------------------------------------

def _listwise(data: pd.DataFrame, dvs: list[str], between: str) -> tuple[pd.DataFrame, int]:
    cols = {d: numeric(data, d) for d in dvs}
    sub = pd.DataFrame(cols, index=data.index)
    sub[between] = data[between]
    keep = sub.notna().all(axis=1)
    return sub[keep], int((~keep).sum())


def manova(data: pd.DataFrame, dvs: Sequence[str], between: str, *,
           tests: Sequence[str] = ("pillai", "wilks")) -> pd.DataFrame:
    """One-way MANOVA of several dependent variables (listwise), with partial eta squared.

    Parameters
    ----------
    data : DataFrame
        One row per person.
    dvs : list of str
        Dependent variables (the thesis: the four alliance scales). Only people with all of
        them and a group are analysed (listwise deletion, as SPSS GLM does).
    between : str
        Grouping column (two or more levels).
    tests : sequence of {"pillai", "wilks", "hotelling", "roy"}
        Multivariate test statistics to return (one row each).

    Returns
    -------
    DataFrame
        One row per test: ``dvs`` (names joined by "+"), ``between, test, value, F, df1, df2, p,
        eta2`` (partial eta squared as SPSS computes it for that test), ``n`` (listwise),
        ``k`` (groups), ``n_excluded`` (rows dropped for a missing value), ``status, note``.

    Notes
    -----
    Computed by ``statsmodels.multivariate.manova.MANOVA`` (intercept and treatment dummies;
    the hypothesis that the k - 1 group effects are zero, as ``from_formula("... ~ C(g)")``). With
    :math:`\\lambda_i` the eigenvalues of :math:`E^{-1}H` (H: between-groups, E: within-groups
    SSCP matrix), p dependent variables, :math:`q = k-1`, :math:`s = \\min(p, q)`:
    Pillai's :math:`V = \\sum \\lambda_i/(1+\\lambda_i)`, Wilks'
    :math:`\\Lambda = \\prod 1/(1+\\lambda_i)`; the F approximations are those of SAS/SPSS
    (Rao's F for Wilks). Partial eta squared as in SPSS GLM: Pillai :math:`V/s`, Wilks
    :math:`1-\\Lambda^{1/s}`, Hotelling-Lawley :math:`T/(T+s)`, Roy :math:`\\theta/(1+\\theta)`.
    Hotelling-Lawley's F uses statsmodels' (McKeon) df, which can differ from SPSS; Roy's F is
    an upper bound.

    A singular within-groups SSCP matrix (a constant dependent variable, or one that is a
    linear combination of the others such as a total score) gives ``not_computed``.

    References
    ----------
    Rencher, A. C. (2002). *Methods of multivariate analysis* (2nd ed.), ch. 6.

    Validated against a direct eigenvalue computation from the SSCP matrices (value, F, df,
    p for Pillai and Wilks) in ``tests/test_groups.py``.
    """
    from statsmodels.multivariate.manova import MANOVA

    require_frame(data)
    dvs = as_list(dvs)
    require_columns(data, dvs + [between])
    unknown = [t for t in tests if t not in _TESTS]
    if unknown:
        raise ValueError(f"unknown test(s) {unknown}; choose from {list(_TESTS)}")
    sub, n_excl = _listwise(data, dvs, between)
    notes = Notes()
    base = dict(dvs="+".join(dvs), between=between, n=len(sub), n_excluded=n_excl)
    lv, empty = _levels(sub[between]) if len(sub) else ([], [])
    base["k"] = len(lv)
    declared, _ = _levels(data[between])
    gone = [label(v) for v in declared if v not in lv] + [label(v) for v in empty]
    if gone:
        notes.warn(f"group(s) without complete cases left out: {', '.join(gone)}")
    p = len(dvs)
    if len(sub) == 0:
        notes.fail("no complete cases")
    elif len(lv) < 2:
        notes.fail("fewer than two groups with complete cases")
    elif len(sub) - len(lv) < p:
        notes.fail(f"too few complete cases: N - k = {len(sub) - len(lv)} < p = {p}")
    else:
        const = [d for d in dvs if np.ptp(sub[d].to_numpy()) == 0]
        if const:
            notes.fail(f"constant dependent variable(s): {const}")
        else:
            y = sub[dvs].to_numpy(float)
            gidx = _codes(sub[between], lv)
            means = np.vstack([y[gidx == j].mean(0) for j in range(len(lv))])
            resid = y - means[gidx]
            e = resid.T @ resid
            if np.linalg.matrix_rank(e, tol=1e-10 * max(1.0, np.abs(e).max())) < p:
                notes.fail("within-groups SSCP matrix is singular "
                           "(collinear dependent variables)")
    singles = [label(v) for v in lv if int((sub[between] == v).sum()) == 1]
    if singles:
        notes.warn(f"single-member group(s): {', '.join(singles)}")
    if notes.failed:
        return frame([{**base, "test": _TESTS[t], **notes.fields()} for t in tests],
                     MANOVA_COLUMNS)
    # intercept + treatment dummies; the hypothesis sets the k - 1 group effects to zero (what
    # ``MANOVA.from_formula("y0 + ... ~ C(g)")`` tests, without building the design with patsy)
    X = np.zeros((len(y), len(lv)))
    X[:, 0] = 1.0
    for j in range(1, len(lv)):
        X[:, j] = gidx == j
    res = MANOVA(y, X).mv_test([("C(g)", np.eye(len(lv))[1:])]).results["C(g)"]["stat"]
    s = min(p, len(lv) - 1)
    rows = []
    for t in tests:
        r = res.loc[_TESTS[t]]
        value = float(r["Value"])
        eta = {"pillai": value / s, "wilks": 1 - value ** (1 / s),
               "hotelling": value / (value + s), "roy": value / (1 + value)}[t]
        rows.append({**base, "test": _TESTS[t], "value": value, "F": float(r["F Value"]),
                     "df1": float(r["Num DF"]), "df2": float(r["Den DF"]),
                     "p": float(r["Pr > F"]), "eta2": float(eta), **notes.fields()})
    return frame(rows, MANOVA_COLUMNS)


# --------------------------------------------------------------------------------------------
# beyond the thesis: clustering and multiplicity
# --------------------------------------------------------------------------------------------

def group_difference_clustered(data: pd.DataFrame, dv: str | Iterable[str], between: str,
                               cluster: str, *,
                               methods: Sequence[str] = ("ols", "cr1", "mixedlm")
                               ) -> pd.DataFrame:
    """A group difference three ways: naive OLS, cluster-robust (CR1) OLS, random-intercept model.

    Clients are nested in officers. A one-way ANOVA treats every client as independent; when
    clients of the same officer resemble each other its standard errors are too small for
    between-officer characteristics. This function puts beside the naive estimate

    - ``cr1``: the same OLS estimates with cluster-robust (sandwich) standard errors, officer as
      cluster, Stata's CR1 small-sample factor, t and F tests with G - 1 denominator df;
    - ``mixedlm``: a linear mixed model with a random intercept per officer (REML), whose fixed
      effects re-weight the groups and whose Wald test is chi-square.

    Parameters
    ----------
    data : DataFrame
        One row per client.
    dv : str or list of str
        Dependent variable(s); each is analysed on its own complete cases.
    between : str
        Grouping column; the first level (sorted or category order) is the reference.
    cluster : str
        Cluster id (officer, ``po_id``); rows without one are left out with a note.
    methods : sequence of {"ols", "cr1", "mixedlm"}

    Returns
    -------
    DataFrame
        Per dv and method an ``omnibus`` row (all groups equal: ``test`` F or chi2,
        ``statistic, df1, df2, p``) and one row per contrast ``"<level> - <reference>"``
        (``estimate, SE, test`` t or z, ``statistic, df1`` (denominator df for t), ``p``);
        ``n, n_clusters, icc`` (mixedlm only: officer variance share of the residual
        variance, :math:`\\tau^2/(\\tau^2+\\sigma^2)`), ``status, note``.

    Notes
    -----
    OLS: :math:`y = X\\beta + e` with treatment dummies. CR1 covariance
    :math:`\\frac{G}{G-1}\\frac{N-1}{N-K}(X'X)^{-1}\\left(\\sum_g X_g'e_ge_g'X_g\\right)(X'X)^{-1}`
    (statsmodels ``cov_type="cluster"``). The naive omnibus F equals the one-way ANOVA F.
    Mixed model: ``statsmodels.MixedLM`` with a random intercept per cluster, REML, Wald
    chi-square over the contrasts; convergence or boundary warnings go to ``note``.
    Why both: CR1 keeps the ANOVA's estimand and only corrects its uncertainty (robust, but
    with G = 100-200 officers of 1-4 clients its df are G - 1); the mixed model also models
    the officer effect and gives the ICC that says how much the correction matters.

    References
    ----------
    Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to cluster-robust inference.
    *Journal of Human Resources*, 50, 317-372.

    Validated in ``tests/test_groups.py``: naive omnibus F against :func:`anova_oneway`, CR1
    standard errors against a hand sandwich computation, the mixed model against
    ``statsmodels.formula.api.mixedlm``.
    """
    import statsmodels.api as sm

    require_frame(data)
    dvs = as_list(dv)
    require_columns(data, dvs + [between, cluster])
    bad = [m for m in methods if m not in ("ols", "cr1", "mixedlm")]
    if bad:
        raise ValueError(f"unknown method(s) {bad}; choose from ols, cr1, mixedlm")
    rows = []
    for d in dvs:
        y_all = numeric(data, d)
        ok = y_all.notna() & data[between].notna() & data[cluster].notna()
        no_cluster = int((y_all.notna() & data[between].notna() & data[cluster].isna()).sum())
        sub = pd.DataFrame({"y": y_all[ok], "g": data.loc[ok, between],
                            "c": data.loc[ok, cluster]})
        lv, _ = _levels(sub["g"]) if len(sub) else ([], [])
        G = int(sub["c"].nunique())
        base = dict(dv=d, between=between, n=len(sub), n_clusters=G)
        pre = Notes()
        if no_cluster:
            pre.warn(f"{no_cluster} row(s) without a cluster id left out")
        if len(sub) == 0:
            pre.fail("no observations")
        elif len(lv) < 2:
            pre.fail("fewer than two groups with data")
        elif np.ptp(sub["y"].to_numpy()) == 0:
            pre.fail("dependent variable is constant")
        elif len(sub) - len(lv) < 1:
            pre.fail("no residual degrees of freedom")
        if pre.failed:
            for m in methods:
                rows.append({**base, "method": m, "term": "omnibus", **pre.fields()})
            continue
        labs = [label(v) for v in lv]
        codes = _codes(sub["g"], lv)
        X = np.zeros((len(sub), len(lv)))
        X[:, 0] = 1.0
        for j in range(1, len(lv)):
            X[:, j] = codes == j
        y = sub["y"].to_numpy(float)
        clusters = pd.factorize(sub["c"], sort=True)[0]
        R = np.eye(len(lv))[1:]
        contrasts = [f"{labs[j]} - {labs[0]}" for j in range(1, len(lv))]
        for m in methods:
            notes = Notes()
            for item in pre.items:
                notes.warn(item)
            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    if m == "ols":
                        fit = sm.OLS(y, X).fit()
                        wt = fit.f_test(R)
                        omni = dict(test="F", statistic=float(np.squeeze(wt.fvalue)),
                                    df1=float(wt.df_num), df2=float(wt.df_denom),
                                    p=float(wt.pvalue))
                        ctest, cdf = "t", float(fit.df_resid)
                    elif m == "cr1":
                        if G < 2:
                            raise _Skip("fewer than two clusters")
                        fit = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": clusters},
                                               use_t=True)
                        wt = fit.f_test(R)
                        omni = dict(test="F", statistic=float(np.squeeze(wt.fvalue)),
                                    df1=float(wt.df_num), df2=float(wt.df_denom),
                                    p=float(wt.pvalue))
                        ctest, cdf = "t", float(G - 1)
                        if G - 1 < len(lv) - 1:
                            notes.warn("fewer clusters than contrasts: the robust Wald test "
                                       "is rank-deficient")
                    else:
                        if G < 2:
                            raise _Skip("fewer than two clusters")
                        fit, refit = _fit_mixed(sm.MixedLM(y, X, groups=clusters))
                        if refit:
                            notes.warn("default optimiser failed; refitted with Powell's method")
                        caught.clear()
                        k = len(lv)
                        Rm = np.hstack([R, np.zeros((k - 1, 1))])
                        wt = fit.wald_test(Rm, scalar=True)
                        omni = dict(test="chi2", statistic=float(wt.statistic),
                                    df1=float(k - 1), df2=np.nan, p=float(wt.pvalue))
                        ctest, cdf = "z", np.nan
                        tau2 = float(np.asarray(fit.cov_re)[0, 0])
                        base_icc = tau2 / (tau2 + float(fit.scale))
                        if not fit.converged:
                            notes.warn("mixed model did not converge")
                        if tau2 < 1e-8:
                            notes.warn("officer variance estimated at zero (boundary)")
                for w in caught:
                    text = str(w.message).split("\n")[0]
                    notes.warn(f"{type(w.message).__name__}: {text}")
            except _Skip as exc:
                notes.fail(str(exc))
                rows.append({**base, "method": m, "term": "omnibus", **notes.fields()})
                continue
            except (np.linalg.LinAlgError, ValueError) as exc:
                notes.fail(f"{m} failed: {exc}")
                rows.append({**base, "method": m, "term": "omnibus", **notes.fields()})
                continue
            icc = base_icc if m == "mixedlm" else np.nan
            rows.append({**base, "method": m, "term": "omnibus", "icc": icc, **omni,
                         **notes.fields()})
            params = np.asarray(fit.params)[: len(lv)]
            bse = np.asarray(fit.bse)[: len(lv)]
            pvals = np.asarray(fit.pvalues)[: len(lv)]
            for j in range(1, len(lv)):
                rows.append({**base, "method": m, "term": contrasts[j - 1],
                             "estimate": float(params[j]), "SE": float(bse[j]), "test": ctest,
                             "statistic": float(params[j] / bse[j]), "df1": cdf,
                             "p": float(pvals[j]), "icc": icc, **notes.fields()})
    return frame(rows, CLUSTERED_COLUMNS)


def paired_difference_clustered(data: pd.DataFrame, x: str, y: str, cluster: str, *,
                                methods: Sequence[str] = ("ols", "cr1", "mixedlm")
                                ) -> pd.DataFrame:
    """The mean paired difference x - y three ways: naive, cluster-robust, random intercept.

    The dyad version of :func:`group_difference_clustered`: the client-officer difference of
    chapter 10 with dyads nested in officers.

    Parameters
    ----------
    data : DataFrame
        One row per pair (dyad).
    x, y : str
        The paired scores; the difference is x - y.
    cluster : str
        Cluster id (officer).
    methods : sequence of {"ols", "cr1", "mixedlm"}

    Returns
    -------
    DataFrame
        One row per method with the columns of :func:`group_difference_clustered`
        (``term = "mean difference"``, ``test`` t or z, ``df1`` its df).

    Notes
    -----
    ``ols`` is the intercept-only regression of D = x - y: its t equals the paired t-test's.
    ``cr1`` uses cluster-robust SEs (t with G - 1 df); ``mixedlm`` a random intercept per
    officer (REML; the fixed intercept weights officers by their number of dyads less than the
    plain mean does).

    Validated in ``tests/test_groups.py``: ``ols`` against :func:`ttest_paired`, ``cr1``
    against a hand sandwich.
    """
    require_frame(data)
    require_columns(data, [x, y, cluster])
    import statsmodels.api as sm

    bad = [m for m in methods if m not in ("ols", "cr1", "mixedlm")]
    if bad:
        raise ValueError(f"unknown method(s) {bad}; choose from ols, cr1, mixedlm")
    d = numeric(data, x) - numeric(data, y)
    frm = pd.DataFrame({"D": d, "c": data[cluster]})

    ok = frm["D"].notna() & frm["c"].notna()
    dv, cl = frm.loc[ok, "D"].to_numpy(float), pd.factorize(frm.loc[ok, "c"], sort=True)[0]
    n, G = len(dv), int(len(np.unique(cl)))
    rows = []
    for m in methods:
        notes = Notes()
        no_cl = int((frm["D"].notna() & frm["c"].isna()).sum())
        if no_cl:
            notes.warn(f"{no_cl} pair(s) without a cluster id left out")
        base = dict(dv=f"{x} - {y}", between="", method=m, term="mean difference", n=n,
                    n_clusters=G)
        if n < 2 or np.ptp(dv) == 0:
            notes.fail("fewer than two pairs" if n < 2 else "all differences are equal")
            rows.append({**base, **notes.fields()})
            continue
        if m != "ols" and G < 2:
            notes.fail("fewer than two clusters")
            rows.append({**base, **notes.fields()})
            continue
        X = np.ones((n, 1))
        icc = np.nan
        if m == "ols":
            fit = sm.OLS(dv, X).fit()
            test, df = "t", float(fit.df_resid)
        elif m == "cr1":
            fit = sm.OLS(dv, X).fit(cov_type="cluster", cov_kwds={"groups": cl}, use_t=True)
            test, df = "t", float(G - 1)
        else:
            fit, refit = _fit_mixed(sm.MixedLM(dv, X, groups=cl))
            if refit:
                notes.warn("default optimiser failed; refitted with Powell's method")
            tau2 = float(np.asarray(fit.cov_re)[0, 0])
            icc = tau2 / (tau2 + float(fit.scale))
            if tau2 < 1e-8:
                notes.warn("officer variance estimated at zero (boundary)")
            test, df = "z", np.nan
        est, se = float(np.asarray(fit.params)[0]), float(np.asarray(fit.bse)[0])
        rows.append({**base, "estimate": est, "SE": se, "test": test, "statistic": est / se,
                     "df1": df, "p": float(np.asarray(fit.pvalues)[0]), "icc": icc,
                     **notes.fields()})
    return frame(rows, CLUSTERED_COLUMNS)


class _Skip(Exception):
    pass


def _fit_mixed(model):
    """REML fit of a statsmodels MixedLM; when the default gradient optimisers fail (typical
    when the officer variance lies on the boundary, zero), refit with Powell's derivative-free
    method and keep whichever converged fit has the higher REML log-likelihood.

    Returns (fit, refitted)."""
    with warnings.catch_warnings(record=True) as first:
        warnings.simplefilter("always")
        try:
            fit = model.fit(reml=True)
        except (np.linalg.LinAlgError, ValueError):
            fit = None
    if fit is not None and fit.converged and not first:
        return fit, False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alt = model.fit(reml=True, method=["powell"])
    if fit is None or not fit.converged or (alt.converged and alt.llf >= fit.llf):
        return alt, fit is None or not fit.converged or alt.llf > fit.llf + 1e-9
    return fit, False


def adjust_pvalues(p, method: str = "fdr_bh", *, column: str = "p",
                   family: str | Sequence[str] | None = None, alpha: float = 0.05):
    """Multiplicity-adjusted p-values over a table of tests (FDR or family-wise).

    Parameters
    ----------
    p : array-like or DataFrame
        Raw p-values, or a table of tests with the p-values in ``column``.
    method : {"fdr_bh", "holm", "bonferroni", "fdr_by", ...}
        Any method of ``statsmodels.stats.multitest.multipletests``: ``"fdr_bh"``
        (Benjamini-Hochberg false discovery rate) or ``"holm"`` (Holm's family-wise error
        rate) are the usual choices.
    column : str
        The p-value column when ``p`` is a DataFrame.
    family : str or list of str, optional
        Columns that define families of tests (adjust within each, e.g. per chapter section).
    alpha : float
        Level for the ``reject`` column.

    Returns
    -------
    ndarray or DataFrame
        For array input, the adjusted p-values (NaN stays NaN). For a DataFrame, a copy with
        ``p_adj`` (the adjusted p), ``reject`` (p_adj < alpha) and ``m`` (tests in the family)
        added.

    Notes
    -----
    NaN p-values (tests that were not computed) are not counted among the m tests and stay
    NaN. Holm: :math:`p_{(i)}^{adj} = \\max_{j \\le i} \\min(1, (m-j+1)p_{(j)})`;
    Benjamini-Hochberg: :math:`p_{(i)}^{adj} = \\min_{j \\ge i} \\min(1, m p_{(j)}/j)`.

    References
    ----------
    Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B*, 57,
    289-300. Holm, S. (1979). A simple sequentially rejective multiple test procedure.
    *Scandinavian Journal of Statistics*, 6, 65-70.

    Validated against the formulas above computed by hand in ``tests/test_groups.py``.
    """
    from statsmodels.stats.multitest import multipletests

    def _adj(values: np.ndarray) -> tuple[np.ndarray, int]:
        values = np.asarray(values, dtype=float)
        out = np.full(values.shape, np.nan)
        ok = ~np.isnan(values)
        if ok.any():
            if ((values[ok] < 0) | (values[ok] > 1)).any():
                raise ValueError("p-values must lie in [0, 1]")
            out[ok] = multipletests(values[ok], alpha=alpha, method=method)[1]
        return out, int(ok.sum())

    if not isinstance(p, pd.DataFrame):
        return _adj(np.asarray(p, dtype=float))[0]
    require_columns(p, [column])
    out = p.copy()
    out["p_adj"] = np.nan
    out["m"] = 0
    if family is None:
        groups = [(None, out.index)]
    else:
        fam = as_list(family)
        require_columns(p, fam)
        by = fam[0] if len(fam) == 1 else fam
        groups = list(out.groupby(by, sort=False, dropna=False).groups.items())
    for _, idx in groups:
        adj, m = _adj(out.loc[idx, column].to_numpy(dtype=float))
        out.loc[idx, "p_adj"] = adj
        out.loc[idx, "m"] = m
    out["reject"] = out["p_adj"] < alpha
    return out


# --------------------------------------------------------------------------------------------
# the thesis recipe
# --------------------------------------------------------------------------------------------

def anova_by_scales(data: pd.DataFrame, between: str, *, scales: Sequence[str] = SCALES,
                    extra: Sequence[str] = ("total",), cluster: str | None = None,
                    cluster_methods: Sequence[str] = ("ols", "cr1", "mixedlm"),
                    welch: bool | str = False, descriptives: bool = True) -> pd.DataFrame:
    """The thesis's recipe for one background variable: MANOVA first, then per-scale tests.

    1. MANOVA over ``scales`` (listwise): Pillai's trace and Wilks' lambda (``analysis =
       "manova"``), and the univariate F of each scale on that same listwise sample
       (``"manova_univariate"``; SPSS's "Tests of Between-Subjects Effects", which the thesis
       reports with the MANOVA's df, e.g. F(1, 171) in ch. 8.9.4).
    2. One-way ANOVA of each scale and of each ``extra`` score, pairwise (``"anova"``); with
       two groups also the t-test with Cohen's d (``"ttest"``).
    3. Group descriptives n, M, SD (pairwise, ``"descriptives"``).
    4. When ``cluster`` is given: :func:`group_difference_clustered` for every score
       (``"clustered"``).

    Parameters
    ----------
    data : DataFrame
        One row per person with the score columns and ``between``.
    between : str
        The background variable.
    scales : sequence of str
        The dependent variables of the MANOVA (the four alliance scales).
    extra : sequence of str
        Further scores tested one by one but kept out of the MANOVA (the total is nearly a
        linear combination of the scales and would make the SSCP matrix near-singular).
        Columns absent from ``data`` are skipped with a note row.
    cluster : str, optional
        Cluster column (officer id) for the beyond-the-thesis comparison.
    cluster_methods : sequence of {"ols", "cr1", "mixedlm"}
        Passed to :func:`group_difference_clustered` (``("cr1",)`` when many variables are
        screened and the mixed model's fitting time matters).
    welch : bool or "levene"
        Passed to :func:`ttest_ind`.
    descriptives : bool
        Include the group descriptives.

    Returns
    -------
    DataFrame
        Long rows ``analysis, dv, between, term, statistic, value, status, note``. ``term``
        is the test for MANOVA rows ("Pillai's trace", "Wilks' lambda"), the level for
        descriptives (``"<between>=<level>"``), ``"<method>:<term>"`` for clustered rows and
        empty otherwise. ``statistic`` uses the published names (F, df1, df2, p, eta2, t, df, d,
        n, M, SD, ...).

    Notes
    -----
    The thesis notes where the MANOVA is not significant but an ANOVA is; the rows let a
    chapter do the same (compare the MANOVA p with the per-scale p).
    """
    require_frame(data)
    scales = as_list(scales)
    require_columns(data, scales + [between] + ([cluster] if cluster else []))
    present_extra = [e for e in extra if e in data.columns]
    missing_extra = [e for e in extra if e not in data.columns]
    dvs = scales + present_extra
    parts = []
    mv = manova(data, scales, between)
    mv_long = long(mv.assign(analysis="manova", dv=mv["dvs"], term=mv["test"]),
                   ["analysis", "dv", "between", "term"], ["value", "F", "df1", "df2", "p",
                                                           "eta2", "n"])
    parts.append(mv_long)
    sub, _ = _listwise(data, scales, between)
    uni = anova_oneway(sub, scales, between)
    parts.append(long(uni.assign(analysis="manova_univariate", term=""),
                      ["analysis", "dv", "between", "term"],
                      ["F", "df1", "df2", "p", "eta2", "n"]))
    an = anova_oneway(data, dvs, between)
    parts.append(long(an.assign(analysis="anova", term=""), ["analysis", "dv", "between", "term"],
                      ["F", "df1", "df2", "p", "eta2", "n"]))
    if len(_levels(data[between])[0]) == 2:
        tt = ttest_ind(data, dvs, between, welch=welch)
        parts.append(long(tt.assign(analysis="ttest", term=""),
                          ["analysis", "dv", "between", "term"],
                          ["t", "df", "p", "d", "n1", "n2"]))
    if descriptives:
        ds = group_descriptives(data, dvs, between)
        ds = ds.assign(analysis="descriptives", term=between + "=" + ds["level"].astype(str),
                       status=OK, note="")
        parts.append(long(ds, ["analysis", "dv", "between", "term"], ["n", "M", "SD"]))
    if cluster:
        cl = group_difference_clustered(data, dvs, between, cluster, methods=cluster_methods)
        cl = cl.assign(analysis="clustered", term=cl["method"] + ":" + cl["term"])
        cl = long(cl, ["analysis", "dv", "between", "term"],
                  ["estimate", "SE", "statistic", "df1", "df2", "p", "n", "n_clusters", "icc"])
        parts.append(cl[cl["value"].notna() | (cl["status"] == NOT_COMPUTED)])
    for e in missing_extra:
        parts.append(pd.DataFrame([dict(analysis="anova", dv=e, between=between, term="",
                                        statistic="F", value=np.nan, status=NOT_COMPUTED,
                                        note=f"column {e!r} not in the data")]))
    out = pd.concat(parts, ignore_index=True)
    return out[LONG_COLUMNS]
