"""Shared plumbing of the chapter tables: run one test on the analysis frame, emit ledger rows.

A *recipe* names one published result: where it is printed (ref, section), on whom
(perspective, wave), the test and its variables, and the level labels the thesis uses. The
functions here run the test with :mod:`wagk.groups` / :mod:`wagk.association` on the rows of
:func:`wagk.background.analysis_frame` and return ledger rows (:data:`wagk.ledger.COLUMNS`)
with the thesis's keys. They never read published numbers.

Conventions (documented once, used everywhere):

- Correlations in the running text print a number in parentheses, ``rS(259)``. Where it can be
  checked (``r(266)`` with 267 dyads, ``rS(272)`` with 272 officer trust scores) it is the
  number of pairs, so the statistic ``df`` of a text correlation is n.
- t-tests: ``t`` is signed level1 minus level2 (the recipe's order); where the thesis prints
  only positive t values for comparisons whose means go either way (ch. 8.9.2) the recipe asks
  for |t|. Cohen's d is reported as |d| (as printed).
- phi of a table larger than 2 x 2 is sqrt(chi2 / n) (what SPSS labels phi).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wagk import association, groups
from wagk.ledger import COLUMNS as LEDGER_COLUMNS


def row(ref, section, perspective, wave, analysis, variable, group, statistic, value) -> dict:
    v = np.nan if value is None else value
    try:
        v = float(v)
    except (TypeError, ValueError):
        v = np.nan
    return dict(ref=ref, section=section, perspective=perspective, wave=str(wave), analysis=analysis,
                variable=variable, group=group, statistic=statistic, value=v)


def frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=LEDGER_COLUMNS)


@dataclass(frozen=True)
class Where:
    """Where a result is printed and about whom."""

    ref: str
    section: str
    perspective: str
    wave: str

    def row(self, analysis, variable, group, statistic, value) -> dict:
        return row(self.ref, self.section, self.perspective, self.wave, analysis, variable, group,
                   statistic, value)


def subset(data: pd.DataFrame, flags: tuple[str, ...] = (), columns: list[str] | None = None) -> pd.DataFrame:
    """Rows where every flag column is true (e.g. ``("in_client_w2",)``); only ``columns`` when
    given (cheaper than copying all of a wide frame's columns)."""
    keep = _keep(data, flags)
    if columns is not None:
        data = data[list(dict.fromkeys(columns))]
    return data if keep is None else data[keep]


def _keep(data: pd.DataFrame, flags: tuple[str, ...]) -> np.ndarray | None:
    """Boolean mask of the rows where every flag column is true (None: no flags, all rows)."""
    if not flags:
        return None
    keep = np.ones(len(data), bool)
    for f in flags:
        keep &= data[f].to_numpy(dtype=bool)
    return keep


def column_values(data: pd.DataFrame, column: str, flags: tuple[str, ...] = (), dtype=None) -> np.ndarray:
    """One column as a numpy array, on the rows where every flag is true: what a test reads,
    without copying the frame's hundreds of other columns (a chapter runs hundreds of tests)."""
    v = data[column].to_numpy(dtype=dtype)
    keep = _keep(data, flags)
    return v if keep is None else v[keep]


# ------------------------------------------------------------------------------------------
# group comparisons
# ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GroupTest:
    """One group comparison of one score.

    dv, by        columns of the analysis frame
    variable      ledger name of the score (e.g. "trust")
    group         ledger group of the test rows (e.g. "risc_category", "outcome=no_show")
    levels        code -> ledger level label; codes outside are left out of the test
    prefix        descriptive rows are "<prefix>=<label>" (default: ``group``)
    show          labels whose M and SD the thesis prints
    analysis      "anova" (F, df1, df2, p, eta2), "ttest" (t, df, p, d) or "manova" (the ANOVA
                  of a scale reported where the thesis's MANOVA was significant: same numbers)
    stats         which test statistics the thesis prints
    flags         analysis-frame membership the test is restricted to
    order         for t-tests: (label1, label2); t = M1 - M2
    abs_t         print |t|
    desc_analysis analysis name of the M/SD rows ("descriptives"; "abs_diff" in ch. 10)
    """

    dv: str
    by: str
    variable: str
    group: str
    levels: dict
    prefix: str | None = None
    show: tuple = ()
    analysis: str = "anova"
    stats: tuple = ("F", "df1", "df2", "p", "eta2")
    flags: tuple = ()
    order: tuple = ()
    abs_t: bool = False
    welch: bool = False
    desc_analysis: str = "descriptives"
    desc_stats: tuple = ("M", "SD")


def _grouped(data: pd.DataFrame, t: GroupTest) -> pd.DataFrame:
    sub = subset(data, t.flags, [t.dv, t.by])
    g = sub[t.by].map(t.levels)
    cats = [lab for lab in dict.fromkeys(t.levels.values())]
    return pd.DataFrame({"y": sub[t.dv].astype(float),
                         "g": pd.Categorical(g, categories=cats, ordered=True)}, index=sub.index)


def _level_values(data: pd.DataFrame, t: GroupTest) -> tuple[list, list]:
    """(levels, values): per level of ``t.levels`` (in its order, each label once) the array of
    non-missing scores of the people in that level. The same groups as
    :func:`wagk.groups.group_descriptives` and :func:`wagk.groups.anova_oneway` form from
    :func:`_grouped`, without building their frames (a recipe runs hundreds of tests)."""
    y = column_values(data, t.dv, t.flags, dtype=float)
    by = column_values(data, t.by, t.flags)
    cats = list(dict.fromkeys(t.levels.values()))
    ok = ~np.isnan(y)
    out = []
    for lab in cats:
        member = np.zeros(len(by), dtype=bool)
        for code, lv in t.levels.items():
            if lv == lab:
                member |= by == code
        out.append(y[member & ok])
    return cats, out


def group_rows(data: pd.DataFrame, where: Where, t: GroupTest) -> list[dict]:
    out = []
    prefix = t.prefix or t.group
    if t.analysis != "ttest":
        # descriptives and the one-way ANOVA from the level arrays, with wagk.groups' own
        # computations (_describe, _anova_row); equal to the frame route below (tests/test_recipes_fast.py)
        cats, arrays = _level_values(data, t)
        labels = [groups.label(c) for c in cats]
        if t.show:
            desc = {lab: groups._describe(a) for lab, a in zip(labels, arrays)}
            for lab in t.show:
                for s in t.desc_stats:
                    out.append(where.row(t.desc_analysis, t.variable, f"{prefix}={lab}", s,
                                         desc[lab][s] if lab in desc else np.nan))
        if not t.stats:
            return out
        notes = groups.Notes()
        kept = [(lab, a) for lab, a in zip(labels, arrays) if len(a)]
        res = groups._anova_row("y", "g", [k[0] for k in kept], [k[1] for k in kept], notes)
        vals = dict(F=res.get("F"), df1=res.get("df1"), df2=res.get("df2"), p=res.get("p"), eta2=res.get("eta2"),
                    n=res.get("n"))
        vals = {k: (np.nan if v is None else v) for k, v in vals.items()}
        for s in t.stats:
            out.append(where.row(t.analysis, t.variable, t.group, s, vals.get(s)))
        return out
    d = _grouped(data, t)
    if t.show:
        desc = groups.group_descriptives(d, "y", "g").set_index("level")
        for lab in t.show:
            for s in t.desc_stats:
                val = desc.loc[lab, s] if lab in desc.index else np.nan
                out.append(where.row(t.desc_analysis, t.variable, f"{prefix}={lab}", s, val))
    if not t.stats:
        return out
    lv = list(t.order) if t.order else None
    dd = d.dropna()
    if lv:
        dd = dd[dd["g"].isin(lv)]
        dd["g"] = pd.Categorical(dd["g"].astype(str), categories=lv)
    res = groups.ttest_ind(dd, "y", "g", welch=t.welch).iloc[0]
    vals = dict(t=abs(res["t"]) if t.abs_t else res["t"], df=res["df"], p=res["p"], d=abs(res["d"]),
                n=res["n1"] + res["n2"] if pd.notna(res["n1"]) else np.nan)
    for s in t.stats:
        out.append(where.row(t.analysis, t.variable, t.group, s, vals.get(s)))
    return out


# ------------------------------------------------------------------------------------------
# correlations
# ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CorrTest:
    """One correlation of a score with another variable.

    x, y          columns (x: the score)
    variable      ledger name of x; group: ledger name of y
    method        "spearman" (statistic rs) or "pearson" (r)
    stats         e.g. ("rs", "n", "p") for a table cell, ("rs", "df", "p") for running text
                  (df = n, see the module docstring)
    """

    x: str
    y: str
    variable: str
    group: str
    method: str = "spearman"
    stats: tuple = ("rs", "n", "p")
    flags: tuple = ()
    analysis: str | None = None


def corr_rows(data: pd.DataFrame, where: Where, t: CorrTest) -> list[dict]:
    # association.correlation's row (_corr_row) without its one-row frame
    res = association._corr_row(column_values(data, t.x, t.flags, dtype=float),
                                column_values(data, t.y, t.flags, dtype=float),
                                "x", "y", t.method, 0.95)
    vals = dict(r=res.get("r", np.nan), rs=res.get("r", np.nan), n=res["n"], df=res["n"], p=res.get("p", np.nan))
    analysis = t.analysis or ("spearman" if t.method == "spearman" else "correlation")
    return [where.row(analysis, t.variable, t.group, s, vals.get(s)) for s in t.stats]


# ------------------------------------------------------------------------------------------
# chi-square
# ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChiTest:
    """A chi-square test of independence of two coded columns."""

    row: str
    col: str
    variable: str
    group: str
    stats: tuple = ("chi2", "df", "p", "phi")
    flags: tuple = ()
    row_levels: dict | None = None
    col_levels: dict | None = None


def chi_rows(data: pd.DataFrame, where: Where, t: ChiTest) -> list[dict]:
    sub = subset(data, t.flags, [t.row, t.col])
    a = sub[t.row].map(t.row_levels) if t.row_levels else sub[t.row]
    b = sub[t.col].map(t.col_levels) if t.col_levels else sub[t.col]
    d = pd.DataFrame({"a": a, "b": b}).dropna()
    res = groups.chi2_independence(d, "a", "b").iloc[0]
    vals = dict(chi2=res["chi2"], df=res["df"], p=res["p"], phi=res["phi"], V=res["V"], n=res["n"])
    return [where.row("chi2", t.variable, t.group, s, vals.get(s)) for s in t.stats]


def needed_columns(t) -> tuple[str, ...]:
    """The analysis-frame columns a test reads."""
    if isinstance(t, GroupTest):
        return (t.dv, t.by) + tuple(t.flags)
    if isinstance(t, CorrTest):
        return (t.x, t.y) + tuple(t.flags)
    if isinstance(t, ChiTest):
        return (t.row, t.col) + tuple(t.flags)
    raise TypeError(f"unknown test {t!r}")


def _absent_rows(where: Where, t) -> list[dict]:
    """The rows a test would give, with empty values: the dataset lacks a column it needs (the
    reproduction report counts them as not computed; :func:`missing_columns` says which)."""
    if isinstance(t, GroupTest):
        prefix = t.prefix or t.group
        out = [where.row(t.desc_analysis, t.variable, f"{prefix}={lab}", s, np.nan) for lab in t.show
               for s in t.desc_stats]
        return out + [where.row(t.analysis, t.variable, t.group, s, np.nan) for s in t.stats]
    if isinstance(t, CorrTest):
        analysis = t.analysis or ("spearman" if t.method == "spearman" else "correlation")
        return [where.row(analysis, t.variable, t.group, s, np.nan) for s in t.stats]
    return [where.row("chi2", t.variable, t.group, s, np.nan) for s in t.stats]


def missing_columns(recipes: list, data: pd.DataFrame) -> dict[str, list[str]]:
    """ref -> the columns its tests need that ``data`` lacks (only refs with some missing)."""
    out: dict[str, list[str]] = {}
    for r in recipes:
        gone = [c for t in r.tests for c in needed_columns(t) if c not in data.columns]
        if gone:
            out[r.where.ref] = list(dict.fromkeys(gone))
    return out


@dataclass
class Recipe:
    """A published result: where + a list of tests."""

    where: Where
    tests: list = field(default_factory=list)

    def rows(self, data: pd.DataFrame) -> list[dict]:
        out = []
        for t in self.tests:
            if any(c not in data.columns for c in needed_columns(t)):
                out += _absent_rows(self.where, t)
            elif isinstance(t, GroupTest):
                out += group_rows(data, self.where, t)
            elif isinstance(t, CorrTest):
                out += corr_rows(data, self.where, t)
            elif isinstance(t, ChiTest):
                out += chi_rows(data, self.where, t)
            else:
                raise TypeError(f"unknown test {t!r}")
        return out


def run(recipes: list[Recipe], data: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for r in recipes:
        rows += r.rows(data)
    return frame(rows)
