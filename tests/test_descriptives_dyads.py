"""Descriptives (chapters 8-9) and dyad statistics (chapter 10) against hand computations and scipy."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from wagk import descriptives, dyads


def test_describe_matches_spss_conventions():
    d = descriptives.describe(pd.Series([1.0, 2.0, 4.0, 5.0, None]))
    assert d["n"] == 4 and d["M"] == 3.0 and d["Mdn"] == 3.0  # midpoint of 2 and 4
    assert d["SD"] == pytest.approx(np.sqrt(10 / 3))  # ddof = 1
    assert (d["Min"], d["Max"]) == (1.0, 5.0)
    empty = descriptives.describe(pd.Series([None, None], dtype=float))
    assert empty["n"] == 0 and np.isnan(empty["M"])


def test_rows_carry_the_ledger_key():
    scores = pd.DataFrame({"trust": [6.0, 7.0, 5.0], "bond": [5.0, 6.0, np.nan]})
    rows = descriptives.scale_descriptive_rows(scores, ref="T8.1", section="8.2.1", perspective="client", wave=1)
    assert len(rows) == 12 and set(rows["statistic"]) == set(descriptives.STATISTICS)
    assert rows.query("variable == 'bond' and statistic == 'n'")["value"].item() == 2


@pytest.fixture
def pair():
    rng = np.random.default_rng(1)
    idx = pd.Index([f"C{i}" for i in range(40)], name="client_id")
    client = pd.DataFrame({"trust": rng.normal(6, 0.7, 40)}, index=idx)
    po = pd.DataFrame({"trust": client["trust"] * 0.3 + rng.normal(3.2, 0.8, 40)}, index=idx)
    client.iloc[0, 0] = np.nan
    po = po.drop(index="C39")
    return client, po


def test_agreement_and_paired_test_against_scipy(pair):
    client, po = pair
    a = dyads.agreement(client, po, ["trust"]).loc["trust"]
    both = pd.concat([client["trust"], po["trust"]], axis=1, join="inner").dropna()
    ref = stats.pearsonr(both.iloc[:, 0], both.iloc[:, 1])
    assert a["r"] == pytest.approx(ref.statistic) and a["n"] == 38
    pc = dyads.paired_comparison(client, po, ["trust"]).loc["trust"]
    t = stats.ttest_rel(both.iloc[:, 0], both.iloc[:, 1])
    assert pc["t"] == pytest.approx(t.statistic) and pc["df"] == 37
    diff = both.iloc[:, 0] - both.iloc[:, 1]
    assert pc["d"] == pytest.approx(diff.mean() / diff.std(ddof=1))
    assert pc["n_client"] == 38 and pc["n_po"] == 39  # each side's scores among the 39 dyads


def test_differences_are_client_minus_officer(pair):
    client, po = pair
    d = dyads.differences(client, po, ["trust"])
    rel = (client["trust"] - po["trust"]).dropna()
    assert d["relative"].loc["trust", "M"] == pytest.approx(rel.mean())
    assert d["absolute"].loc["trust", "Mdn"] == pytest.approx(rel.abs().median())
    assert d["absolute"].loc["trust", "Min"] >= 0


def test_chapter10_rows_take_the_handed_over_scores_and_repeat_the_running_text(tmp_path):
    from conftest import tiny_tables, write_dataset
    from wagk import codebook, scores
    from wagk.contract import load_study

    study = load_study(write_dataset(tmp_path / "d", tiny_tables(n_clients=30, seed=2)))
    mon = codebook.load_monitor()
    sc = scores.score_study(study, mon)
    scores.write(tmp_path / "r", sc, mon)
    handed = scores.load(tmp_path / "r")
    rows = dyads.chapter10_rows(study, scores=handed)
    plain = dyads.chapter10_rows(study, monitor=mon)
    key = ["ref", "wave", "perspective", "analysis", "variable", "group", "statistic"]
    merged = rows.merge(plain, on=key, suffixes=("", "_plain"))
    assert len(merged) == len(rows) == len(plain)
    np.testing.assert_allclose(merged["value"], merged["value_plain"], rtol=1e-8, atol=1e-12)  # files keep 10 digits
    # S10.2.2: the text's repeats of Tables 10.2 and 10.3, d without its sign
    tab = rows[rows.ref == "T10.2"].set_index(["analysis", "variable", "statistic"])["value"]
    s2a = rows[rows.ref == "S10.2.2a"].set_index("statistic")["value"]
    assert s2a["t"] == tab[("paired_ttest", "trust", "t")] and s2a["d"] == abs(tab[("paired_ttest", "trust", "d")])
    s2d = rows[rows.ref == "S10.2.2d"].set_index("statistic")["value"]
    assert s2d["d"] >= 0 and np.sign(s2d["t"]) == np.sign(tab[("paired_ttest", "reactance", "d")])
    assert set(rows[rows.ref.str.startswith("S10.2.2")]["ref"]) == {f"S10.2.2{c}" for c in "abcdefghi"}
    w2 = rows[rows.ref == "S10.2.2g"]
    assert (w2["wave"] == "2").all() and (w2["variable"] == "reactance").all()
