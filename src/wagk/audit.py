"""Checks of the thesis's own printed numbers, computed from the published rows.

This module starts with GRIM-style granularity: a mean of k items answered on 1-7 can only take
the values s/j for integers s, where j is the number of answered items (k minus at most half of
k missing). Which item counts k can produce a printed minimum or median tells how many items a
scale had; that settles the goals_restriction question (data/codebook/README.md).
"""

from __future__ import annotations

import math

import pandas as pd

from wagk import published


def mean_possible(value: float, k: int, decimals: int = 2, lo: int = 1, hi: int = 7,
                  max_missing_share: float = 0.5) -> bool:
    """Can a mean over a k-item scale (up to half the items missing) print as ``value``?"""
    tol = 0.5 * 10 ** (-decimals) + 1e-9
    for missing in range(0, math.floor(k * max_missing_share) + 1):
        j = k - missing
        s = round(value * j)
        for cand in (s - 1, s, s + 1):
            if lo * j <= cand <= hi * j and abs(cand / j - value) <= tol:
                return True
    return False


def item_counts(value: float, candidates=range(1, 25), decimals: int = 2) -> list[int]:
    """The item counts among ``candidates`` whose scale means can print as ``value``."""
    return [k for k in candidates if mean_possible(value, k, decimals)]


#: candidate item counts per scale (monitor variants as_reported / appendix1)
CANDIDATES = {"goals_restriction": (5, 6, 7), "total": (17, 19)}


def goals_restriction_evidence() -> pd.DataFrame:
    """Published minima and medians of goals_restriction and the total, with the item counts
    (among the competing definitions) that can produce each value.

    Medians of an even number of people can be the midpoint of two scale values; minima cannot,
    so minima are the decisive rows.
    """
    rows = published.query(ref=["T8.1", "T8.2", "T9.1", "T9.2"], statistic=["Min", "Mdn", "Max"],
                           variable=list(CANDIDATES))
    rows = rows[rows["value"].notna() & ~rows["value"].isin([1.0, 7.0])]
    out = []
    for r in rows.itertuples():
        ks = [k for k in CANDIDATES[r.variable] if mean_possible(r.value, k)]
        out.append(dict(ref=r.ref, perspective=r.perspective, wave=r.wave, variable=r.variable,
                        statistic=r.statistic, printed=r.printed, possible_item_counts=ks))
    return pd.DataFrame(out)
