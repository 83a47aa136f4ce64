"""The thesis's published numbers (data/published), one row per number.

Only the synthetic-data calibration (wagk.synth) and the comparison, report and audit code read
these rows; the analysis computes from data alone (a test enforces this).

Columns: ref, section, perspective, wave, analysis, variable, group, statistic, value, printed,
remark (see data/published/README.md), plus ``source`` (file) and ``chapter``.

Examples
--------
>>> from wagk import published
>>> published.query(ref="T8.1", variable="trust", statistic="M")["value"].item()
6.43
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from wagk import paths
from wagk.ledger import PERSPECTIVES, WAVES

COLUMNS = ["ref", "section", "perspective", "wave", "analysis", "variable", "group",
           "statistic", "value", "printed", "remark"]
ANALYSES = ("descriptives", "frequency", "correlation", "spearman", "anova", "manova", "ttest",
            "paired_ttest", "chi2", "alpha", "pca_loading", "cfa_fit", "logistic", "abs_diff",
            "rel_diff", "model_spec")
STATISTICS = ("n", "M", "SD", "Mdn", "Min", "Max", "r", "rs", "F", "df1", "df2", "t", "df", "p",
              "eta2", "d", "chi2", "phi", "V", "ExpB", "SE", "R2", "CMIN", "CFI", "RMSEA",
              "alpha", "loading", "count", "percent", "member")

SCHEMA = pa.DataFrameSchema(
    {
        "ref": pa.Column(str, pa.Check.str_matches(r"^(T\d+\.\d+|TB1\.\d+|S\d+(\.\d+)*[a-z]?|SB1-[\d.]+[a-z]?)$")),
        "section": pa.Column(str),
        "perspective": pa.Column(str, pa.Check.isin(PERSPECTIVES)),
        "wave": pa.Column(str, pa.Check.isin(WAVES)),
        "analysis": pa.Column(str, pa.Check.isin(ANALYSES)),
        "variable": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_]+$")),
        "group": pa.Column(str),
        "statistic": pa.Column(str, pa.Check.isin(STATISTICS)),
        "value": pa.Column(float, nullable=True),
        "printed": pa.Column(str),
        "remark": pa.Column(str),
    },
    checks=[
        pa.Check(lambda d: ~d.duplicated(["ref", "perspective", "wave", "analysis", "variable", "group", "statistic"]),
                 error="duplicate key"),
        pa.Check(lambda d: d["value"].notna() | (d["printed"] != ""), error="neither value nor printed"),
    ],
    strict=False,
)


def chapter_of(ref: str) -> str:
    """'T8.1' -> '8', 'S10.2.5a' -> '10'; Appendix 1 (TB1.x, SB1-...) belongs to chapter 7."""
    if ref.startswith(("TB1", "SB1")):
        return "7"
    body = ref[1:]
    return body.split(".")[0].rstrip("abcdefghijklmnopqrstuvwxyz")


def _read(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: columns missing: {missing}")
    frame = frame[COLUMNS].copy()
    frame["value"] = pd.to_numeric(frame["value"].replace("", None), errors="raise").astype(float)
    return frame.assign(source=path.name)


@lru_cache(maxsize=4)
def _load(folder: str) -> pd.DataFrame:
    files = sorted(Path(folder).glob("*.csv"))
    if not files:
        raise FileNotFoundError(f"no published CSV files in {folder}")
    frame = pd.concat([_read(f) for f in files], ignore_index=True)
    frame = SCHEMA.validate(frame, lazy=True)
    frame["chapter"] = frame["ref"].map(chapter_of)
    return frame


def load(folder: Path | str = paths.PUBLISHED) -> pd.DataFrame:
    """Every published number, validated against one schema (a copy; safe to modify)."""
    return _load(str(folder)).copy()


def query(folder: Path | str = paths.PUBLISHED, **where) -> pd.DataFrame:
    """Published rows matching every ``column=value`` given (a list matches any of its values).

    >>> query(ref="T9.1", perspective="po", statistic="n").shape[0]
    8
    """
    frame = _load(str(folder))
    mask = pd.Series(True, index=frame.index)
    for col, val in where.items():
        if col not in frame.columns:
            raise KeyError(f"unknown column {col!r}")
        vals = [str(v) for v in val] if isinstance(val, (list, tuple, set)) else [str(val)]
        mask &= frame[col].isin(vals)
    return frame[mask].copy()
