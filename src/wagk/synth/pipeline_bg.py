"""Run the compendium's recipes for the background, motivation and outcome tables on a dataset.

The same package functions the chapter notebooks use (:mod:`wagk.sample`,
:mod:`wagk.perspective`, :mod:`wagk.outcomes`) compute every number; this module only feeds them
a study built in memory (the calibration loop) or loaded from disk (the report).
"""

from __future__ import annotations

import warnings

import pandas as pd

from wagk import background, outcomes, perspective, sample
from wagk.contract import Study


def computed_rows(study: Study, logistic: bool = True) -> pd.DataFrame:
    """Ledger rows of every background, motivation and outcome table (chapters 6 and 8-10)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = background.analysis_frame(study)
        parts = [sample.chapter6_rows(data, study), perspective.chapter8_rows(data), perspective.chapter9_rows(data),
                 outcomes.dyad_outcome_rows(data, logistic_models_too=logistic)]
    return pd.concat(parts, ignore_index=True)
