"""The published numbers the synthetic dataset is calibrated to (the target tables of the issue).

Only the calibration and the fidelity report read these; they never enter the generator's
output except through the calibrated parameters.
"""

from __future__ import annotations

import pandas as pd

from wagk import published
from wagk.ledger import KEY

#: the target tables: chapters 8-10 descriptives and dyads, Appendix 1 Tables 3-13
REFS = ("T8.1", "T8.2", "T8.3", "T9.1", "T9.2", "T9.3", "T10.1", "T10.2", "T10.3", "T10.4",
        "TB1.3", "TB1.4", "TB1.5", "TB1.6", "TB1.7", "TB1.8", "TB1.9", "TB1.10", "TB1.11", "TB1.12", "TB1.13")
#: tables whose n's must come out exactly (acceptance criterion)
EXACT_N = ("T8.1", "T8.2", "T9.1", "T9.2", "T10.1")


def load() -> pd.DataFrame:
    """Published rows of the target tables (model specifications excluded)."""
    rows = published.load()
    rows = rows[rows["ref"].isin(REFS) & (rows["analysis"] != "model_spec")]
    return rows.reset_index(drop=True)


def lookup(rows: pd.DataFrame | None = None) -> dict[tuple, float]:
    """Key tuple (ref, perspective, wave, analysis, variable, group, statistic) -> published value."""
    rows = load() if rows is None else rows
    rows = rows[rows["value"].notna()]
    keys = zip(*(rows[k] for k in KEY))
    return {tuple(key): float(v) for key, v in zip(keys, rows["value"])}
