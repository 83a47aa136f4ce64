"""Appendix 1 tables: naming of rows, component matching, alpha and correlations."""

import numpy as np
import pandas as pd
import pytest

from wagk import codebook, monitor_tables


@pytest.fixture(scope="module")
def items():
    """Answers with the appendix1 structure: each scale's own factor, items raw (dri_31 reversed)."""
    rng = np.random.default_rng(5)
    mon = codebook.load_monitor("appendix1")
    n = 400
    f = rng.normal(size=(n, 4))
    cols = {}
    for j, s in enumerate(codebook.SCALES):
        sc = mon.scale("client", s)
        for it in sc.items:
            x = cols.get(it, 0) + (-0.8 if it in sc.reversed else 0.8) * f[:, j]
            cols[it] = x
    frame = pd.DataFrame({k: np.clip(np.rint(4 + v + rng.normal(scale=0.8, size=n)), 1, 7) for k, v in cols.items()})
    frame["grade"] = np.clip(np.rint(7 + f[:, 2] + rng.normal(size=n)), 1, 10)
    return frame


def test_pca_matches_components_to_scales(items):
    mon = codebook.load_monitor("appendix1")
    sol = monitor_tables.pca_solution(items, mon, "client")
    assert list(sol.columns) == list(codebook.SCALES)
    assert sol.loc["dri_31", "trust"] < -0.5  # raw reversed item loads negatively
    for s in codebook.SCALES:
        own = [it for it in mon.scale("client", s).items if it != "dri_31"]
        assert (sol.loc[own, s] > 0.4).all()
    rows = monitor_tables.pca_rows(items, mon, "client", ref="TB1.6", section="B1-2.4", wave=1)
    assert set(rows["variable"]) >= {"item06", "item07", "item17"} and (rows["statistic"] == "loading").all()


def test_correlation_rows_name_pairs_like_the_published_tables(items):
    mon = codebook.load_monitor("appendix1")
    from wagk import scoring
    sc = scoring.score(items, mon, "client")
    rows = monitor_tables.correlation_rows(sc, ref="TB1.7", section="B1-4.1", perspective="client", wave=1)
    pairs = set(zip(rows["variable"], rows["group"]))
    assert ("trust", "goals_restriction") in pairs and ("reactance", "total") in pairs
    assert len(rows) == 10 * 3
    r = rows.query("variable == 'trust' and group == 'bond' and statistic == 'r'")["value"].item()
    assert r == pytest.approx(sc["trust"].corr(sc["bond"]))


def test_alpha_and_grade_rows(items):
    mon = codebook.load_monitor("appendix1")
    rows = monitor_tables.alpha_rows(items, mon, "client", ref="TB1.4", section="B1-2.3", wave=1)
    assert (rows["value"] > 0.6).all()
    from wagk import scoring
    g = monitor_tables.grade_rows(scoring.score(items, mon, "client"), items["grade"], ref="TB1.9",
                                  section="B1-4.2", perspective="client", wave=1)
    assert g.query("variable == 'bond' and statistic == 'rs'")["value"].item() > 0.3


def test_appendix1_samples_keep_wave1_clients(tiny_study):
    s = monitor_tables.appendix1_samples(tiny_study)
    c1 = set(tiny_study.questionnaire("client", 1).index)
    assert all(set(f.index) <= c1 for f in s.values())


@pytest.fixture
def tiny_study(dataset):
    from wagk.contract import load_study
    return load_study(dataset)
