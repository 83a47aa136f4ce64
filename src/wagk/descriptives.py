"""Scale descriptives: n, mean, SD, median, minimum and maximum (chapters 8 and 9).

The general functions take score frames (one row per questionnaire, one column per scale, as
returned by :func:`wagk.scoring.score`) and return tidy tables or ledger rows. The chapter
recipes at the end (:func:`client_tables`, :func:`officer_tables`) say which questionnaires and
which scales make Tables 8.1-8.3 and 9.1-9.3.

Conventions (as SPSS prints them): the SD is the sample SD (ddof = 1); the median of an even
number of values is the midpoint of the two middle ones; every statistic uses the scores that are
present (a scale with more than half of its items missing has no score, see
:mod:`wagk.scoring`), so n can differ per scale.

Examples
--------
>>> import pandas as pd
>>> describe(pd.Series([1.0, 2.0, 4.0, None]))["Mdn"]
2.0
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wagk import codebook, scoring
from wagk.ledger import COLUMNS as LEDGER_COLUMNS

STATISTICS = ("n", "M", "SD", "Mdn", "Min", "Max")


def describe(values) -> dict:
    """n, M, SD, Mdn, Min and Max of the non-missing values.

    Parameters
    ----------
    values : array-like
        Numbers; NaN counts as missing.

    Returns
    -------
    dict
        ``n`` (int) and the five statistics (float; NaN when n is 0, SD NaN when n < 2).

    Notes
    -----
    SD = sqrt(sum((x - M)^2) / (n - 1)); the median is numpy's (midpoint for even n), as SPSS.
    Validated against SPSS-style hand computations in tests/test_descriptives.py.
    """
    x = pd.to_numeric(pd.Series(values, dtype="float64"), errors="coerce").dropna().to_numpy()
    n = int(x.size)
    if n == 0:
        return dict(n=0, M=np.nan, SD=np.nan, Mdn=np.nan, Min=np.nan, Max=np.nan)
    return dict(n=n, M=float(x.mean()), SD=float(x.std(ddof=1)) if n > 1 else np.nan,
                Mdn=float(np.median(x)), Min=float(x.min()), Max=float(x.max()))


def describe_frame(frame: pd.DataFrame, columns=None) -> pd.DataFrame:
    """:func:`describe` per column; index = column name, columns = n, M, SD, Mdn, Min, Max."""
    columns = list(frame.columns if columns is None else columns)
    return pd.DataFrame([describe(frame[c]) for c in columns], index=pd.Index(columns, name="variable"),
                        columns=list(STATISTICS))


def to_rows(table: pd.DataFrame, *, ref: str, section: str, perspective: str, wave,
            analysis: str = "descriptives", group: str = "") -> pd.DataFrame:
    """Ledger rows from a table indexed by variable with statistics as columns."""
    rows = []
    for variable, stats in table.iterrows():
        for stat, value in stats.items():
            rows.append(dict(ref=ref, section=section, perspective=perspective, wave=str(wave),
                             analysis=analysis, variable=str(variable), group=group,
                             statistic=str(stat), value=float(value)))
    return pd.DataFrame(rows, columns=LEDGER_COLUMNS)


def scale_descriptive_rows(scores: pd.DataFrame, *, ref: str, section: str, perspective: str, wave,
                           columns=None) -> pd.DataFrame:
    """Ledger rows with the six statistics of every score column."""
    return to_rows(describe_frame(scores, columns), ref=ref, section=section,
                   perspective=perspective, wave=wave)


def _score_columns(perspective: str, monitor: codebook.Monitor) -> list[str]:
    cols = list(scoring.SCORE_COLUMNS)
    if perspective == "po":
        cols += list(monitor.contra_reactance)
    return cols


def wave_scores(study, perspective: str, monitor: codebook.Monitor | None = None) -> dict[int, pd.DataFrame]:
    """Scale scores of every questionnaire of one perspective, per wave (index client_id)."""
    monitor = monitor or codebook.load_monitor()
    return {w: scoring.score(study.questionnaire(perspective, w), monitor, perspective)
            for w in codebook.WAVES}


def perspective_tables(study, perspective: str, refs: tuple[str, str, str], sections: tuple[str, str, str],
                       monitor: codebook.Monitor | None = None) -> pd.DataFrame:
    """Descriptives at wave 1, wave 2 and of the change (wave 2 minus wave 1), as ledger rows.

    Wave tables use every questionnaire of that wave; the change uses the clients (or dyads) with
    a questionnaire at both waves and a score at both.
    """
    monitor = monitor or codebook.load_monitor()
    cols = _score_columns(perspective, monitor)
    sc = wave_scores(study, perspective, monitor)
    change = scoring.change_scores(sc[1], sc[2])
    parts = [
        scale_descriptive_rows(sc[1], ref=refs[0], section=sections[0], perspective=perspective, wave=1, columns=cols),
        scale_descriptive_rows(sc[2], ref=refs[1], section=sections[1], perspective=perspective, wave=2, columns=cols),
        scale_descriptive_rows(change, ref=refs[2], section=sections[2], perspective=perspective, wave="diff",
                               columns=cols),
    ]
    return pd.concat(parts, ignore_index=True)


def client_tables(study, monitor: codebook.Monitor | None = None) -> pd.DataFrame:
    """Tables 8.1-8.3: the clients' WA-GK scales at the start, after 6-9 months, and the change."""
    return perspective_tables(study, "client", ("T8.1", "T8.2", "T8.3"), ("8.2.1", "8.2.2", "8.2.3"), monitor)


def officer_tables(study, monitor: codebook.Monitor | None = None) -> pd.DataFrame:
    """Tables 9.1-9.3: the officers' WA-GK scales and contra-reactance items, both waves and change."""
    return perspective_tables(study, "po", ("T9.1", "T9.2", "T9.3"), ("9.2.1", "9.2.2", "9.2.3"), monitor)
