"""Tables in the thesis's layout, built from tidy ledger rows.

The analysis writes one row per number (:mod:`wagk.ledger`); a reader wants the table as the
thesis printed it: ``.36***`` with the n below, ``5.43 (1.02)``, decimals without a leading
zero where a statistic cannot exceed 1. These functions only format and pivot: every number
they show is a ledger value, so the displayed table and the reproduction report cannot differ.

Examples
--------
>>> stars(0.003)
'**'
>>> fmt(0.3612, 2, leading_zero=False)
'.36'
>>> cell(-0.38, 0.0001)
'-.38***'
>>> m_sd(5.4312, 1.024)
'5.43 (1.02)'
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import pandas as pd

#: significance levels and their stars, most significant first (the thesis's table notes)
LEVELS = ((0.001, "***"), (0.01, "**"), (0.05, "*"))
DASH = "\u2013"


def stars(p, levels: Sequence[tuple[float, str]] = LEVELS, top: int = 3) -> str:
    """Stars for a p-value: '' (p >= .05), '*', '**' or '***'.

    ``top`` caps the number of stars (tables whose note stops at ``**p < .01`` print at most
    two). NaN gives ''.
    """
    if p is None or (isinstance(p, float) and math.isnan(p)) or pd.isna(p):
        return ""
    for bound, mark in levels:
        if p < bound:
            return mark[:top] if len(mark) > top else mark
    return ""


def fmt(x, decimals: int = 2, *, leading_zero: bool = True) -> str:
    """A number with fixed decimals; '' for NaN; '.36' instead of '0.36' when ``leading_zero`` is False."""
    if x is None or pd.isna(x):
        return ""
    text = f"{float(x):.{decimals}f}"
    if text.startswith("-0.") and float(text) == 0:
        text = text[1:]
    if not leading_zero:
        text = text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text
    return text


def cell(value, p=None, decimals: int = 2, *, leading_zero: bool = False, top: int = 3) -> str:
    """A coefficient with its stars, as the thesis prints correlations: ``.36***``."""
    text = fmt(value, decimals, leading_zero=leading_zero)
    return text + (stars(p, top=top) if text else "")


def m_sd(m, sd, decimals: int = 2) -> str:
    """``M (SD)``: '5.43 (1.02)'; '' when the mean is missing."""
    if m is None or pd.isna(m):
        return ""
    return f"{fmt(m, decimals)} ({fmt(sd, decimals)})"


def p_text(p) -> str:
    """A p-value as printed: '<.001' below .001, else three decimals without the leading zero."""
    if p is None or pd.isna(p):
        return ""
    return "<.001" if p < 0.001 else fmt(p, 3, leading_zero=False)


def count(n) -> str:
    """An integer count, '' for NaN."""
    return "" if n is None or pd.isna(n) else f"{int(round(float(n)))}"


def _wide(rows: pd.DataFrame, index: Sequence[str], columns: Sequence[str]) -> pd.DataFrame:
    """Ledger rows -> one column per statistic, indexed by ``index + columns``."""
    keys = list(index) + list(columns)
    return rows.drop_duplicates(keys + ["statistic"]).set_index(keys + ["statistic"])["value"].unstack("statistic")


def _order(frame: pd.DataFrame, level: str, order: Sequence | None, axis: int = 0) -> pd.DataFrame:
    if order is None:
        return frame
    idx = frame.index if axis == 0 else frame.columns
    if isinstance(idx, pd.MultiIndex):
        present = [o for o in order if o in idx.get_level_values(level)]
        return frame.reindex(present, level=level, axis=axis)
    present = [o for o in order if o in idx]
    return frame.reindex(present, axis=axis)


def coefficient_table(rows: pd.DataFrame, *, row: str = "variable", col: Sequence[str] = ("perspective", "wave"),
                      value: str = "r", p: str | None = "p", n: str | None = "n", decimals: int = 2,
                      row_order: Sequence | None = None, labels: Mapping | None = None,
                      top: int = 3, n_rows: bool = True) -> pd.DataFrame:
    """A coefficient per cell with stars and (optionally) its n on a line below, thesis style.

    Parameters
    ----------
    rows : DataFrame
        Ledger rows of one table (e.g. Spearman rS of each scale with the grade).
    row, col : str, sequence of str
        Ledger columns that become the table's rows and (possibly nested) columns.
    value, p, n : str
        Statistics holding the coefficient, its p-value and its n (None to leave out).
    n_rows : bool
        True: each row variable gets a second line with the n's (as Tables 7-13 print them);
        False: the n's are left out of the display.
    labels : mapping, optional
        Display names of the row variables.
    top : int
        Most stars printed (2 for tables whose note stops at ``**p < .01``).

    Returns
    -------
    DataFrame
        Strings; index (row variable, 'r'/'n') when ``n_rows``.
    """
    col = [col] if isinstance(col, str) else list(col)
    wide = _wide(rows, [row], col)
    coef = pd.Series([cell(r.get(value), r.get(p) if p else None, decimals, top=top) for _, r in wide.iterrows()],
                     index=wide.index).unstack(col)
    coef = _order(coef, row, row_order)
    if not (n_rows and n):
        return coef.rename(index=labels or {})
    ns = pd.Series([count(r.get(n)) for _, r in wide.iterrows()], index=wide.index).unstack(col)
    ns = ns.reindex(index=coef.index, columns=coef.columns)
    parts = []
    for var in coef.index:
        parts.append(coef.loc[[var]].set_axis([(var, value)], axis=0))
        parts.append(ns.loc[[var]].set_axis([(var, "n")], axis=0))
    out = pd.concat(parts)
    out.index = pd.MultiIndex.from_tuples(out.index, names=[row, ""])
    return out.rename(index=labels or {}, level=0)


def triangle_table(rows: pd.DataFrame, variables: Sequence[str], *, waves: Sequence = ("1", "2"),
                   labels: Mapping | None = None, decimals: int = 2, top: int = 3) -> pd.DataFrame:
    """The lower triangle of a correlation table with the waves side by side (Tables 7 and 8).

    ``rows`` hold Pearson ``r``, ``p`` and ``n`` per pair: ``variable`` the earlier scale,
    ``group`` the later one. Rows of the result: (later scale, 'r'/'n'); columns: (earlier
    scale, wave). Empty strings where the thesis leaves a cell empty.
    """
    labels = labels or {}
    wide = _wide(rows, ["group", "variable"], ["wave"])
    cols = pd.MultiIndex.from_tuples([(labels.get(v, v), f"M{w}") for v in variables[:-1] for w in waves],
                                     names=["", "wave"])
    out_rows, index = [], []
    for j, later in enumerate(variables[1:], start=1):
        rline, nline = [], []
        for earlier in variables[:-1]:
            for w in waves:
                key = (later, earlier, str(w))
                if variables.index(earlier) < j and key in wide.index:
                    r = wide.loc[key]
                    rline.append(cell(r.get("r"), r.get("p"), decimals, top=top))
                    nline.append(count(r.get("n")))
                else:
                    rline.append("")
                    nline.append("")
        out_rows += [rline, nline]
        index += [(labels.get(later, later), "r"), (labels.get(later, later), "n")]
    return pd.DataFrame(out_rows, index=pd.MultiIndex.from_tuples(index, names=["", ""]), columns=cols)


def fit_table(rows: pd.DataFrame, *, columns: Sequence[str] = ("perspective", "wave", "group"),
              statistics: Sequence[str] = ("CMIN", "df", "CFI", "RMSEA", "n"), top: int = 3) -> pd.DataFrame:
    """CFA fit rows (Tables 3 and 5) as the thesis prints them: CMIN with stars, CFI .87, RMSEA .053."""
    cols = list(columns)
    wide = _wide(rows, [], cols)
    out = {}
    for key, r in wide.iterrows():
        key = key if isinstance(key, tuple) else (key,)
        vals = {}
        for s in statistics:
            v = r.get(s)
            if s == "CMIN":
                vals[s] = (fmt(v, 2) + stars(r.get("p"), top=top)) if pd.notna(v) else ""
            elif s in ("CFI", "TLI"):
                vals[s] = fmt(v, 2, leading_zero=False)
            elif s == "RMSEA":
                vals[s] = fmt(v, 3, leading_zero=False)
            elif s in ("df", "n"):
                vals[s] = count(v)
            elif s == "p":
                vals[s] = p_text(v)
            else:
                vals[s] = fmt(v, 3)
        out[key] = vals
    table = pd.DataFrame(out)
    table.columns.names = cols
    return table.reindex(list(statistics))


def value_table(rows: pd.DataFrame, *, row: str | Sequence[str] = "variable",
                col: Sequence[str] = ("perspective", "wave"), statistic: str = "alpha",
                decimals: int = 2, leading_zero: bool = False, row_order: Sequence | None = None,
                labels: Mapping | None = None) -> pd.DataFrame:
    """One statistic per cell (alphas of Table 4, loadings of Table 6), formatted."""
    row = [row] if isinstance(row, str) else list(row)
    col = [col] if isinstance(col, str) else list(col)
    sub = rows[rows["statistic"] == statistic]
    wide = sub.pivot_table(index=row, columns=col, values="value", aggfunc="first")
    wide = wide.map(lambda v: fmt(v, decimals, leading_zero=leading_zero))
    wide = wide.fillna("/")
    if row_order is not None:
        wide = _order(wide, row[0], row_order)
    if labels:
        wide = wide.rename(index=labels)
    return wide


def to_html(frame: pd.DataFrame, caption: str | None = None) -> str:
    """A plain HTML table for the book, cell text escaped ('<.001' stays text)."""
    styler = (frame.style.format(escape="html").format_index(escape="html", axis=0)
              .format_index(escape="html", axis=1))
    if caption:
        styler = styler.set_caption(caption)
    return styler.to_html()


def nan_to_dash(frame: pd.DataFrame) -> pd.DataFrame:
    """Replace NaN by an en dash for display."""
    return frame.astype(object).where(frame.notna(), DASH)


__all__ = ["stars", "fmt", "cell", "m_sd", "p_text", "count", "coefficient_table", "triangle_table", "fit_table",
           "value_table", "to_html", "nan_to_dash", "LEVELS"]

