"""Shared plumbing of the statistics modules: input checks, group levels, status notes.

Every statistics function of ``wagk`` returns a tidy DataFrame with two bookkeeping columns:

status  ``ok`` (computed, nothing to report), ``warning`` (computed, but read ``note``) or
        ``not_computed`` (the statistics are NaN; ``note`` says why)
note    plain-language reasons, ``"; "``-separated, empty when there is nothing to say

Bad *input* (a column that does not exist, text in a numeric column) raises ``ValueError``
naming the column and the first offending rows. Statistical edge cases (an empty group, a
constant variable, too few cases) are not errors: they come back as rows with a status.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

OK, WARNING, NOT_COMPUTED = "ok", "warning", "not_computed"
STATUSES = (OK, WARNING, NOT_COMPUTED)


def as_list(names: str | Iterable[str]) -> list[str]:
    """A column name or a sequence of names as a list."""
    if isinstance(names, str):
        return [names]
    out = list(names)
    if not out:
        raise ValueError("an empty list of columns was given")
    return out


def require_frame(data, what: str = "data") -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{what} must be a pandas DataFrame, got {type(data).__name__}")
    return data


def require_columns(data: pd.DataFrame, columns: Sequence[str]) -> None:
    """Raise ``ValueError`` naming every requested column that ``data`` lacks."""
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not in the data; available: {list(data.columns)}")
    dup = [c for c in set(columns) if list(data.columns).count(c) > 1]
    if dup:
        raise ValueError(f"column(s) {dup} occur more than once in the data")


def numeric(data: pd.DataFrame, column: str) -> pd.Series:
    """The column as float; text that is not a number raises ``ValueError`` naming the rows.

    Missing values (NaN, None, pd.NA) stay missing; booleans become 0/1.
    """
    s = data[column]
    if pd.api.types.is_bool_dtype(s):
        return s.astype(float)
    if pd.api.types.is_numeric_dtype(s):
        return s.astype(float)
    conv = pd.to_numeric(s, errors="coerce")
    bad = conv.isna() & s.notna()
    if bad.any():
        rows = s.index[bad][:10].tolist()
        vals = s[bad].head(5).tolist()
        raise ValueError(f"column {column!r} is not numeric: rows {rows} hold {vals}")
    return conv.astype(float)


def levels(series: pd.Series) -> tuple[list, list]:
    """Observed levels of a grouping column in a stable order, and its declared-but-empty levels.

    Categorical columns keep their category order; other columns are sorted (numbers
    numerically, anything else by its text).
    """
    present = series.dropna()
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = list(series.cat.categories)
        seen = set(present.unique())
        return [c for c in cats if c in seen], [c for c in cats if c not in seen]
    uniq = list(pd.unique(present))
    try:
        uniq = sorted(uniq)
    except TypeError:
        uniq = sorted(uniq, key=str)
    return uniq, []


def label(level) -> str:
    """A level as text for output tables (1.0 -> '1')."""
    if isinstance(level, (float, np.floating)) and float(level).is_integer():
        return str(int(level))
    if isinstance(level, (np.integer,)):
        return str(int(level))
    return str(level)


class Notes:
    """Collects reasons and turns them into (status, note)."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.failed = False

    def warn(self, text: str) -> None:
        if text not in self.items:
            self.items.append(text)

    def fail(self, text: str) -> None:
        self.failed = True
        self.warn(text)

    @property
    def status(self) -> str:
        if self.failed:
            return NOT_COMPUTED
        return WARNING if self.items else OK

    @property
    def note(self) -> str:
        return "; ".join(self.items)

    def fields(self) -> dict:
        return {"status": self.status, "note": self.note}


def frame(rows: list[dict], columns: Sequence[str]) -> pd.DataFrame:
    """Rows as a DataFrame with exactly ``columns`` (missing entries NaN), index 0..n-1."""
    out = pd.DataFrame(rows, columns=list(columns))
    return out.reset_index(drop=True)


def long(wide: pd.DataFrame, id_vars: Sequence[str], stats: Sequence[str]) -> pd.DataFrame:
    """Wide result rows to long (id_vars..., statistic, value, status, note) rows."""
    keep = list(id_vars) + ["status", "note"]
    stats = [s for s in stats if s in wide.columns]
    out = wide.melt(id_vars=keep, value_vars=stats, var_name="statistic", value_name="_value")
    out = out.rename(columns={"_value": "value"})
    out["value"] = out["value"].astype(float)
    order = {s: i for i, s in enumerate(stats)}
    out["_o"] = out["statistic"].map(order)
    out["_r"] = np.tile(np.arange(len(wide)), len(stats)) if len(wide) else []
    out = out.sort_values(["_r", "_o"], kind="mergesort").drop(columns=["_o", "_r"])
    return out[list(id_vars) + ["statistic", "value", "status", "note"]].reset_index(drop=True)
