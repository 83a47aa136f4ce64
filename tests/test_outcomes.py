"""Outcome derivation from the officer's wave-2 answers (wagk.outcomes), case by case."""

import numpy as np
import pandas as pd
import pytest

from wagk import outcomes

# codes: 1 yes once, 2 yes several times, 3 no, 4 don't know
CASES_NO_SHOW = [
    ((3, 3), 0.0), ((1, 3), 0.0), ((3, 1), 0.0),            # at most once
    ((1, 1), 1.0), ((2, 3), 1.0), ((3, 2), 1.0), ((2, 2), 1.0),  # twice or more
    ((4, 3), np.nan), ((1, 4), np.nan),                     # unknown, could be 0 or 1
    ((2, 4), 1.0),                                          # several times late: 1 whatever else
    ((np.nan, 3), np.nan),
]


@pytest.mark.parametrize("answers, expected", CASES_NO_SHOW)
def test_no_show_counts_late_and_absent_together(answers, expected):
    po = pd.DataFrame({"out_late": [answers[0]], "out_no_show": [answers[1]]})
    got = outcomes.derive_no_show(po).iloc[0]
    assert (np.isnan(got) and np.isnan(expected)) or got == expected


@pytest.mark.parametrize("answers, expected", [
    ((3, 3, 3), 0.0), ((1, 3, 3), 1.0), ((3, 2, 4), 1.0), ((3, 3, 4), np.nan), ((np.nan, 3, 3), np.nan),
])
def test_formal_action_is_any_of_three(answers, expected):
    po = pd.DataFrame([answers], columns=list(outcomes.FORMAL_ITEMS))
    got = outcomes.derive_formal_action(po).iloc[0]
    assert (np.isnan(got) and np.isnan(expected)) or got == expected


def test_derive_outcomes_needs_the_questions():
    po = pd.DataFrame({"grade": [7]}, index=["C1"])
    assert outcomes.derive_outcomes(po).columns.tolist() == []
