"""Run the compendium's analysis recipes for the target tables on a generated dataset.

The same package functions the chapter notebooks use (:mod:`wagk.descriptives`,
:mod:`wagk.dyads`, :mod:`wagk.monitor_tables`) compute every number; this module only feeds
them a study built in memory (the calibration loop) or loaded from disk (the report).
"""

from __future__ import annotations

import pandas as pd

from wagk import codebook, descriptives, dyads, monitor_tables
from wagk.contract import Study

ID_COLUMNS = ("client_id", "po_id")


def study_from_tables(tables: dict[str, pd.DataFrame]) -> Study:
    """A :class:`wagk.contract.Study` from generated tables, typed as ``load_study`` types them
    (ids as text, answers as floats), without the file round trip and its validation."""
    typed = {}
    for name, frame in tables.items():
        f = frame.copy()
        for c in f.columns:
            f[c] = f[c].astype("string") if c in ID_COLUMNS else f[c].astype(float)
        typed[name] = f
    return Study(data_dir=None, tables=typed, funnel=pd.DataFrame(columns=["table", "step", "rows", "detail"]))


def computed_rows(study: Study, cfa: bool = True, appendix: bool = True) -> pd.DataFrame:
    """Ledger rows of every target table (Appendix 1 only when ``appendix``, its Tables 3 and 5
    only when ``cfa``)."""
    monitor = codebook.load_monitor()
    parts = [descriptives.client_tables(study, monitor), descriptives.officer_tables(study, monitor),
             dyads.chapter10_rows(study, monitor)]
    if appendix:
        parts.append(monitor_tables.appendix1_rows(study, cfa=cfa))
    return pd.concat(parts, ignore_index=True)
