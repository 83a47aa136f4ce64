"""Run the compendium's analysis recipes for the target tables on a generated dataset.

The same package functions the chapter notebooks use (:mod:`wagk.descriptives`,
:mod:`wagk.dyads`, :mod:`wagk.monitor_tables`) compute every number; this module only feeds
them a study built in memory (the calibration loop) or loaded from disk (the report).
"""

from __future__ import annotations

import pandas as pd

from wagk import codebook, descriptives, dyads, monitor_tables
from wagk.contract import Study


def computed_rows(study: Study, cfa: bool = True, appendix: bool = True) -> pd.DataFrame:
    """Ledger rows of every target table (Appendix 1 only when ``appendix``, its Tables 3 and 5
    only when ``cfa``)."""
    monitor = codebook.load_monitor()
    parts = [descriptives.client_tables(study, monitor), descriptives.officer_tables(study, monitor),
             dyads.chapter10_rows(study, monitor)]
    if appendix:
        parts.append(monitor_tables.appendix1_rows(study, cfa=cfa))
    return pd.concat(parts, ignore_index=True)
