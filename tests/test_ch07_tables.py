"""Chapter 7's use of wagk.monitor_tables: CFA rows come from converged fits only, and the fits
behind Tables 3 and 5 are handed back to the chapter (for loadings, diagrams and messages).

Reference: wagk.cfa.fit_cfa (lavaan-validated in tests/test_cfa.py) on the same data and model.
"""

from __future__ import annotations

import numpy as np
import pytest

from ch07_data import write_study
from wagk import codebook, contract, monitor_tables
from wagk.cfa import fit_cfa


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    return contract.load_study(write_study(tmp_path_factory.mktemp("t") / "data", seed=4))


def test_non_converged_fit_gives_no_numbers(study):
    items = study.questionnaire("client", 1)
    factors = monitor_tables.model_factors(codebook.load_monitor("appendix1"), "client")
    bad = fit_cfa(items, factors, max_iter=2)
    assert not bad.converged
    rows = monitor_tables.cfa_rows(items, factors, ref="TB1.5", section="B1-2.3", perspective="client", wave=1,
                                   group="with_reactance", result=bad)
    assert len(rows) == 5 and rows["value"].isna().all()
    good = fit_cfa(items, factors)
    rows = monitor_tables.cfa_rows(items, factors, ref="TB1.5", section="B1-2.3", perspective="client", wave=1,
                                   group="with_reactance")
    got = rows.set_index("statistic")["value"]
    want = good.fit_rows().set_index("statistic")["value"]
    for stat in ("CMIN", "df", "p", "CFI", "RMSEA"):
        assert got[stat] == pytest.approx(want[stat], abs=1e-9)


def test_appendix1_rows_hands_back_its_fits(study):
    fits = {}
    rows = monitor_tables.appendix1_rows(study, fits=fits)
    assert len(fits) == 10
    assert {k[0] for k in fits} == {"TB1.3", "TB1.5"}
    key = ("TB1.3", "po", 2, "initial")
    cmin = rows[(rows["ref"] == "TB1.3") & (rows["perspective"] == "po") & (rows["wave"] == "2")
                & (rows["statistic"] == "CMIN")]["value"].iloc[0]
    assert cmin == pytest.approx(fits[key].cmin, abs=1e-9) and np.isfinite(cmin)
