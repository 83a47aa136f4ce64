"""The published numbers the background, motivation and outcome generator is calibrated to.

The target tables of the issue "Synthetic dataset II": chapter 6's sample description (the
sample side of Tables 6.6-6.12 and section 6.12; comparisons with the national population
need the population's data and are left out), chapters 8 and 9 outside their descriptive
tables (Tables 8.4-8.10, 9.4-9.11 and the running text of 8.3-8.9 and 9.3-9.9), and chapter
10's outcome analyses (Tables 10.5-10.9 with the running text of 10.2.4, 10.2.5 and 10.3).
Only the calibration and the fidelity report read these.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from wagk import published

#: (group label, pattern of refs)
GROUPS = (
    ("ch6 sample", r"^(T6\.(6|7|8|9|10|11|12)|S6\.9a|S6\.12\.)"),
    ("T8.4-8.5 experiences", r"^T8\.[45]$"),
    ("T8.6-8.8 motivation", r"^T8\.[678]$"),
    ("T8.9-8.10 outcomes", r"^T8\.(9|10)$"),
    ("S8.3-8.9 text", r"^S8\.[3-9]"),
    ("T9.4-9.7 appraisal", r"^T9\.[4-7]$"),
    ("T9.8 motivation", r"^T9\.8$"),
    ("T9.9-9.11 outcomes", r"^T9\.(9|10|11)$"),
    ("S9.3-9.9 text", r"^S9\.[3-9]"),
    ("T10.5-10.6 outcomes", r"^T10\.[56]$"),
    ("T10.7-10.9 logistic", r"^T10\.[789]$"),
    ("S10.2.4-10.3 text", r"^(S10\.2\.[45]|S10\.3)"),
)


def group_of(ref: str) -> str | None:
    for name, pat in GROUPS:
        if re.match(pat, ref):
            return name
    return None


def load() -> pd.DataFrame:
    """Published rows of the target tables (population-side rows and model specs excluded; a
    copy, safe to modify)."""
    return _rows().copy()


@lru_cache(maxsize=1)
def _rows() -> pd.DataFrame:
    rows = published.load()
    keep = rows["ref"].map(lambda r: group_of(r) is not None) & (rows["perspective"] != "population")
    keep &= rows["analysis"] != "model_spec"
    # comparisons with the national population (Tables 6.6, 6.7 tests) need the population's data
    keep &= ~(rows["ref"].isin(["T6.6", "T6.7"]) & rows["analysis"].isin(["chi2", "ttest"]))
    return rows[keep].reset_index(drop=True)


def lookup(rows: pd.DataFrame | None = None) -> dict[tuple, float]:
    """(ref, variable, group, statistic) -> published value (first row of each key)."""
    if rows is None:
        return dict(_lookup())
    return _lookup_of(rows)


@lru_cache(maxsize=1)
def _lookup() -> dict[tuple, float]:
    return _lookup_of(_rows())


def _lookup_of(rows: pd.DataFrame) -> dict[tuple, float]:
    rows = rows[rows["value"].notna()]
    out = {}
    for r in rows.itertuples(index=False):
        out.setdefault((r.ref, r.variable, r.group, r.statistic), float(r.value))
    return out
